package survey

import (
	"html"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"smkbot/locales"
	"smkbot/storage"
)

func newLocalizer(t testing.TB) *locales.Localizer {
	t.Helper()
	l, err := locales.New(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// lines joins lines with newlines, so a test can count them by eye.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestBuiltins(t *testing.T) {
	ts := Templates()
	var keys []string
	kinds := map[storage.QuestionKind]bool{}
	for _, tmpl := range ts {
		keys = append(keys, tmpl.Key)
		if tmpl.Audience != tmpl.Key {
			t.Errorf("%s: audience %q", tmpl.Key, tmpl.Audience)
		}
		if tmpl.Title == "" || tmpl.Intro == "" {
			t.Errorf("%s: title %q, intro %q", tmpl.Key, tmpl.Title, tmpl.Intro)
		}
		if n := len(tmpl.Questions); n < 12 || n > 15 {
			t.Errorf("%s: %d questions, want 12–15", tmpl.Key, n)
		}
		texts := 0
		for i, q := range tmpl.Questions {
			kinds[q.Kind] = true
			if q.Group == "" {
				t.Errorf("%s: question %d has no group", tmpl.Key, i+1)
			}
			if q.Kind == storage.QuestionText {
				texts++
				if q.Required {
					t.Errorf("%s: question %d: the open question should be optional", tmpl.Key, i+1)
				}
			} else if !q.Required {
				t.Errorf("%s: question %d should be required", tmpl.Key, i+1)
			}
		}
		if texts != 1 {
			t.Errorf("%s: %d open questions, want 1", tmpl.Key, texts)
		}
	}
	if diff := cmp.Diff([]string{"parents", "students"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for _, k := range []storage.QuestionKind{storage.QuestionScale, storage.QuestionYesNo,
		storage.QuestionSingle, storage.QuestionMulti, storage.QuestionText} {
		if !kinds[k] {
			t.Errorf("no built-in question of kind %s", k)
		}
	}
}

// TestBuiltinFiles parses the files themselves, so a broken edit is named
// with its line (the package would panic at start before this test, but
// this is where to look).
func TestBuiltinFiles(t *testing.T) {
	for _, name := range []string{"templates/parents.yaml", "templates/students.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, errs := ParseTemplate(data); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
}

func TestTemplateByKey(t *testing.T) {
	p, ok := TemplateByKey("parents")
	if !ok || p.Key != "parents" {
		t.Fatalf("TemplateByKey(parents) = %q, %v", p.Key, ok)
	}
	// Callers get copies: changing one must not change the built-in.
	p.Questions[0].Text = "changed"
	p.Questions[5].Options[0] = "changed"
	again, _ := TemplateByKey("parents")
	if again.Questions[0].Text == "changed" || again.Questions[5].Options[0] == "changed" {
		t.Error("TemplateByKey returned shared questions")
	}
	if _, ok := TemplateByKey("teachers"); ok {
		t.Error("TemplateByKey(teachers) found a template")
	}
}

// The question every good file below starts from.
var okQuestion = []string{
	"  - text: Насколько вас устраивает питание?",
	"    kind: scale",
	"    low: Совсем не устраивает",
	"    high: Полностью устраивает",
}

func TestParseTemplateGood(t *testing.T) {
	scale := storage.Question{Kind: storage.QuestionScale, Text: "Насколько вас устраивает питание?",
		Low: "Совсем не устраивает", High: "Полностью устраивает", Required: true}
	tests := []struct {
		name string
		file string
		want Template
	}{{
		name: "minimal",
		file: lines(append([]string{"title: Питание", "audience: parents", "questions:"}, okQuestion...)...),
		want: Template{Title: "Питание", Audience: "parents", Questions: []storage.Question{scale}},
	}, {
		name: "Russian words, defaults and every kind",
		file: lines(
			"# Опрос о питании",
			"Title: Питание в школе",
			"audience: Ученики",
			"intro: >-",
			"  Хотим понять,",
			"  что улучшить.",
			"questions:",
			"  - text: Насколько вам нравится питание?",
			"    kind: Шкала",
			"    low: Совсем не нравится",
			"    high: Очень нравится",
			"    group: Питание",
			"    required: нет",
			"  - text: Вы завтракаете в школе?",
			"    kind: Да / Нет",
			"  - text: Что вы обычно берёте?",
			"    kind: один",
			"    options: [Завтрак, Обед, 'Булочки, напитки']",
			"  - text: Какие блюда вам нравятся?",
			"    kind: несколько",
			"    options:",
			"      - Супы",
			"      - Выпечка",
			"  - text: \"Что добавить в меню: ваши идеи\"",
			"    kind: текст",
			"  - text: Что изменить в столовой?",
			"    kind: text",
			"    required: да",
		),
		want: Template{Title: "Питание в школе", Audience: "students", Intro: "Хотим понять, что улучшить.",
			Questions: []storage.Question{
				{Kind: storage.QuestionScale, Text: "Насколько вам нравится питание?", Group: "Питание",
					Low: "Совсем не нравится", High: "Очень нравится"},
				{Kind: storage.QuestionYesNo, Text: "Вы завтракаете в школе?", Required: true},
				{Kind: storage.QuestionSingle, Text: "Что вы обычно берёте?",
					Options: []string{"Завтрак", "Обед", "Булочки, напитки"}, Required: true},
				{Kind: storage.QuestionMulti, Text: "Какие блюда вам нравятся?",
					Options: []string{"Супы", "Выпечка"}, Required: true},
				{Kind: storage.QuestionText, Text: "Что добавить в меню: ваши идеи"},
				{Kind: storage.QuestionText, Text: "Что изменить в столовой?", Required: true},
			}},
	}, {
		name: "Windows: byte order mark and CRLF",
		file: "\xEF\xBB\xBF" + strings.ReplaceAll(
			lines(append([]string{"title: Питание", "audience: родители", "questions:"}, okQuestion...)...), "\n", "\r\n"),
		want: Template{Title: "Питание", Audience: "parents", Questions: []storage.Question{scale}},
	}, {
		name: "Windows: UTF-16",
		file: utf16LE(lines(append([]string{"title: Питание", "audience: parents", "questions:"}, okQuestion...)...)),
		want: Template{Title: "Питание", Audience: "parents", Questions: []storage.Question{scale}},
	}, {
		name: "anchors, an empty intro and a trailing empty document",
		file: lines(
			"title: Кружки",
			"audience: parents",
			"intro:",
			"questions:",
			"  - text: Какие кружки посещает ребёнок?",
			"    kind: multi",
			"    options: &clubs [Спорт, Музыка]",
			"  - text: Какие кружки хотелось бы открыть?",
			"    kind: multi",
			"    options: *clubs",
			"---",
		),
		want: Template{Title: "Кружки", Audience: "parents", Questions: []storage.Question{
			{Kind: storage.QuestionMulti, Text: "Какие кружки посещает ребёнок?", Options: []string{"Спорт", "Музыка"}, Required: true},
			{Kind: storage.QuestionMulti, Text: "Какие кружки хотелось бы открыть?", Options: []string{"Спорт", "Музыка"}, Required: true},
		}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ParseTemplate([]byte(tt.file))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("template (-want +got):\n%s", diff)
			}
		})
	}
}

func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// lineID is what the table compares: where, and which message.
type lineID struct {
	Line  int
	MsgID string
}

// badFiles are files with problems and the problems they must produce, in
// order. The fuzz target starts from them too.
var badFiles = []struct {
	name string
	file string
	want []lineID
}{{
	name: "colon in plain text",
	file: lines("title: Питание: родители", "audience: parents"),
	want: []lineID{{1, "survey.format.colon"}},
}, {
	name: "tab in an indent",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - text: Вопрос?",
		"\tkind: yesno",
	),
	want: []lineID{{5, "survey.format.tab"}},
}, {
	name: "question field out of line",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - text: Вопрос?",
		"   kind: yesno",
	),
	want: []lineID{{5, "survey.format.not_yaml"}},
}, {
	name: "unclosed bracket",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - text: Вопрос?",
		"    kind: single",
		"    options: [Да, Нет",
		"  - text: Ещё вопрос?",
		"    kind: yesno",
	),
	want: []lineID{{6, "survey.format.unclosed"}},
}, {
	name: "unclosed quote",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - text: \"Вопрос?",
		"    kind: yesno",
	),
	want: []lineID{{4, "survey.format.unclosed"}},
}, {
	name: "text starting with @",
	file: lines("title: Питание", "audience: parents", "intro: @школа"),
	want: []lineID{{3, "survey.format.bad_start"}},
}, {
	name: "unknown alias",
	file: lines("title: Питание", "audience: parents", "intro: *x"),
	want: []lineID{{3, "survey.format.not_yaml"}},
}, {
	name: "not UTF-8",
	file: lines("title: Питание", "audience: parents") + "intro: \xcf\xe8\xf2\xe0\xed\xe8\xe5\n",
	want: []lineID{{3, "survey.format.not_utf8"}},
}, {
	name: "empty",
	file: "",
	want: []lineID{{1, "survey.format.empty"}},
}, {
	name: "comments only",
	file: lines("# опрос", "# потом допишу"),
	want: []lineID{{1, "survey.format.empty"}},
}, {
	name: "a list, not a survey",
	file: lines("- Вопрос?", "- Ещё вопрос?"),
	want: []lineID{{1, "survey.format.not_mapping"}},
}, {
	name: "nothing required",
	file: lines("# опрос", "intro: Просто так."),
	want: []lineID{{2, "survey.format.no_title"}, {2, "survey.format.no_audience"}, {2, "survey.format.no_questions"}},
}, {
	name: "empty values",
	file: lines("title:", "audience: ''", "questions: []"),
	want: []lineID{{1, "survey.format.no_title"}, {2, "survey.format.no_audience"}, {3, "survey.format.no_questions"}},
}, {
	name: "unknown audience, misspelt field, repeated field, list for a title",
	file: lines(
		"titel: Питание",
		"audience: учителя",
		"intro: Зачем.",
		"intro: Ещё раз.",
		"title: [Питание]",
		"questions: много",
	),
	want: []lineID{
		{1, "survey.format.unknown_field"},
		{2, "survey.format.bad_audience"},
		{4, "survey.format.duplicate_field"},
		{5, "survey.format.not_text"},
		{6, "survey.format.questions_list"},
	},
}, {
	name: "question problems",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - Как вам питание?",
		"  - text: ''",
		"    kind: scale",
		"    low: Плохо",
		"    high: Хорошо",
		"  - text: Вопрос?",
		"    kind: звёздочки",
		"    options: [Да]",
		"  - txt: Вопрос?",
		"    kind: yesno",
		"    required: может быть",
		"  - text: Как вам питание?",
		"    kind: yesno",
		"    options: [Да, Нет]",
		"    low: Плохо",
	),
	want: []lineID{
		{4, "survey.format.question_not_mapping"},
		{5, "survey.format.no_text"},
		{10, "survey.format.bad_kind"},
		{11, "survey.format.few_options"},
		{12, "survey.format.unknown_field"},
		{12, "survey.format.no_text"},
		{14, "survey.format.bad_required"},
		{17, "survey.format.not_for_kind"},
		{18, "survey.format.not_for_kind"},
	},
}, {
	name: "scale without ends, sorted before a later line",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - text: Вопрос?",
		"    kind: scale",
		"    group: [Питание]",
		"    low: ''",
	),
	want: []lineID{
		{4, "survey.format.no_high"},
		{6, "survey.format.not_text"},
		{7, "survey.format.no_low"},
	},
}, {
	name: "lengths",
	file: lines(
		"title: "+strings.Repeat("Я", maxTitle+1),
		"audience: parents",
		"questions:",
		"  - text: "+strings.Repeat("Я", maxQuestionText+1),
		"    kind: yesno",
		"    group: "+strings.Repeat("Я", maxLabel+1),
	),
	want: []lineID{
		{1, "survey.format.too_long"},
		{4, "survey.format.text_too_long"},
		{6, "survey.format.too_long"},
	},
}, {
	name: "options",
	file: lines(
		"title: Питание",
		"audience: parents",
		"questions:",
		"  - text: Вопрос?",
		"    kind: single",
		"  - text: Вопрос?",
		"    kind: multi",
		"    options: Спорт, Музыка",
		"  - text: Вопрос?",
		"    kind: multi",
		"    options: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]",
		"  - text: Вопрос?",
		"    kind: single",
		"    options:",
		"      - Спорт",
		"      - спорт",
		"      - ''",
		"      - [Музыка]",
		"      - "+strings.Repeat("Я", maxOption+1),
	),
	want: []lineID{
		{4, "survey.format.no_options"},
		{8, "survey.format.options_list"},
		{11, "survey.format.too_many_options"},
		{16, "survey.format.duplicate_option"},
		{17, "survey.format.empty_option"},
		{18, "survey.format.not_text"},
		{19, "survey.format.option_too_long"},
	},
}, {
	name: "too many questions",
	file: "title: Питание\naudience: parents\nquestions:\n" +
		strings.Repeat("  - text: Вопрос?\n    kind: yesno\n", maxQuestions+1),
	want: []lineID{{4 + 2*maxQuestions, "survey.format.too_many_questions"}},
}, {
	name: "too big",
	file: "title: Питание\nintro: " + strings.Repeat("я", maxFileSize/2),
	want: []lineID{{1, "survey.format.too_big"}},
}, {
	name: "two documents",
	file: lines(append(append([]string{"title: Питание", "audience: parents", "questions:"}, okQuestion...),
		"---", "title: Ещё опрос")...),
	want: []lineID{{9, "survey.format.extra_document"}},
}}

