package survey

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"smkbot/storage"
)

// FuzzParseTemplate checks that no file makes the parser panic, and that
// it returns either a template that keeps every rule of the format or at
// least one error, each on a line of the file and with a message that
// exists.
func FuzzParseTemplate(f *testing.F) {
	builtin, _ := filepath.Glob("templates/*.yaml")
	for _, name := range builtin {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, b := range badFiles {
		if len(b.file) <= maxFileSize {
			f.Add([]byte(b.file))
		}
	}
	f.Add([]byte("a: &a [*a]\nb: *a\n"))
	f.Add([]byte("? [a, b]\n: c\n"))
	f.Add([]byte("title: x\raudience: parents\r"))
	l := newLocalizer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, errs := ParseTemplate(data)
		if len(errs) == 0 {
			if msg := invalid(tmpl); msg != "" {
				t.Fatalf("template with no errors breaks a rule: %s\n%+v", msg, tmpl)
			}
			return
		}
		last := maxLine(data)
		for _, e := range errs {
			if e.Line < 1 || e.Line > last {
				t.Errorf("error %s on line %d of a file of %d lines", e.MsgID, e.Line, last)
			}
			if !l.Has(e.MsgID) {
				t.Errorf("unknown message id %s", e.MsgID)
			}
			if len(e.Data)%2 != 0 {
				t.Errorf("%s: odd data %v", e.MsgID, e.Data)
			}
		}
		if !slices.IsSortedFunc(errs, func(a, b LineError) int { return a.Line - b.Line }) {
			t.Errorf("errors not sorted by line: %v", errs)
		}
	})
}

// maxLine is an upper bound of the lines YAML sees in data: it breaks
// lines at \r as well as \n, and the file may be UTF-16; an error may
// point just past the last line.
func maxLine(data []byte) int {
	n := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
	for _, r := range []string{"\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(r))
	}
	return n + 2
}

// invalid restates the rules of the format independently of the parser,
// returning the first one t breaks ("" when none).
func invalid(t Template) string {
	switch {
	case t.Title == "" || utf8.RuneCountInString(t.Title) > maxTitle:
		return "title"
	case t.Audience != "parents" && t.Audience != "students":
		return "audience"
	case utf8.RuneCountInString(t.Intro) > maxIntro:
		return "intro"
	case len(t.Questions) == 0 || len(t.Questions) > maxQuestions:
		return "number of questions"
	}
	for _, q := range t.Questions {
		if q.Text == "" || utf8.RuneCountInString(q.Text) > maxQuestionText || !utf8.ValidString(q.Text) {
			return "question text"
		}
		if utf8.RuneCountInString(q.Group) > maxLabel {
			return "group"
		}
		choice := q.Kind == storage.QuestionSingle || q.Kind == storage.QuestionMulti
		switch q.Kind {
		case storage.QuestionScale:
			if q.Low == "" || q.High == "" || utf8.RuneCountInString(q.Low) > maxLabel || utf8.RuneCountInString(q.High) > maxLabel {
				return "scale ends"
			}
		case storage.QuestionYesNo, storage.QuestionSingle, storage.QuestionMulti, storage.QuestionText:
		default:
			return "kind"
		}
		if q.Kind != storage.QuestionScale && (q.Low != "" || q.High != "") {
			return "ends on a question that is not a scale"
		}
		if !choice {
			if len(q.Options) > 0 {
				return "options on a question without choice"
			}
			continue
		}
		if len(q.Options) < minOptions || len(q.Options) > maxOptions {
			return "number of options"
		}
		seen := map[string]bool{}
		for _, o := range q.Options {
			key := strings.ToLower(o)
			if o == "" || utf8.RuneCountInString(o) > maxOption || seen[key] {
				return "option " + o
			}
			seen[key] = true
		}
	}
	return ""
}
