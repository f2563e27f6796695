package tasks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"smkbot/locales"
	"smkbot/storage"
)

var manTestZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Barnaul")
	if err != nil {
		panic(err)
	}
	return loc
}()

// manTestNow is a weekday morning in November 2026.
var manTestNow = time.Date(2026, time.November, 20, 10, 0, 0, 0, manTestZone)

func manTestInput(t testing.TB) manImportInput {
	t.Helper()
	l, err := locales.New(manTestZone)
	if err != nil {
		t.Fatal(err)
	}
	in := manImportWords(l)
	in.People = []storage.PersonRoles{
		{Person: storage.Person{ID: 1, FullName: "Иванова Мария Петровна", Active: true}},
		{Person: storage.Person{ID: 2, FullName: "Петров Пётр Петрович", Active: true}},
		{Person: storage.Person{ID: 3, FullName: "Сидорова Анна Ивановна", Active: true}},
		{Person: storage.Person{ID: 4, FullName: "Сидорова Алла Олеговна", Active: true}},
		{Person: storage.Person{ID: 5, FullName: "Кузнецова Ольга Сергеевна", Active: true}},
		{Person: storage.Person{ID: 6, FullName: "Кузнецова Ольга Сергеевна", Active: true}},
	}
	in.Directions = []storage.Direction{{ID: 10, Name: "Кадровый ресурс"}, {ID: 11, Name: "Контроль процессов"}}
	in.Now, in.Loc = manTestNow, manTestZone
	return in
}

func manDate(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, manTestZone)
}

