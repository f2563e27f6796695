package flows

import (
	"strconv"
	"strings"
	"testing"
)

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"14:00", "9.30", " 9 : 30 ", "24:00", "7:5", "", ":", "١٤:٠٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, err := ParseTime(s)
		if err != nil {
			return
		}
		if h < 0 || h > 23 || m < 0 || m > 59 {
			t.Fatalf("ParseTime(%q) = %d:%d", s, h, m)
		}
		// What was read is what a person would read: the same time again.
		h2, m2, err := ParseTime(strconv.Itoa(h) + ":" + strconv.Itoa(100 + m)[1:])
		if err != nil || h2 != h || m2 != m {
			t.Fatalf("ParseTime(%q) = %d:%02d, which does not read back: %d:%d, %v", s, h, m, h2, m2, err)
		}
	})
}

func FuzzArgInts(f *testing.F) {
	for _, s := range []string{"12.5.3", "0", "", ".", "01", "9223372036854775807", "9223372036854775808", "-1", "1..2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ArgInts(s)
		if err != nil {
			return
		}
		parts := make([]string, len(ids))
		for i, id := range ids {
			if id < 0 {
				t.Fatalf("ArgInts(%q) gave a negative %d", s, id)
			}
			parts[i] = strconv.FormatInt(id, 10)
		}
		// Strict: only the canonical form is read.
		if strings.Join(parts, ".") != s {
			t.Fatalf("ArgInts(%q) = %v, not its canonical form", s, ids)
		}
	})
}
