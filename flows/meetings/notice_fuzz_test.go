package meetings

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"smkbot/flows/flowtest"
)

func FuzzParseItem(f *testing.F) {
	for _, s := range []string{"О плане — Андреева О. П.", "Разное", " — ", "А – Б — В", "", "-- x", strings.Repeat("я", 1200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		title, speaker, err := parseItem(s)
		if err != nil {
			return
		}
		if title == "" || title != strings.TrimSpace(title) || speaker != strings.TrimSpace(speaker) {
			t.Fatalf("parseItem(%q) = %q, %q", s, title, speaker)
		}
		if utf8.RuneCountInString(title) > maxText || !strings.Contains(s, title) || !strings.Contains(s, speaker) {
			t.Fatalf("parseItem(%q) = %q, %q: not from the text", s, title, speaker)
		}
	})
}

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"25.12 14:00", "завтра в 9:30", "25 декабря 14:00", "14:00", "", "31.02 10:00", "через 3 дня 10.00"} {
		f.Add(s)
	}
	fl := &Flow{Location: flowtest.Zone}
	now := flowtest.Start
	f.Fuzz(func(t *testing.T, s string) {
		when, err := fl.parseWhen(s, now)
		if err != nil {
			return
		}
		if when.IsZero() || when.Location() != flowtest.Zone && !when.In(flowtest.Zone).Equal(when) {
			t.Fatalf("parseWhen(%q) = %v", s, when)
		}
		if when.Year() < 1900 || when.Year() > 2200 || when.Sub(now) > 200*365*24*time.Hour {
			t.Fatalf("parseWhen(%q) = %v, beyond any meeting", s, when)
		}
	})
}
