package survey

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"smkbot/storage"
)

func TestParseClasses(t *testing.T) {
	cls := func(pairs ...any) []storage.SurveyClass {
		var out []storage.SurveyClass
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, storage.SurveyClass{Name: pairs[i].(string), Headcount: pairs[i+1].(int)})
		}
		return out
	}
	tests := []struct {
		name string
		in   string
		want []storage.SurveyClass
	}{
		{"commas", "5А:27, 5Б:25", cls("5А", 27, "5Б", 25)},
		{"spaces and dash", "5 А - 27", cls("5А", 27)},
		{"lower-case letter", "5а: 27; 5б: 25", cls("5А", 27, "5Б", 25)},
		{"newlines", "5А: 27\n5Б: 25\r\n\n6В — 30\n", cls("5А", 27, "5Б", 25, "6В", 30)},
		{"space only", "11Б 24", cls("11Б", 24)},
		{"en dash, equals", "7А – 20, 7Б=21", cls("7А", 20, "7Б", 21)},
		{"trailing separators", ",, 5А:27,;", cls("5А", 27)},
		{"leading zero", "5А: 027", cls("5А", 27)},
		{"bounds", "1А: 1, 1Б: 2000", cls("1А", 1, "1Б", 2000)},
		{"long name keeps spaces", "Подготовительная гр: 15", cls("Подготовительная гр", 15)},
		{"punctuation", "10 «Лицейский»: 22, 11 (проф.): 18", cls("10 «Лицейский»", 22, "11 (проф.)", 18)},
		{"name ends with digit", "Группа 2: 12", cls("Группа 2", 12)},
		{"latin letter", "5a: 20", cls("5A", 20)},
		{"collapsed spaces", "  5   А  :  27  ", cls("5А", 27)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ParseClasses(tt.in)
			if len(errs) > 0 {
				t.Fatalf("ParseClasses(%q) errors: %+v", tt.in, errs)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseClasses(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseClassesErrors(t *testing.T) {
	l := newLocalizer(t)
	tests := []struct {
		name string
		in   string
		want []string // message ids, in order
		item string   // the first error names this item ("" to skip)
	}{
		{"empty", "", []string{"survey.author.classes.empty"}, ""},
		{"only separators", " ,;\n ", []string{"survey.author.classes.empty"}, ""},
		{"no count", "5А", []string{"survey.author.classes.no_count"}, "5А"},
		{"no count with colon", "5А:", []string{"survey.author.classes.no_count"}, "5А:"},
		{"no name", ": 27", []string{"survey.author.classes.no_name"}, ": 27"},
		{"only a number", "27", []string{"survey.author.classes.no_name"}, "27"},
		{"no separator", "5А27", []string{"survey.author.classes.no_separator"}, "5А27"},
		{"zero", "5А: 0", []string{"survey.author.classes.bad_count"}, "5А: 0"},
		{"too many pupils", "5А: 2001", []string{"survey.author.classes.bad_count"}, "5А: 2001"},
		{"huge number", "5А: 99999999999999999999", []string{"survey.author.classes.bad_count"}, ""},
		{"long name", "Очень длинное название класса: 20", []string{"survey.author.classes.name_too_long"}, "Очень длинное название класса: 20"},
		{"emoji", "5А🙂: 20", []string{"survey.author.classes.bad_name"}, "5А🙂: 20"},
		{"colon inside", "5:А:27", []string{"survey.author.classes.bad_name"}, "5:А:27"},
		{"duplicate", "5А: 27, 5 а: 25", []string{"survey.author.classes.duplicate"}, "5 а: 25"},
		{"duplicate ignoring spaces and case", "Подг гр: 5, подггр: 6", []string{"survey.author.classes.duplicate"}, "подггр: 6"},
		{"every problem", "5А, 6Б: 0, 7В: 20, 7в: 21", []string{
			"survey.author.classes.no_count", "survey.author.classes.bad_count", "survey.author.classes.duplicate",
		}, "5А"},
		{"too long input", strings.Repeat("5А: 27, ", 600), []string{"survey.author.classes.too_long"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ParseClasses(tt.in)
			if got != nil {
				t.Errorf("classes %+v returned with errors", got)
			}
			var ids []string
			for _, e := range errs {
				ids = append(ids, e.MsgID)
				text := l.T(e.MsgID, e.Data...)
				if strings.Contains(text, "⟦") {
					t.Errorf("%s renders as %q", e.MsgID, text)
				}
				if e.Item != "" && !strings.Contains(text, clip(e.Item)) {
					t.Errorf("message %q does not name the item %q", text, e.Item)
				}
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Fatalf("ParseClasses(%q) errors (-want +got):\n%s", tt.in, diff)
			}
			if tt.item != "" && errs[0].Item != tt.item {
				t.Errorf("first error names %q, want %q", errs[0].Item, tt.item)
			}
		})
	}
}

func TestParseClassesLimit(t *testing.T) {
	var items []string
	for i := range MaxClasses + 1 {
		items = append(items, "Класс "+strings.Repeat("И", i%5+1)+string(rune('0'+i/10))+string(rune('0'+i%10))+": 20")
	}
	if got, errs := ParseClasses(strings.Join(items[:MaxClasses], ", ")); len(errs) > 0 || len(got) != MaxClasses {
		t.Fatalf("%d classes: %d parsed, errors %+v", MaxClasses, len(got), errs)
	}
	_, errs := ParseClasses(strings.Join(items, ", "))
	if len(errs) != 1 || errs[0].MsgID != "survey.author.classes.too_many" {
		t.Fatalf("%d classes: errors %+v", MaxClasses+1, errs)
	}
}

// FuzzParseClasses checks that no input makes the parser panic, that it
// returns either classes keeping every rule or errors with messages that
// exist, and that what it returns reads back the same once written out.
func FuzzParseClasses(f *testing.F) {
	for _, s := range []string{
		"5А:27, 5Б:25", "5 А - 27", "5А: 27\n5Б: 25", "5а;5б", "5А27", ": 0", "5А: 2001",
		"Подготовительная группа: 12", "10 «Лицейский»: 22", "5:А:27", "\xff: 3", "5 5: 5", "٣ب: 4",
	} {
		f.Add(s)
	}
	l := newLocalizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, errs := ParseClasses(s)
		if len(errs) > 0 {
			if got != nil {
				t.Fatalf("classes and errors both returned for %q", s)
			}
			for _, e := range errs {
				if !l.Has(e.MsgID) || len(e.Data)%2 != 0 {
					t.Fatalf("error %s with data %v", e.MsgID, e.Data)
				}
			}
			return
		}
		if len(got) == 0 || len(got) > MaxClasses {
			t.Fatalf("%d classes from %q", len(got), s)
		}
		seen := map[string]bool{}
		for _, c := range got {
			n := utf8.RuneCountInString(c.Name)
			if n == 0 || n > maxClassName || !utf8.ValidString(c.Name) || strings.TrimSpace(c.Name) != c.Name {
				t.Fatalf("class name %q from %q", c.Name, s)
			}
			if c.Headcount < 1 || c.Headcount > maxHeadcount {
				t.Fatalf("headcount %d from %q", c.Headcount, s)
			}
			if seen[normal(c.Name)] {
				t.Fatalf("class %q twice from %q", c.Name, s)
			}
			seen[normal(c.Name)] = true
		}
		again, errs := ParseClasses(FormatClasses(got))
		if len(errs) > 0 {
			t.Fatalf("FormatClasses(%+v) does not parse: %+v", got, errs)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("classes change when written out and read again (-first +again):\n%s", diff)
		}
	})
}
