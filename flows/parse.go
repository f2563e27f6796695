package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// InputError is an invalid-input error carrying a locale message id: the
// router shows the message (rendered with Data as key-value pairs) and keeps
// the person on the same step.
type InputError struct {
	MsgID string
	Data  []any
}

func (e *InputError) Error() string { return "flows: invalid input: " + e.MsgID }

// Invalid returns an *InputError with the message id and its template data
// as key-value pairs, as for locales.Localizer.T.
func Invalid(msgID string, kv ...any) error { return &InputError{MsgID: msgID, Data: kv} }

// The vocabulary the date parser understands. These are words people type,
// not text the bot shows, so they live here and not in locales/.
var (
	// dayWords are dates named relative to today.
	dayWords = map[string]int{"сегодня": 0, "завтра": 1, "послезавтра": 2}
	// inWord starts a relative date: "через 3 дня".
	inWord = "через"
	// dateUnits are the units after "через", in every form a person may
	// type, as a number of days or months.
	dateUnits = map[string]struct{ days, months int }{
		"день": {days: 1}, "дня": {days: 1}, "дней": {days: 1}, "сутки": {days: 1},
		"неделю": {days: 7}, "недели": {days: 7}, "недель": {days: 7},
		"месяц": {months: 1}, "месяца": {months: 1}, "месяцев": {months: 1},
	}
	// monthWords are month names and common abbreviations, as in
	// "25 декабря" or "1 сент 2026".
	monthWords = map[string]time.Month{
		"января": 1, "янв": 1, "февраля": 2, "фев": 2, "февр": 2, "марта": 3, "мар": 3,
		"апреля": 4, "апр": 4, "мая": 5, "май": 5, "июня": 6, "июн": 6, "июля": 7, "июл": 7,
		"августа": 8, "авг": 8, "сентября": 9, "сен": 9, "сент": 9, "октября": 10, "окт": 10,
		"ноября": 11, "ноя": 11, "нояб": 11, "декабря": 12, "дек": 12,
	}
)

// Limits of what the date parser accepts: longer input is not a date, and a
// relative date further than maxRelative units ahead is a typo.
const (
	maxDateInput = 64
	maxRelative  = 999
	minYear      = 1900
	maxYear      = 2199
)

// errDate is the internal failure of the date helpers; ParseDate turns it
// into a fresh *InputError, so no caller can change a shared value.
var errDate = errors.New("flows: not a date")

// ParseDate reads a date typed by a person, relative to now in loc:
// "25.12", "25.12.2026", "25.12.26", "25/12", "2026-12-25", "25 декабря",
// "25 дек 2026", "сегодня", "завтра", "послезавтра", "через 3 дня",
// "через неделю", "через 2 недели", "через месяц". Case, repeated spaces and
// ё/е do not matter. It returns the date at 00:00 in loc.
//
// A date without a year is the next such date that is not in the past, today
// included ("29.02" is the next 29 February); a trailing dot ("25.12.") is
// allowed. A date with a year is returned
// as is, even in the past: whether a past date is allowed is the caller's
// decision (input.date_past). "Через N" needs N from 1 to 999 ("через 0 дней"
// is refused: a person means "сегодня" and should say it); "через месяц"
// from 31 January gives the last day of February. Two-digit years are
// 2000–2099; four-digit years 1900–2199.
//
// Errors are *InputError{MsgID: "input.date_invalid"}.
func ParseDate(s string, now time.Time, loc *time.Location) (time.Time, error) {
	t, err := parseDate(s, now, loc)
	if err != nil {
		return time.Time{}, &InputError{MsgID: "input.date_invalid"}
	}
	return t, nil
}

func parseDate(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > maxDateInput {
		return time.Time{}, errDate
	}
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	words := dateTokens(s)
	if words == nil {
		return time.Time{}, errDate
	}
	if dateHasLetters(words) {
		return parseWordDate(words, today)
	}
	return parseNumericDate(strings.Join(words, ""), today)
}

