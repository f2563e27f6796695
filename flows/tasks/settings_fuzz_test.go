package tasks

import (
	"testing"

	"smkbot/flows/flowtest"
)

func FuzzParseLadder(f *testing.F) {
	for _, s := range []string{"7, 1, 0", "нет", "3 3", "-1", "", "1000", "7;1;0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		days, err := parseLadder(s, []string{"нет"})
		if err != nil {
			return
		}
		if len(days) > setMaxLadder {
			t.Fatalf("parseLadder(%q) = %v: more than %d", s, days, setMaxLadder)
		}
		for i, d := range days {
			// Days relative to the deadline, earliest first, no repeats.
			if d > 0 || d < -setMaxBefore || i > 0 && d <= days[i-1] {
				t.Fatalf("parseLadder(%q) = %v", s, days)
			}
		}
	})
}

func FuzzParseQuiet(f *testing.F) {
	for _, s := range []string{"21:00-08:00", "нет", "22-7", "8:00 - 8:00", "", "25:00-01:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := parseQuiet(s, []string{"нет"})
		if err != nil {
			return
		}
		if from < 0 || to < 0 || from >= 24*60 && from != 0 || to >= 24*60 && to != 0 {
			t.Fatalf("parseQuiet(%q) = %d, %d", s, from, to)
		}
	})
}

func FuzzParseHolidays(f *testing.F) {
	for _, s := range []string{"31.12, 01.01", "нет", "", "29.02", "1.1.2027; 8.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		days, err := parseHolidays(s, flowtest.Start, flowtest.Zone)
		if err != nil {
			return
		}
		for _, d := range days {
			if d.IsZero() {
				t.Fatalf("parseHolidays(%q) gave a zero day", s)
			}
		}
	})
}

func FuzzManParseDue(f *testing.F) {
	for _, s := range []string{"25.12 14:00", "завтра в 9:30", "25.12", "", "31.02", "через месяц 23.59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		due, hasTime, err := manParseDue(s, flowtest.Start, flowtest.Zone)
		if err != nil {
			return
		}
		if !hasTime && (due.In(flowtest.Zone).Hour() != 0 || due.In(flowtest.Zone).Minute() != 0) {
			t.Fatalf("manParseDue(%q) = %v without a time, not at midnight", s, due)
		}
	})
}
