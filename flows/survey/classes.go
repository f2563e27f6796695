package survey

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"smkbot/storage"
)

// Limits of the classes list a quality manager types when creating a
// survey. A class name is what a parents' chat calls the class ("5А",
// "11 Б (профиль)"); a headcount over 2000 is a typo, not a class; forty
// classes is a whole large school, and more would flood the chat with links
// and QR codes when the survey is published.
const (
	MaxClasses       = 40
	maxClassName     = 20
	maxHeadcount     = 2000
	maxClassesInput  = 4096 // a Telegram message is at most this long
	maxHeadcountSize = 6    // digits: more is not a number of pupils
)

// ClassError is a problem with one item of a classes list: the item as
// the person typed it (trimmed, "" when the problem is the list as a
// whole) and a locale message id with its template data as key-value
// pairs. Every message names the item itself, so a list of them reads on
// its own.
type ClassError struct {
	Item  string
	MsgID string
	Data  []any
}

// ParseClasses reads the classes a survey covers with their headcounts, as
// a person types them on a phone: "5А:27, 5Б:25", "5 А - 27", one per line,
// or separated by semicolons. A class is a name, a separator (":", a dash,
// "=" or spaces) and the number of pupils. Names are tidied: spaces
// collapsed, a space between the number and the letter dropped and that
// letter made a capital ("5 а" is "5А"), so the links and charts read the
// same whichever way it was typed.
//
// It returns either the classes in the order given (Name and Headcount set)
// and no errors, or no classes and every problem found, in the order of
// the items: a name of more than 20 characters or with characters a class
// name does not have, a headcount outside 1–2000, a class given twice
// (case and spaces ignored), an empty list or more than 40 classes.
func ParseClasses(s string) ([]storage.SurveyClass, []ClassError) {
	if len(s) > maxClassesInput {
		return nil, []ClassError{{MsgID: "survey.author.classes.too_long", Data: []any{"Max", maxClassesInput}}}
	}
	// Telegram sends valid UTF-8; anything else is shown back readable.
	s = strings.ToValidUTF8(s, "\uFFFD")
	items := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
	var (
		classes []storage.SurveyClass
		errs    []ClassError
		seen    = map[string]string{} // normal name → the item that named it first
		count   int
	)
	for _, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		count++
		c, e := parseClass(item)
		if e != nil {
			errs = append(errs, *e)
			continue
		}
		key := normal(c.Name)
		if first, dup := seen[key]; dup {
			errs = append(errs, ClassError{Item: item, MsgID: "survey.author.classes.duplicate",
				Data: []any{"Item", clip(item), "First", clip(first)}})
			continue
		}
		seen[key] = item
		classes = append(classes, c)
	}
	switch {
	case count == 0:
		errs = append(errs, ClassError{MsgID: "survey.author.classes.empty"})
	case count > MaxClasses:
		errs = append(errs, ClassError{MsgID: "survey.author.classes.too_many",
			Data: []any{"Count", count, "Max", MaxClasses}})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return classes, nil
}

// parseClass reads one item: the headcount is the run of digits at its
// end, the name what stands before the separator.
func parseClass(item string) (storage.SurveyClass, *ClassError) {
	bad := func(id string, kv ...any) *ClassError {
		return &ClassError{Item: item, MsgID: id, Data: append([]any{"Item", clip(item)}, kv...)}
	}
	digits := len(item) - len(strings.TrimRightFunc(item, isDigit))
	if digits == 0 {
		return storage.SurveyClass{}, bad("survey.author.classes.no_count")
	}
	number := item[len(item)-digits:]
	head := item[:len(item)-digits]
	name := strings.TrimRightFunc(head, isClassSeparator)
	switch {
	case strings.TrimSpace(name) == "":
		return storage.SurveyClass{}, bad("survey.author.classes.no_name")
	case len(name) == len(head):
		// "5А27": without a separator the name's digits and the count's
		// cannot be told apart.
		return storage.SurveyClass{}, bad("survey.author.classes.no_separator")
	}
	n, err := strconv.Atoi(number)
	if digits > maxHeadcountSize || err != nil || n < 1 || n > maxHeadcount {
		return storage.SurveyClass{}, bad("survey.author.classes.bad_count", "Max", maxHeadcount)
	}
	name = tidyClassName(name)
	for _, r := range name {
		if !classNameRune(r) {
			return storage.SurveyClass{}, bad("survey.author.classes.bad_name")
		}
	}
	if l := utf8.RuneCountInString(name); l > maxClassName {
		return storage.SurveyClass{}, bad("survey.author.classes.name_too_long", "Max", maxClassName, "Len", l)
	}
	return storage.SurveyClass{Name: name, Headcount: n}, nil
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// isClassSeparator reports whether r may stand between a class name and
// its headcount: what phones offer for "5А: 27", "5А - 27", "5А — 27".
func isClassSeparator(r rune) bool {
	switch r {
	case ':', '-', '–', '—', '=':
		return true
	}
	return unicode.IsSpace(r)
}

// classNameRune reports whether r may appear in a class name: letters,
// digits, spaces and the punctuation of names like "11 Б (проф.)" or
// "1-4 «Радуга»". Separators of the list and emoji are refused, so a name
// always reads back as it was typed.
func classNameRune(r rune) bool {
	if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' {
		return true
	}
	return strings.ContainsRune(`-.()/№«»"'`, r)
}

// tidyClassName collapses spaces and joins a leading number with a single
// letter after it, capitalised: "5 а" and "5а" are both "5А", while
// "Подготовительная группа" keeps its space.
func tidyClassName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	num, rest, ok := strings.Cut(s, " ")
	if !ok {
		num, rest = leadingDigits(s)
	}
	if num == "" || strings.TrimFunc(num, isDigit) != "" || utf8.RuneCountInString(rest) != 1 {
		return s
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if !unicode.IsLetter(r) {
		return s
	}
	return num + string(unicode.ToUpper(r))
}

// leadingDigits splits s after its leading run of ASCII digits.
func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && isDigit(rune(s[i])) {
		i++
	}
	return s[:i], s[i:]
}

// FormatClasses writes classes the way ParseClasses reads them, to show a
// person what was understood: "5А: 27, 5Б: 25".
func FormatClasses(classes []storage.SurveyClass) string {
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = c.Name + ": " + strconv.Itoa(c.Headcount)
	}
	return strings.Join(parts, ", ")
}
