package bot

import (
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestSplitText(t *testing.T) {
	para := strings.Repeat("а", 30)
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"short", "привет", 10, []string{"привет"}},
		{"exact", "0123456789", 10, []string{"0123456789"}},
		{"paragraphs", para + "\n\n" + para + "\n\n" + para, 70, []string{para + "\n\n" + para, para}},
		{"lines when no paragraph fits", para + "\n" + para + "\n" + para, 70, []string{para + "\n" + para, para}},
		{"words", "один два три четыре", 9, []string{"один два", "три", "четыре"}},
		{"hard", strings.Repeat("я", 25), 10, []string{strings.Repeat("я", 10), strings.Repeat("я", 10), strings.Repeat("я", 5)}},
		// An early paragraph break would make a tiny part; the line break
		// late in the text is better.
		{"late line beats early paragraph", "ab\n\n" + para + "\n" + para, 50, []string{"ab\n\n" + para, para}},
		// Emoji are two UTF-16 code units, as Telegram counts them.
		{"utf16", strings.Repeat("😀", 6), 4, []string{"😀😀", "😀😀", "😀😀"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitText(tt.in, tt.max, false)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("splitText (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitHTMLKeepsTagsBalanced(t *testing.T) {
	line := "<b>" + strings.Repeat("ж", 100) + "</b> &amp; <i>курсив</i>"
	in := "<pre>" + strings.Repeat(line+"\n", 80) + "</pre>"
	parts := splitText(in, maxText, true)
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		if utf16Len(p) > maxText {
			t.Errorf("part %d: %d units", i, utf16Len(p))
		}
		if !strings.HasPrefix(p, "<pre>") || !strings.HasSuffix(p, "</pre>") {
			t.Errorf("part %d not wrapped in <pre>: %.20q...%q", i, p, p[len(p)-20:])
		}
		if strings.Count(p, "<b>") != strings.Count(p, "</b>") {
			t.Errorf("part %d: unbalanced <b>", i)
		}
	}
}

func TestCutHTMLNotInsideMarkup(t *testing.T) {
	head, tail := cutText("abcdef<b>x</b>", 8, true)
	if head != "abcdef" || tail != "<b>x</b>" {
		t.Errorf("tag: %q | %q", head, tail)
	}
	head, tail = cutText("abcdef&amp;x", 9, true)
	if head != "abcdef" || tail != "&amp;x" {
		t.Errorf("entity: %q | %q", head, tail)
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("один два\n\nтри\nчетыре 😀 пять", 7)
	f.Add(strings.Repeat("x", 100), 9)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 2 || max > 5000 || !utf8Valid(s) {
			return
		}
		parts := splitText(s, max, false)
		for _, p := range parts {
			if utf16Len(p) > max {
				t.Fatalf("part of %d units > %d", utf16Len(p), max)
			}
		}
		// Only whitespace at the cuts may be lost.
		if got, want := noSpace(strings.Join(parts, "")), noSpace(s); got != want {
			t.Fatalf("text changed: %q -> %q", want, got)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