// dateTokens splits s into runs of letters, runs of digits and single
// separators, dropping spaces, so "через3дня" reads as "через 3 дня". It
// returns nil for characters no date contains.
func dateTokens(s string) []string {
	var toks []string
	kind := func(r rune) int {
		switch {
		case unicode.IsLetter(r):
			return 1
		case r >= '0' && r <= '9':
			return 2
		case r == '.' || r == '/' || r == '-':
			return 3
		case unicode.IsSpace(r):
			return 0
		}
		return -1
	}
	prev := 0
	for _, r := range s {
		k := kind(r)
		switch {
		case k < 0:
			return nil
		case k == 0:
			prev = 0
			continue
		case k == prev && k != 3:
			toks[len(toks)-1] += string(r)
		default:
			toks = append(toks, string(r))
		}
		prev = k
	}
	if len(toks) == 0 {
		return nil
	}
	return toks
}

func dateHasLetters(toks []string) bool {
	for _, t := range toks {
		r, _ := utf8.DecodeRuneInString(t)
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// parseWordDate reads "завтра", "через 3 дня" and "25 декабря [2026]".
func parseWordDate(w []string, today time.Time) (time.Time, error) {
	if len(w) == 1 {
		if n, ok := dayWords[w[0]]; ok {
			return today.AddDate(0, 0, n), nil
		}
	}
	if w[0] == inWord && (len(w) == 2 || len(w) == 3) {
		n, unit := 1, w[1]
		if len(w) == 3 {
			var err error
			if n, err = dateNumber(w[1], maxRelative); err != nil {
				return time.Time{}, errDate
			}
			unit = w[2]
		}
		u, ok := dateUnits[unit]
		if !ok {
			return time.Time{}, errDate
		}
		if u.months > 0 {
			return addMonths(today, n*u.months), nil
		}
		return today.AddDate(0, 0, n*u.days), nil
	}
	if len(w) == 2 || len(w) == 3 {
		m, ok := monthWords[w[1]]
		if !ok {
			return time.Time{}, errDate
		}
		year := ""
		if len(w) == 3 {
			year = w[2]
		}
		return dayMonthYear(w[0], int(m), year, today)
	}
	return time.Time{}, errDate
}

// parseNumericDate reads "25.12", "25/12/2026", "25.12.26" and "2026-12-25"
// (spaces already removed).
func parseNumericDate(s string, today time.Time) (time.Time, error) {
	if parts := strings.Split(s, "-"); len(parts) == 3 && len(parts[0]) == 4 {
		m, err := dateNumber2(parts[1])
		if err != nil {
			return time.Time{}, errDate
		}
		return dayMonthYear(parts[2], m, parts[0], today)
	}
	sep := "."
	if strings.Contains(s, "/") {
		sep = "/"
	}
	parts := strings.Split(s, sep)
	if len(parts) != 2 && len(parts) != 3 {
		return time.Time{}, errDate
	}
	m, err := dateNumber2(parts[1])
	if err != nil {
		return time.Time{}, errDate
	}
	year := ""
	if len(parts) == 3 {
		year = parts[2]
	}
	return dayMonthYear(parts[0], m, year, today)
}

// dayMonthYear checks a day (one or two digits), a month and a year of two
// or four digits, or none: then the next such date from today on.
func dayMonthYear(day string, month int, year string, today time.Time) (time.Time, error) {
	d, err := dateNumber2(day)
	if err != nil || month > 12 {
		return time.Time{}, errDate
	}
	if year == "" {
		// A date that does not exist this year (29.02) may exist in one of
		// the next few.
		for y := today.Year(); y <= today.Year()+8; y++ {
			t, ok := validDate(y, month, d, today.Location())
			if ok && !t.Before(today) {
				return t, nil
			}
		}
		return time.Time{}, errDate
	}
	y, err := strconv.Atoi(year)
	if err != nil || !digitsOnly(year) {
		return time.Time{}, errDate
	}
	switch len(year) {
	case 2:
		y += 2000
	case 4:
		if y < minYear || y > maxYear {
			return time.Time{}, errDate
		}
	default:
		return time.Time{}, errDate
	}
	t, ok := validDate(y, month, d, today.Location())
	if !ok {
		return time.Time{}, errDate
	}
	return t, nil
}

// validDate builds the date and reports whether it exists: time.Date would
// quietly turn 31.02 into 3 March.
func validDate(y, m, d int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	return t, t.Year() == y && int(t.Month()) == m && t.Day() == d
}

// addMonths moves t by n months, keeping the day when it exists and taking
// the month's last day otherwise (31 January + 1 month = 28 or 29 February).
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}

// dateNumber2 reads a number of one or two digits, at least 1.
func dateNumber2(s string) (int, error) {
	if len(s) > 2 {
		return 0, errDate
	}
	return dateNumber(s, 99)
}

// dateNumber reads a number of digits only, from 1 to hi.
func dateNumber(s string, hi int) (int, error) {
	if !digitsOnly(s) || len(s) > 9 {
		return 0, errDate
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > hi {
		return 0, errDate
	}
	return n, nil
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseTime reads a time of day: "14:00", "14.00", "9:30", " 9 : 30 ".
// Hours are 0–23 in one or two digits, minutes 00–59 in two. Errors are
// *InputError{MsgID: "input.time_invalid"}.
func ParseTime(s string) (h, m int, err error) {
	bad := &InputError{MsgID: "input.time_invalid"}
	s = strings.Join(strings.Fields(s), "")
	hs, ms, ok := strings.Cut(s, ":")
	if !ok {
		hs, ms, ok = strings.Cut(s, ".")
	}
	if !ok || !digitsOnly(hs) || len(hs) > 2 || !digitsOnly(ms) || len(ms) != 2 {
		return 0, 0, bad
	}
	h, _ = strconv.Atoi(hs)
	m, _ = strconv.Atoi(ms)
	if h > 23 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

// Limits of a full name.
const (
	maxNameRunes = 100
	minNameWords = 2
	maxNameWords = 4
)

// hyphens that phones put in place of "-" as people type.
var nameHyphens = strings.NewReplacer("\u2010", "-", "\u2011", "-")

// ParseFullName validates a person's full name and returns it tidied: 2–4
// words of letters, Cyrillic or Latin (not both in one word: a Latin "о" in
// a Cyrillic name is a wrong keyboard layout), with inner hyphens
// ("Петрова-Водкина Анна Сергеевна"), at most 100 letters and spaces. Spaces
// are collapsed and each part starts with a capital; a part whose letters
// after the first are all capitals ("ИВАНОВА", "иВАНОВА" typed with Caps
// Lock) keeps only its first one. Errors are
// *InputError{MsgID: "input.name_invalid"}.
func ParseFullName(s string) (string, error) {
	bad := &InputError{MsgID: "input.name_invalid"}
	if len(s) > 4*maxNameRunes*utf8.UTFMax {
		// Far too long to be a name even with spaces to collapse; no need
		// to normalise a pasted page.
		return "", bad
	}
	words := strings.Fields(nameHyphens.Replace(norm.NFC.String(s)))
	if len(words) < minNameWords || len(words) > maxNameWords {
		return "", bad
	}
	for i, w := range words {
		var parts []string
		for _, p := range strings.Split(w, "-") {
			p, ok := namePart(p)
			if !ok {
				return "", bad
			}
			parts = append(parts, p)
		}
		words[i] = strings.Join(parts, "-")
	}
	name := strings.Join(words, " ")
	if utf8.RuneCountInString(name) > maxNameRunes {
		return "", bad
	}
	return name, nil
}

// namePart checks one hyphen-separated part of a name and capitalises it.
func namePart(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	var cyr, lat, lower bool
	for i, r := range p {
		switch {
		case !unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt):
			return "", false
		case unicode.Is(unicode.Cyrillic, r):
			cyr = true
		case unicode.Is(unicode.Latin, r):
			lat = true
		default:
			return "", false
		}
		// Only the letters after the first say whether the part was typed
		// in capitals, so that the result reads the same when parsed again.
		lower = lower || i > 0 && unicode.IsLower(r)
	}
	if cyr && lat {
		return "", false
	}
	rs := []rune(p)
	rs[0] = unicode.ToUpper(rs[0])
	if !lower {
		for i := 1; i < len(rs); i++ {
			rs[i] = unicode.ToLower(rs[i])
		}
	}
	return string(rs), true
}

// CallbackData is the data of an inline button: "<flow>:<action>:<arg>",
// at most 64 bytes (Telegram's limit). Flow is 1–12 of a–z, Action 1–24 of
// a–z, 0–9 and "_", Arg 0–40 of A–Z, a–z, 0–9, "_", "." and "-" (ids, or
// several ids joined by dots: see ArgInts).
type CallbackData struct{ Flow, Action, Arg string }

// Limits of callback data.
const (
	maxCallback = 64
	maxFlow     = 12
	maxAction   = 24
	maxArg      = 40
)

// errCallback is returned for callback data that is not of our making: a
// button from an old version of the bot, or a forged one.
var errCallback = errors.New("flows: malformed callback data")

// ParseCallback reads callback data strictly: exactly three fields joined by
// ":", each within its alphabet and length; anything else is an error.
func ParseCallback(s string) (CallbackData, error) {
	if len(s) > maxCallback {
		return CallbackData{}, errCallback
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return CallbackData{}, errCallback
	}
	c := CallbackData{Flow: parts[0], Action: parts[1], Arg: parts[2]}
	if !c.valid() {
		return CallbackData{}, errCallback
	}
	return c, nil
}

func (c CallbackData) valid() bool {
	return cbWithin(c.Flow, 1, maxFlow, func(b byte) bool { return 'a' <= b && b <= 'z' }) &&
		cbWithin(c.Action, 1, maxAction, func(b byte) bool {
			return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_'
		}) &&
		cbWithin(c.Arg, 0, maxArg, func(b byte) bool {
			return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
				b == '_' || b == '.' || b == '-'
		}) &&
		len(c.String()) <= maxCallback
}

// cbWithin reports whether s has from lo to hi bytes, all allowed by ok.
func cbWithin(s string, lo, hi int, ok func(byte) bool) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// String is the data as sent to Telegram. The Arg field is always present,
// empty or not, so that ParseCallback(c.String()) == c.
func (c CallbackData) String() string { return c.Flow + ":" + c.Action + ":" + c.Arg }

// CB builds callback data for a button: CB("tasks", "done", 42) is
// "tasks:done:42"; a nil arg is "". It panics when the result is not valid
// callback data, because that is a programming error a test should catch,
// not something a person could cause.
func CB(flow, action string, arg any) string {
	a := ""
	if arg != nil {
		a = fmt.Sprint(arg)
	}
	c := CallbackData{Flow: flow, Action: action, Arg: a}
	if !c.valid() {
		panic(fmt.Sprintf("flows: invalid callback data %q", c.String()))
	}
	return c.String()
}

// ArgInts reads a callback argument of ids or indexes (0 allowed) joined by dots:
// "12.5.3" is [12 5 3]. It is strict: digits only, no sign, no leading
// zero, no empty field, each at most math.MaxInt64.
func ArgInts(arg string) ([]int64, error) {
	if arg == "" {
		return nil, errCallback
	}
	fields := strings.Split(arg, ".")
	ids := make([]int64, 0, len(fields))
	for _, f := range fields {
		if !digitsOnly(f) || (f[0] == '0' && len(f) > 1) {
			return nil, errCallback
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, errCallback
		}
		ids = append(ids, n)
	}
	return ids, nil
}

// DateKey is the yyyymmdd form of a date (20261225), short enough for
// callback data and the session.
func DateKey(d time.Time) int64 {
	return int64(d.Year())*10000 + int64(d.Month())*100 + int64(d.Day())
}

// KeyDate is the date of a DateKey at 00:00 in loc; ok is false for a
// number that names no date of the years 1900–2199 (a forged button).
func KeyDate(n int64, loc *time.Location) (_ time.Time, ok bool) {
	y, m, d := int(n/10000), time.Month(n/100%100), int(n%100)
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if n < 19000101 || n > 21991231 || t.Year() != y || t.Month() != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}
