package locales

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	_ "time/tzdata" // the zone database, as the binary embeds it

	"github.com/BurntSushi/toml"
)

func newTest(t *testing.T) *Localizer {
	t.Helper()
	l, err := New(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestFiles checks every embedded file on its own, so a broken file is
// named even when New fails on another.
func TestFiles(t *testing.T) {
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".ru.toml") {
			t.Errorf("%s: only *.ru.toml files are loaded", name)
		}
		buf, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := toml.Unmarshal(buf, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEveryMessageRenders(t *testing.T) {
	l := newTest(t)
	if len(l.IDs()) == 0 {
		t.Fatal("no messages")
	}
	for _, id := range l.IDs() {
		if got := l.T(id); got == "" || strings.Contains(got, "⟦") {
			t.Errorf("T(%q) = %q", id, got)
		}
		if got := l.N(id, 5); got == "" || strings.Contains(got, "⟦") {
			t.Errorf("N(%q, 5) = %q", id, got)
		}
	}
}

func TestCommonIDs(t *testing.T) {
	l := newTest(t)
	ids := []string{
		"common.error", "common.panic", "common.session_lost", "common.stale_button",
		"common.forbidden", "common.unknown", "common.cancelled", "common.nothing_to_cancel",
		"common.btn.yes", "common.btn.no", "common.btn.confirm", "common.btn.edit", "common.btn.cancel",
		"common.btn.back", "common.btn.next", "common.btn.prev", "common.page",
		"input.date_invalid", "input.date_past", "input.name_invalid", "input.time_invalid",
	}
	for i := 1; i <= 12; i++ {
		ids = append(ids, "month."+strconv.Itoa(i))
	}
	for i := 0; i <= 6; i++ {
		ids = append(ids, "weekday."+strconv.Itoa(i))
	}
	for _, id := range ids {
		if !l.Has(id) {
			t.Errorf("missing %q", id)
		}
	}
}

func TestT(t *testing.T) {
	l := newTest(t)
	tests := []struct {
		id   string
		kv   []any
		want string
	}{
		{"common.error", []any{"Ref", "A1B2"}, "Что-то пошло не так. Мы уже разбираемся. Код ошибки: A1B2"},
		{"common.page", []any{"Page", 2, "Pages", 5}, "Стр. 2 из 5"},
		{"common.stale_button", nil, "Эта кнопка устарела."},
		{"no.such.id", nil, "⟦no.such.id⟧"},
		{"common.page", []any{"Page"}, "⟦common.page⟧"}, // odd pairs
		{"common.page", []any{1, 2}, "⟦common.page⟧"},   // key not a string
		{"no.such.id", []any{"A", 1}, "⟦no.such.id⟧"},   // with data
	}
	for _, tt := range tests {
		if got := l.T(tt.id, tt.kv...); got != tt.want {
			t.Errorf("T(%q, %v) = %q, want %q", tt.id, tt.kv, got, tt.want)
		}
	}
	if got := l.N("no.such.id", 3); got != "⟦no.such.id⟧" {
		t.Errorf("N(missing) = %q", got)
	}
}

// testFS is the embedded files plus a test-only plural message.
func testFS(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	names, _ := fs.Glob(files, "*.toml")
	for _, name := range names {
		buf, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: buf}
	}
	for name, s := range extra {
		m[name] = &fstest.MapFile{Data: []byte(s)}
	}
	return m
}

func TestPlural(t *testing.T) {
	l, err := newFromFS(testFS(t, map[string]string{"zz_test.ru.toml": `
[test.tasks]
one = "{{.Count}} задача"
few = "{{.Count}} задачи"
many = "{{.Count}} задач"
other = "{{.Count}} задачи"

[test.tasks_of]
one = "{{.Count}} задача у {{.Name}}"
few = "{{.Count}} задачи у {{.Name}}"
many = "{{.Count}} задач у {{.Name}}"
other = "{{.Count}} задачи у {{.Name}}"
`}), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		n    int
		want string
	}{
		{0, "0 задач"},
		{1, "1 задача"},
		{2, "2 задачи"},
		{4, "4 задачи"},
		{5, "5 задач"},
		{11, "11 задач"},
		{12, "12 задач"},
		{14, "14 задач"},
		{21, "21 задача"},
		{22, "22 задачи"},
		{25, "25 задач"},
		{101, "101 задача"},
		{111, "111 задач"},
	}
	for _, tt := range tests {
		if got := l.N("test.tasks", tt.n); got != tt.want {
			t.Errorf("N(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got, want := l.N("test.tasks_of", 3, "Name", "Ивановой"), "3 задачи у Ивановой"; got != want {
		t.Errorf("N with data = %q, want %q", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"duplicate across files", map[string]string{"zz.ru.toml": `"common.error" = "ещё раз"`}},
		{"duplicate in a file", map[string]string{"zz.ru.toml": "\"a.b\" = \"1\"\n\"a.b\" = \"2\"\n"}},
		{"bad template", map[string]string{"zz.ru.toml": `"zz.bad" = "Привет, {{.Name"`}},
		{"bad plural template", map[string]string{"zz.ru.toml": "[zz.bad]\none = \"{{if}}\"\nother = \"x\"\n"}},
		{"no other form", map[string]string{"zz.ru.toml": "[zz.bad]\none = \"одна\"\nfew = \"две\"\n"}},
		{"bad toml", map[string]string{"zz.ru.toml": `"zz.bad" = `}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newFromFS(testFS(t, tt.files), time.UTC); err == nil {
				t.Error("loaded without error")
			}
		})
	}
	if _, err := newFromFS(fstest.MapFS{}, time.UTC); err == nil {
		t.Error("no files: loaded without error")
	}
}

func TestDates(t *testing.T) {
	barnaul, err := time.LoadLocation("Asia/Barnaul")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(barnaul)
	if err != nil {
		t.Fatal(err)
	}
	if l.Location() != barnaul {
		t.Errorf("Location() = %v", l.Location())
	}
	// 07:00 UTC on Christmas Day is 14:00 in Barnaul (UTC+7).
	at := time.Date(2026, 12, 25, 7, 0, 0, 0, time.UTC)
	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("Date", l.Date(at), "25 декабря 2026")
	check("DateTime", l.DateTime(at), "25 декабря 2026, 14:00")
	check("DayMonth", l.DayMonth(at), "25 декабря")
	check("Weekday", l.Weekday(at), "пятница")

	// 20:00 UTC on 31 December is already New Year's Day in Barnaul.
	ny := time.Date(2026, 12, 31, 20, 5, 0, 0, time.UTC)
	check("Date across the year", l.DateTime(ny), "1 января 2027, 03:05")
	check("Weekday across the year", l.Weekday(ny), "пятница")

	sun := time.Date(2026, 3, 1, 12, 0, 0, 0, barnaul)
	check("Sunday", l.Weekday(sun), "воскресенье")
	check("March", l.DayMonth(sun), "1 марта")

	utc, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	check("nil location", utc.DateTime(at), "25 декабря 2026, 07:00")
}
