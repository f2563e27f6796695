// Package locales holds the bot's Russian messages (embedded *.ru.toml files,
// one per flow plus common.ru.toml) and the Localizer that renders them:
// template data, Russian plural forms and dates in the association's zone.
//
// Flows pass message ids and data; no user-facing text lives in Go code.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"text/template"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Localizer renders messages by id. It is safe for concurrent use.
type Localizer struct {
	loc *time.Location
	ids map[string]bool
	l   *i18n.Localizer
}

// New loads every embedded *.ru.toml file. Dates are shown in loc (UTC when
// loc is nil). It fails when a file does not parse, an id is declared twice
// (in one file or across files), a message lacks its "other" form or a
// template does not parse: all of them are mistakes best caught at start.
func New(loc *time.Location) (*Localizer, error) {
	return newFromFS(files, loc)
}

// newFromFS loads the *.ru.toml files at the root of fsys; tests use it to
// load messages of their own.
func newFromFS(fsys fs.FS, loc *time.Location) (*Localizer, error) {
	if loc == nil {
		loc = time.UTC
	}
	names, err := fs.Glob(fsys, "*.ru.toml")
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("locales: no *.ru.toml files")
	}
	bundle := i18n.NewBundle(language.Russian)
	unmarshal := map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal}
	declared := map[string]string{} // id → file, to name both files of a duplicate
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		mf, err := i18n.ParseMessageFileBytes(buf, path.Base(name), unmarshal)
		if err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
		for _, m := range mf.Messages {
			if prev, ok := declared[m.ID]; ok {
				return nil, fmt.Errorf("locales: %s: id %q already declared in %s", name, m.ID, prev)
			}
			declared[m.ID] = name
			if err := check(m); err != nil {
				return nil, fmt.Errorf("locales: %s: %w", name, err)
			}
			fillPlurals(m)
		}
		if err := bundle.AddMessages(language.Russian, mf.Messages...); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
	}
	ids := make(map[string]bool, len(declared))
	for id := range declared {
		ids[id] = true
	}
	return &Localizer{loc: loc, ids: ids, l: i18n.NewLocalizer(bundle, "ru")}, nil
}

// check refuses a message without the "other" form (go-i18n falls back to
// it) and parses every form's template now, because go-i18n would only
// parse it on first use, in front of a person.
func check(m *i18n.Message) error {
	if m.Other == "" {
		return fmt.Errorf("message %q has no \"other\" text", m.ID)
	}
	for _, src := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if _, err := template.New(m.ID).Parse(src); err != nil {
			return fmt.Errorf("message %q: %w", m.ID, err)
		}
	}
	return nil
}

// fillPlurals gives the Russian plural forms a message leaves out its
// "other" text, so N works on any message and a count never lands on a
// missing form.
func fillPlurals(m *i18n.Message) {
	for _, form := range []*string{&m.One, &m.Few, &m.Many} {
		if *form == "" {
			*form = m.Other
		}
	}
}

// missing is what a person sees in place of an unknown or broken message:
// visible enough that a test or a reader notices, harmless otherwise.
func missing(id string) string { return "⟦" + id + "⟧" }

// T renders the message id with template data given as key-value pairs:
// T("onboarding.confirm", "Name", name, "Org", org). An unknown id, a key
// that is not a string, an odd number of arguments or a failing template
// render as "⟦id⟧" rather than panic.
func (l *Localizer) T(id string, kv ...any) string {
	data, ok := dataOf(kv)
	if !ok {
		return missing(id)
	}
	return l.render(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// N renders the plural message id for the count n (one/few/many/other by
// Russian rules: 1 задача, 2 задачи, 5 задач, 21 задача, 11 задач). The
// template sees n as .Count, besides the pairs in kv.
func (l *Localizer) N(id string, n int, kv ...any) string {
	data, ok := dataOf(kv)
	if !ok {
		return missing(id)
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = n
	return l.render(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: data})
}

func (l *Localizer) render(lc *i18n.LocalizeConfig) string {
	if !l.ids[lc.MessageID] {
		return missing(lc.MessageID)
	}
	s, err := l.l.Localize(lc)
	if err != nil {
		return missing(lc.MessageID)
	}
	return s
}

// dataOf turns key-value pairs into template data; ok is false when they
// are malformed.
func dataOf(kv []any) (data map[string]any, ok bool) {
	if len(kv) == 0 {
		return nil, true
	}
	if len(kv)%2 != 0 {
		return nil, false
	}
	data = make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, false
		}
		data[k] = kv[i+1]
	}
	return data, true
}

// Has reports whether the message id exists.
func (l *Localizer) Has(id string) bool { return l.ids[id] }

// IDs returns every message id, sorted.
func (l *Localizer) IDs() []string {
	ids := make([]string, 0, len(l.ids))
	for id := range l.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Location is the time zone dates are shown in.
func (l *Localizer) Location() *time.Location { return l.loc }

// Date shows t as "25 декабря 2026" in the Localizer's zone.
func (l *Localizer) Date(t time.Time) string {
	t = t.In(l.loc)
	return l.DayMonth(t) + " " + strconv.Itoa(t.Year())
}

// DateTime shows t as "25 декабря 2026, 14:00" in the Localizer's zone.
func (l *Localizer) DateTime(t time.Time) string {
	t = t.In(l.loc)
	return l.Date(t) + ", " + t.Format("15:04")
}

// DayMonth shows t as "25 декабря" in the Localizer's zone.
func (l *Localizer) DayMonth(t time.Time) string {
	t = t.In(l.loc)
	return strconv.Itoa(t.Day()) + " " + l.T("month."+strconv.Itoa(int(t.Month())))
}

// Weekday names the day of t ("пятница") in the Localizer's zone.
func (l *Localizer) Weekday(t time.Time) string {
	return l.T("weekday." + strconv.Itoa(int(t.In(l.loc).Weekday())))
}