func TestParseTemplateErrors(t *testing.T) {
	l := newLocalizer(t)
	for _, tt := range badFiles {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, errs := ParseTemplate([]byte(tt.file))
			var got []lineID
			for _, e := range errs {
				got = append(got, lineID{e.Line, e.MsgID})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(Template{}, tmpl); diff != "" {
				t.Errorf("template with errors is not zero:\n%s", diff)
			}
			// Every message renders with the data it is given.
			for _, e := range errs {
				s := l.T("survey.format.line", "Line", e.Line, "Text", l.T(e.MsgID, e.Data...))
				if strings.Contains(s, "⟦") || strings.Contains(s, "<no value>") {
					t.Errorf("%s renders as %q", e.MsgID, s)
				}
			}
		})
	}
}

// TestErrorData checks the values quoted back to the person.
func TestErrorData(t *testing.T) {
	_, errs := ParseTemplate([]byte(lines(
		"titel: Питание",
		"audience: "+strings.Repeat("ю", 50),
		"questions:",
		"  - text: Вопрос?",
		"    kind: yesno",
		"    text: Вопрос?",
	)))
	want := []LineError{
		{Line: 1, MsgID: "survey.format.unknown_field", Data: []any{"Field", "titel", "Allowed", "title, audience, intro, questions"}},
		{Line: 1, MsgID: "survey.format.no_title"},
		{Line: 2, MsgID: "survey.format.bad_audience", Data: []any{"Value", strings.Repeat("ю", 40) + "…"}},
		{Line: 6, MsgID: "survey.format.duplicate_field", Data: []any{"Field", "text", "First", 4}},
	}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestLocaleIDs checks that every message id the parser can produce, and
// those the conversation renders around them, exist.
func TestLocaleIDs(t *testing.T) {
	l := newLocalizer(t)
	src, err := os.ReadFile("template.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`"(survey\.format\.[a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(ids) < 30 {
		t.Fatalf("found only %d message ids in template.go", len(ids))
	}
	for _, m := range ids {
		if !l.Has(m[1]) {
			t.Errorf("template.go uses %s, which locales do not have", m[1])
		}
	}
	for _, id := range []string{"survey.format.help", "survey.format.errors", "survey.format.errors_more", "survey.format.line"} {
		if !l.Has(id) {
			t.Errorf("locales have no %s", id)
		}
	}
}

func TestErrorsHeader(t *testing.T) {
	l := newLocalizer(t)
	for n, want := range map[int]string{
		1: "Нашлась 1 ошибка", 3: "Нашлись 3 ошибки", 5: "Нашлось 5 ошибок",
		11: "Нашлось 11 ошибок", 21: "Нашлась 21 ошибка", 22: "Нашлись 22 ошибки",
	} {
		if got := l.N("survey.format.errors", n); !strings.HasPrefix(got, want) {
			t.Errorf("errors header for %d = %q, want %q…", n, got, want)
		}
	}
	if got, want := l.N("survey.format.errors_more", 7), "…и ещё 7 ошибок."; got != want {
		t.Errorf("errors_more for 7 = %q, want %q", got, want)
	}
}

// TestHelp checks that the documentation of the format tells the truth:
// its example parses, it states the limits the parser applies and fits in
// one Telegram message.
func TestHelp(t *testing.T) {
	help := newLocalizer(t).T("survey.format.help")
	if n := utf8.RuneCountInString(help); n > 4096 {
		t.Errorf("help is %d characters, more than one message", n)
	}
	m := regexp.MustCompile(`(?s)<pre>(.*?)</pre>`).FindStringSubmatch(help)
	if m == nil {
		t.Fatal("help has no <pre> example")
	}
	tmpl, errs := ParseTemplate([]byte(html.UnescapeString(m[1])))
	if len(errs) > 0 {
		t.Fatalf("help example: %v", errs)
	}
	kinds := map[storage.QuestionKind]bool{}
	for _, q := range tmpl.Questions {
		kinds[q.Kind] = true
	}
	if len(kinds) < 4 {
		t.Errorf("help example shows %d kinds", len(kinds))
	}
	for _, n := range []int{maxQuestions, maxQuestionText, minOptions, maxOptions, maxOption, storage.MaxTextAnswer, maxFileSize >> 10} {
		if !strings.Contains(help, strconv.Itoa(n)) {
			t.Errorf("help does not mention the limit %d", n)
		}
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^• ([a-z]+)(?: и ([a-z]+))? — `).FindAllStringSubmatch(help, -1) {
		documented[m[1]], documented[m[2]] = true, true
	}
	for _, f := range slices.Concat(surveyFields, questionFields) {
		if !documented[f] {
			t.Errorf("help does not document the field %s", f)
		}
	}
}

func TestWords(t *testing.T) {
	for word, want := range map[string]storage.QuestionKind{
		"scale": storage.QuestionScale, "ШКАЛА": storage.QuestionScale,
		"yesno": storage.QuestionYesNo, "да/нет": storage.QuestionYesNo, "Да / Нет": storage.QuestionYesNo,
		"single": storage.QuestionSingle, "один": storage.QuestionSingle, "Один вариант": storage.QuestionSingle,
		"multi": storage.QuestionMulti, "несколько": storage.QuestionMulti,
		"text": storage.QuestionText, "текст": storage.QuestionText,
	} {
		if got := vocab.kinds[normal(word)]; got != want {
			t.Errorf("kind %q = %q, want %q", word, got, want)
		}
	}
	for word, want := range map[string]string{"parents": "parents", "Родители": "parents", "students": "students",
		"ученики": "students", "обучающиеся": "students"} {
		if got := vocab.audiences[normal(word)]; got != want {
			t.Errorf("audience %q = %q, want %q", word, got, want)
		}
	}
	for word, want := range map[string]bool{"true": true, "да": true, "false": false, "Нет": false} {
		if got, ok := vocab.yesNo[normal(word)]; !ok || got != want {
			t.Errorf("required %q = %v, %v", word, got, ok)
		}
	}
}
