package survey

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseAnswerArg checks that no button argument makes the parser panic,
// and that whatever it accepts is what a respondent's button could carry: a
// survey id of at least 1 and exactly the asked number of small values,
// written back the same way.
func FuzzParseAnswerArg(f *testing.F) {
	for _, s := range []string{"1", "12.3", "12.3.4", "0.1.2", "1.01.2", "1..2", "1.2.", "-1.2", "1.1048576.0",
		"9223372036854775807.0.0", "9223372036854775808.0", "1.2.3.4", "", ".", "a.b"} {
		for values := range 3 {
			f.Add(s, values)
		}
	}
	f.Fuzz(func(t *testing.T, arg string, values int) {
		sid, rest, err := parseAnswerArg(arg, values)
		if err != nil {
			return
		}
		if sid < 1 || len(rest) != values {
			t.Fatalf("parseAnswerArg(%q, %d) = %d, %v", arg, values, sid, rest)
		}
		parts := []string{strconv.FormatInt(sid, 10)}
		for _, v := range rest {
			if v < 0 || v >= ansMaxArg {
				t.Fatalf("parseAnswerArg(%q, %d): value %d out of range", arg, values, v)
			}
			parts = append(parts, strconv.Itoa(v))
		}
		if back := strings.Join(parts, "."); back != arg {
			t.Fatalf("parseAnswerArg(%q, %d) reads as %q", arg, values, back)
		}
	})
}
