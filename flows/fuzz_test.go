package flows

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"25.12", "25.12.2026", "25.12.26", "25/12", "2026-12-25", "сегодня", "завтра",
		"послезавтра", "через 3 дня", "через неделю", "через 2 недели", "через месяц", "29.02", "31.02",
		"25 декабря 2026", "через 999 месяцев", "через 0 дней", "1.1.1"} {
		f.Add(s, int64(1797746400)) // 2026-12-20 in Barnaul
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		// Keep now within years a deployment may see.
		now := time.Unix(unix%(200*365*86400), 0)
		got, err := ParseDate(s, now, zone)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("ParseDate(%q): error %T", s, err)
			}
			return
		}
		if got.Location() != zone || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("ParseDate(%q) = %v: not midnight in the zone", s, got)
		}
	})
}

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"onb:consent:yes", "tasks:done:42", "onb:rename:", "survey:answer_2:12.5.3",
		"a:b:c:d", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCallback(s)
		if err != nil {
			return
		}
		if len(c.String()) > 64 {
			t.Fatalf("%q: %d bytes", s, len(c.String()))
		}
		// Parsing is strict, so only the canonical form is accepted.
		if c.String() != s {
			t.Fatalf("ParseCallback(%q).String() = %q", s, c.String())
		}
		again, err := ParseCallback(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
		if CB(c.Flow, c.Action, c.Arg) != s {
			t.Fatalf("CB does not rebuild %q", s)
		}
		if ids, err := ArgInts(c.Arg); err == nil && len(ids) == 0 {
			t.Fatalf("ArgInts(%q) = no ids and no error", c.Arg)
		}
	})
}

func FuzzParseFullName(f *testing.F) {
	for _, s := range []string{"Иванова Мария Петровна", "петрова-водкина анна", "ИВАНОВА МАРИЯ", "John Smith",
		"Иванова", "a b c d e", "-a b", "Ивaнова Мария"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := ParseFullName(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100 {
			t.Fatalf("ParseFullName(%q) = %q: too long or not UTF-8", s, name)
		}
		if n := len(strings.Split(name, " ")); n < 2 || n > 4 {
			t.Fatalf("ParseFullName(%q) = %q: %d words", s, name, n)
		}
		again, err := ParseFullName(name)
		if err != nil || again != name {
			t.Fatalf("ParseFullName not stable on %q: %q, %v", name, again, err)
		}
	})
}