func TestManParseDueCell(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		hasTime bool
		bad     bool
	}{
		{in: "25.12.2026", want: manDate(2026, 12, 25, 0, 0)},
		{in: " 25.12.2026 ", want: manDate(2026, 12, 25, 0, 0)},
		{in: "25.12", want: manDate(2026, 12, 25, 0, 0)},
		{in: "25.12.2026 14:00", want: manDate(2026, 12, 25, 14, 0), hasTime: true},
		{in: "25.12.2026 в 9.30", want: manDate(2026, 12, 25, 9, 30), hasTime: true},
		{in: "2026-12-25", want: manDate(2026, 12, 25, 0, 0)},
		{in: "25 декабря 2026", want: manDate(2026, 12, 25, 0, 0)},
		// Serial dates as a date cell stores them: 46381 is 25.12.2026.
		{in: "46381", want: manDate(2026, 12, 25, 0, 0)},
		{in: "46381.583333333336", want: manDate(2026, 12, 25, 14, 0), hasTime: true},
		{in: "", bad: true},
		{in: "скоро", bad: true},
		{in: "31.02.2026", bad: true},
		{in: "25.12.2026 25:00", bad: true},
		{in: "99999999", bad: true},
		{in: "NaN", bad: true},
		{in: "-46381", bad: true},
	}
	for _, tc := range tests {
		got, hasTime, err := manParseDueCell(tc.in, manTestNow, manTestZone)
		if tc.bad {
			if err == nil {
				t.Errorf("manParseDueCell(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || hasTime != tc.hasTime || got.Location() != manTestZone {
			t.Errorf("manParseDueCell(%q) = %v %v %v, want %v %v", tc.in, got, hasTime, err, tc.want, tc.hasTime)
		}
	}
}

func TestManParseYesNo(t *testing.T) {
	in := manTestInput(t)
	tests := []struct {
		in        string
		value, ok bool
	}{
		{"да", true, true}, {"Да", true, true}, {" ДА. ", true, true}, {"+", true, true}, {"1", true, true},
		{"TRUE", true, true}, {"обязательны", true, true},
		{"нет", false, true}, {"Нет", false, true}, {"-", false, true}, {"0", false, true}, {"не обязательны", false, true},
		{"не  обязательны", false, true}, {"FALSE", false, true},
		{"может быть", false, false}, {"дда", false, false}, {"", false, false},
	}
	for _, tc := range tests {
		v, ok := manParseYesNo(tc.in, in.Yes, in.No)
		if v != tc.value || ok != tc.ok {
			t.Errorf("manParseYesNo(%q) = %v %v, want %v %v", tc.in, v, ok, tc.value, tc.ok)
		}
	}
}

func TestManFindPeople(t *testing.T) {
	in := manTestInput(t)
	tests := []struct {
		name string
		want []int64
	}{
		{"Иванова Мария Петровна", []int64{1}},
		{"иванова  мария петровна", []int64{1}},
		{"Иванова М.П.", []int64{1}},
		{"Иванова М. П.", []int64{1}},
		{"Иванова МП", []int64{1}},
		{"Иванова Мария", []int64{1}},
		{"Иванова", []int64{1}},
		{"Петров Петр Петрович", []int64{2}}, // ё typed as е
		{"Сидорова", []int64{3, 4}},
		{"Сидорова А.", []int64{3, 4}},
		{"Сидорова А.И.", []int64{3}},
		{"Кузнецова Ольга Сергеевна", []int64{5, 6}}, // two people of one name
		{"Смирнова", nil},
		{"Иванова Н.П.", nil},
		{"Мария Иванова", nil},
		{"", nil},
	}
	for _, tc := range tests {
		var got []int64
		for _, p := range manFindPeople(tc.name, in.People) {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("manFindPeople(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// manErr is an error as a test compares it: row and message id.
func manErrs(errs []manRowError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%d %s", e.Row, strings.TrimPrefix(e.MsgID, "tasks.manage.import.")))
	}
	return out
}

func TestManParseCells(t *testing.T) {
	in := manTestInput(t)
	header := []string{"№", "Направление", "Мероприятие", "Описание", "Ответственный", "Срок", "Статус", "Доказательства обязательны (да/нет)"}
	tests := []struct {
		name  string
		cells [][]string
		rows  []storage.ImportRow
		errs  []string
	}{{
		name: "good rows, columns in any order, empty rows skipped",
		cells: [][]string{
			header,
			{"1", "кадровый  ресурс", "Курсы повышения квалификации", "", "Иванова М.П.; Петров Пётр Петрович", "46381", "", "да"},
			{},
			{"", "", "", "", "", "", "", ""},
			{"2", "Работа с родителями", "Родительское собрание", "По итогам четверти", "Сидорова А.И.", "25.12.2026 14:00", "", ""},
		},
		rows: []storage.ImportRow{
			{Row: 2, Direction: "Кадровый ресурс", Title: "Курсы повышения квалификации", AssigneeIDs: []int64{1, 2},
				Due: manDate(2026, 12, 25, 0, 0), EvidenceRequired: true},
			{Row: 5, Direction: "Работа с родителями", Title: "Родительское собрание", Description: "По итогам четверти",
				AssigneeIDs: []int64{3}, Due: manDate(2026, 12, 25, 14, 0), HasTime: true},
		},
	}, {
		name: "the export's own header reads back",
		cells: [][]string{
			{"№", "Направление", "Мероприятие", "Описание", "Ответственный", "Срок", "Статус", "Доказательства"},
			{"1", "Контроль процессов", "Аудит", "", "Иванова Мария Петровна", "46381", "назначена", "не обязательны"},
		},
		rows: []storage.ImportRow{{Row: 2, Direction: "Контроль процессов", Title: "Аудит", AssigneeIDs: []int64{1}, Due: manDate(2026, 12, 25, 0, 0)}},
	}, {
		name: "every mistake by row",
		cells: [][]string{
			header,
			{"1", "", "", "", "", "", "", ""},
			{"2", "Кадровый ресурс", "x", "", "Смирнова", "вчера", "", "наверное"},
			{"3", "Кадровый ресурс", "y", "", "Сидорова", "01.01.2026", "", ""},
			{"4", "Кадровый ресурс", "z", "", "Кузнецова Ольга Сергеевна", "20.11.2026 09:00", "", ""},
			{"5", "Кадровый ресурс", "w", "", "Иванова", "1.1.2030", "", ""},
			{"6", "Кадровый ресурс", strings.Repeat("я", manMaxTitle+1), "", "Иванова", "завтра", "", ""},
		},
		errs: []string{
			"2 title_empty", "2 direction_empty", "2 assignee_empty", "2 due_empty",
			"3 assignee_unknown", "3 due_invalid", "3 evidence_invalid",
			"4 assignee_ambiguous", "4 due_past",
			"5 assignee_ambiguous", "5 due_past",
			"6 due_far",
			"7 title_long",
		},
	}, {
		name:  "missing columns",
		cells: [][]string{{"Мероприятие", "Описание"}, {"a", "b"}},
		errs:  []string{"1 no_column", "1 no_column", "1 no_column"},
	}, {
		name:  "no tasks",
		cells: [][]string{header, {}},
		errs:  []string{"0 empty"},
	}, {
		name:  "nothing at all",
		cells: nil,
		errs:  []string{"0 empty"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, errs := manParseCells(tc.cells, in)
			if diff := cmp.Diff(tc.errs, manErrs(errs)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.rows, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestManParseProgrammeWorkbook(t *testing.T) {
	in := manTestInput(t)
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, v := range []any{"Направление", "Мероприятие", "Описание", "Ответственный", "Срок", "Доказательства обязательны (да/нет)"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sheet, cell, v)
	}
	// A real date cell, in a display format that is not the Russian one.
	f.SetCellValue(sheet, "A2", "Кадровый ресурс")
	f.SetCellValue(sheet, "B2", "Курсы")
	f.SetCellValue(sheet, "D2", "Иванова М.П.")
	f.SetCellValue(sheet, "E2", time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC))
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle(sheet, "E2", "E2", style)
	f.SetCellValue(sheet, "F2", true)
	// A date typed as text, with a time.
	f.SetCellValue(sheet, "A3", "Новое направление")
	f.SetCellValue(sheet, "B3", "Собрание")
	f.SetCellValue(sheet, "D3", "Петров Пётр Петрович")
	f.SetCellValue(sheet, "E3", "25.12.2026 14:00")
	f.SetCellValue(sheet, "F3", "нет")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := manParseProgramme(buf.Bytes(), in)
	if errs != nil {
		t.Fatalf("errors: %v", manErrs(errs))
	}
	want := []storage.ImportRow{
		{Row: 2, Direction: "Кадровый ресурс", Title: "Курсы", AssigneeIDs: []int64{1}, Due: manDate(2026, 12, 25, 0, 0), EvidenceRequired: true},
		{Row: 3, Direction: "Новое направление", Title: "Собрание", AssigneeIDs: []int64{2}, Due: manDate(2026, 12, 25, 14, 0), HasTime: true},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	if _, errs := manParseProgramme([]byte("not a workbook"), in); len(errs) != 1 || errs[0].MsgID != "tasks.manage.import.not_xlsx" {
		t.Errorf("a text file: %v", manErrs(errs))
	}
}

// FuzzManParseCell feeds the cell parsers anything: they must not panic,
// and what they accept must be a date in the zone within Excel's years,
// at a whole minute, and a yes/no answer that is one of the words.
func FuzzManParseCell(f *testing.F) {
	for _, s := range []string{"25.12.2026", "25.12", "46381", "46381.5", "25.12.2026 14:00", "завтра в 9:30",
		"через 3 дня", "да", "нет", "не обязательны", "1e308", "-0", "0x1p10", "2958466", "", " ", "31.02", "29.02"} {
		f.Add(s)
	}
	in := manTestInput(f)
	f.Fuzz(func(t *testing.T, s string) {
		due, hasTime, err := manParseDueCell(s, manTestNow, manTestZone)
		if err == nil {
			if due.Location() != manTestZone || due.Year() < 1900 || due.Year() > 9999 || due.Second() != 0 || due.Nanosecond() != 0 {
				t.Fatalf("manParseDueCell(%q) = %v", s, due)
			}
			if !hasTime && (due.Hour() != 0 || due.Minute() != 0) {
				t.Fatalf("manParseDueCell(%q) = %v without a time", s, due)
			}
		}
		if v, ok := manParseYesNo(s, in.Yes, in.No); ok {
			words := in.No
			if v {
				words = in.Yes
			}
			if !slices.Contains(words, strings.TrimRight(manFold(s), ".!")) {
				t.Fatalf("manParseYesNo(%q) = %v", s, v)
			}
		} else if v {
			t.Fatalf("manParseYesNo(%q) = true, not ok", s)
		}
	})
}

// TestManLocaleIDs checks that every message id of the manager's part
// exists, the ones built from parts included.
func TestManLocaleIDs(t *testing.T) {
	l, err := locales.New(manTestZone)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	files, _ := filepath.Glob("manage*.go")
	re := regexp.MustCompile(`"(tasks\.manage\.[a-z_.]*[a-z_])"`)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			ids = append(ids, m[1])
		}
	}
	for _, s := range append(slices.Clone(manStatuses), storage.TaskCancelled) {
		ids = append(ids, "tasks.manage.status."+string(s))
	}
	for _, s := range manStatuses {
		ids = append(ids, "tasks.manage.count."+string(s))
	}
	for _, k := range manFieldKeys {
		ids = append(ids, "tasks.manage.col."+k, "tasks.manage.howto."+k, "tasks.manage.import_aliases."+k)
	}
	for _, k := range []storage.RequestKind{storage.RequestHelp, storage.RequestPostpone} {
		for _, d := range []string{manRequestApproved, manRequestRefused} {
			ids = append(ids, "tasks.manage.request_decided."+string(k)+"."+d)
		}
	}
	if len(ids) < 100 {
		t.Fatalf("only %d ids found", len(ids))
	}
	for _, id := range ids {
		if !l.Has(id) {
			t.Errorf("no message %q", id)
		}
	}
	var unused []string
	for _, id := range l.IDs() {
		if strings.HasPrefix(id, "tasks.manage.") && !slices.Contains(ids, id) {
			unused = append(unused, id)
		}
	}
	if unused != nil {
		t.Errorf("messages no code uses: %q", unused)
	}
}
