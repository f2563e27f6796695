package tasks

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"smkbot/flows"
	"smkbot/locales"
	"smkbot/storage"
)

// A programme workbook: the first sheet, a header row naming the columns
// (in any order, matched by the start of their names, so the bot's own
// export reads back), then a task a row. Empty rows are skipped.

// manField is a column of a programme workbook.
type manField int

const (
	manColDirection manField = iota
	manColTitle
	manColDescription
	manColAssignee
	manColDue
	manColEvidence
	manFields
)

// manFieldKeys name the fields in the locale: the template's header
// ("tasks.manage.col.<key>") and the header beginnings an import accepts
// ("tasks.manage.import_aliases.<key>").
var manFieldKeys = [manFields]string{"direction", "title", "description", "assignee", "due", "evidence"}

// manRequired are the columns an import cannot do without.
var manRequired = []manField{manColDirection, manColTitle, manColAssignee, manColDue}

// Limits of an import: a year's programme is tens of tasks, a few hundred
// at most; a file beyond these is not a programme.
const (
	manMaxFile        = 5 << 20
	manMaxRows        = 1000
	manMaxImportShown = 20
	manMaxDescription = 2000
	manMaxDirection   = 200
	// manUnzipLimit bounds what a small file may unpack to: a zip bomb is
	// refused before it fills the memory.
	manUnzipLimit = 64 << 20
)

// manRowError is a mistake in a row of an imported workbook.
type manRowError struct {
	Row   int
	MsgID string
	Data  []any
}

// manImportInput is what reading a workbook needs besides its bytes: the
// words of the locale, the people a task may go to, the directions that
// exist, and the clock.
type manImportInput struct {
	// Aliases are, per field, the folded beginnings of a header naming it.
	Aliases [manFields][]string
	// Headers are the template's header texts, for error messages.
	Headers [manFields]string
	// Yes and No are the folded words of a yes/no cell.
	Yes, No    []string
	People     []storage.PersonRoles
	Directions []storage.Direction
	Now        time.Time
	Loc        *time.Location
}

// manImportWords reads the vocabulary of an import from the locale.
func manImportWords(l *locales.Localizer) (in manImportInput) {
	split := func(id string) []string {
		var out []string
		for _, w := range strings.Split(l.T(id), "|") {
			if w = manFold(w); w != "" {
				out = append(out, w)
			}
		}
		return out
	}
	for f, key := range manFieldKeys {
		in.Aliases[f] = split("tasks.manage.import_aliases." + key)
		in.Headers[f] = l.T("tasks.manage.col." + key)
	}
	in.Yes, in.No = split("tasks.manage.import_yes"), split("tasks.manage.import_no")
	return in
}

// manParseProgramme reads a programme workbook into rows for
// ImportProgramme, checking every row. Any error means nothing should be
// imported: the rows are returned only when errs is empty. Errors name the
// spreadsheet row (the header is row 1).
func manParseProgramme(data []byte, in manImportInput) (rows []storage.ImportRow, errs []manRowError) {
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: manUnzipLimit, UnzipXMLSizeLimit: manUnzipLimit})
	if err != nil {
		return nil, []manRowError{{Row: 0, MsgID: "tasks.manage.import.not_xlsx"}}
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return nil, []manRowError{{Row: 0, MsgID: "tasks.manage.import.not_xlsx"}}
	}
	// Raw values: a date cell reads as its serial number whatever its
	// display format, and is turned into a date here.
	cells, err := wb.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, []manRowError{{Row: 0, MsgID: "tasks.manage.import.not_xlsx"}}
	}
	return manParseCells(cells, in)
}

// manParseCells checks the cells of a sheet: the header row, then the
// tasks.
func manParseCells(cells [][]string, in manImportInput) (rows []storage.ImportRow, errs []manRowError) {
	if len(cells) == 0 {
		return nil, []manRowError{{Row: 0, MsgID: "tasks.manage.import.empty"}}
	}
	var col [manFields]int
	for f := range col {
		col[f] = -1
	}
	for i, h := range cells[0] {
		h = manFold(h)
		for f := range manFields {
			if col[f] < 0 && slices.ContainsFunc(in.Aliases[f], func(a string) bool { return strings.HasPrefix(h, a) }) {
				col[f] = i
				break
			}
		}
	}
	for _, f := range manRequired {
		if col[f] < 0 {
			errs = append(errs, manRowError{Row: 1, MsgID: "tasks.manage.import.no_column", Data: []any{"Name", in.Headers[f]}})
		}
	}
	if errs != nil {
		return nil, errs
	}
	cell := func(row []string, f manField) string {
		if i := col[f]; i >= 0 && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	data := 0
	for i, row := range cells[1:] {
		n := i + 2
		if !slices.ContainsFunc(row, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue
		}
		if data++; data > manMaxRows {
			errs = append(errs, manRowError{Row: n, MsgID: "tasks.manage.import.too_many", Data: []any{"Max", manMaxRows}})
			break
		}
		r, rowErrs := manParseRow(n, func(f manField) string { return cell(row, f) }, in)
		errs = append(errs, rowErrs...)
		rows = append(rows, r)
	}
	if errs != nil {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, []manRowError{{Row: 0, MsgID: "tasks.manage.import.empty"}}
	}
	return rows, nil
}

// manParseRow checks one task row; every mistake in it is reported.
func manParseRow(n int, cell func(manField) string, in manImportInput) (storage.ImportRow, []manRowError) {
	var errs []manRowError
	bad := func(id string, kv ...any) { errs = append(errs, manRowError{Row: n, MsgID: id, Data: kv}) }
	r := storage.ImportRow{Row: n}

	r.Title = strings.Join(strings.Fields(cell(manColTitle)), " ")
	switch {
	case r.Title == "":
		bad("tasks.manage.import.title_empty")
	case utf8.RuneCountInString(r.Title) > manMaxTitle:
		bad("tasks.manage.import.title_long", "Max", manMaxTitle)
	}

	r.Direction = strings.Join(strings.Fields(cell(manColDirection)), " ")
	switch {
	case r.Direction == "":
		bad("tasks.manage.import.direction_empty")
	case utf8.RuneCountInString(r.Direction) > manMaxDirection:
		bad("tasks.manage.import.direction_long", "Max", manMaxDirection)
	default:
		// An existing direction written another way ("Кадровый  ресурс")
		// is that direction, not a new one.
		for _, d := range in.Directions {
			if manFold(d.Name) == manFold(r.Direction) {
				r.Direction = d.Name
				break
			}
		}
	}

	r.Description = strings.TrimSpace(cell(manColDescription))
	if utf8.RuneCountInString(r.Description) > manMaxDescription {
		bad("tasks.manage.import.description_long", "Max", manMaxDescription)
	}

	names := manSplitNames(cell(manColAssignee))
	if len(names) == 0 {
		bad("tasks.manage.import.assignee_empty")
	}
	for _, name := range names {
		found := manFindPeople(name, in.People)
		switch len(found) {
		case 0:
			bad("tasks.manage.import.assignee_unknown", "Name", name)
		case 1:
			if !slices.Contains(r.AssigneeIDs, found[0].ID) {
				r.AssigneeIDs = append(r.AssigneeIDs, found[0].ID)
			}
		default:
			bad("tasks.manage.import.assignee_ambiguous", "Name", name, "Count", len(found))
		}
	}
	if len(r.AssigneeIDs) > manMaxWho {
		bad("tasks.manage.import.assignee_many", "Max", manMaxWho)
	}

	due := cell(manColDue)
	var err error
	r.Due, r.HasTime, err = manParseDueCell(due, in.Now, in.Loc)
	today := manDay(in.Now, in.Loc)
	switch {
	case due == "":
		bad("tasks.manage.import.due_empty")
	case err != nil:
		bad("tasks.manage.import.due_invalid", "Value", due)
	case !r.HasTime && r.Due.Before(today), r.HasTime && !r.Due.After(in.Now):
		bad("tasks.manage.import.due_past", "Value", due)
	case r.Due.After(today.AddDate(0, 0, manMaxDaysAhead)):
		bad("tasks.manage.import.due_far", "Value", due)
	}

	if ev := cell(manColEvidence); ev != "" {
		yes, ok := manParseYesNo(ev, in.Yes, in.No)
		if !ok {
			bad("tasks.manage.import.evidence_invalid", "Value", ev)
		}
		r.EvidenceRequired = yes
	}
	return r, errs
}

// manSplitNames cuts an assignee cell into names: people separate several
// with ";", "," or new lines.
func manSplitNames(s string) []string {
	var out []string
	for _, n := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' }) {
		if n = strings.Join(strings.Fields(n), " "); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// manFindPeople finds the people a name written in a cell may mean: the
// full name as registered; or the surname followed by first name and
// patronymic, each whole or as an initial ("Иванова М.П.", "Иванова
// Мария"); or the surname alone. A full match wins over the shorter forms.
// Case, ё/е, dots and spaces do not matter.
func manFindPeople(name string, people []storage.PersonRoles) []storage.PersonRoles {
	words := strings.Fields(manFold(strings.ReplaceAll(name, ".", " ")))
	if len(words) == 0 {
		return nil
	}
	var exact, partial []storage.PersonRoles
	for _, p := range people {
		full := strings.Fields(manFold(p.FullName))
		if slices.Equal(full, words) {
			exact = append(exact, p)
			continue
		}
		if len(words) > len(full) || words[0] != full[0] {
			continue
		}
		ok := true
		for i := 1; i < len(words); i++ {
			w := words[i]
			if w != full[i] && !(utf8.RuneCountInString(w) == 1 && strings.HasPrefix(full[i], w)) {
				ok = false
				break
			}
		}
		if ok {
			partial = append(partial, p)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	// "Иванова МП": initials written together.
	if len(partial) == 0 && len(words) == 2 && utf8.RuneCountInString(words[1]) == 2 {
		rs := []rune(words[1])
		return manFindPeople(words[0]+" "+string(rs[0])+" "+string(rs[1]), people)
	}
	return partial
}

// Excel's serial dates: day 1 is 1 January 1900; a value from
// manMinSerial on is a date (below it, "25.12" is a typed date, not a
// number), up to the last day Excel knows.
const (
	manMinSerial = 1000
	manMaxSerial = 2958465
)

// manParseDueCell reads a deadline cell: a date cell (its serial number,
// with a time when it has a fraction of a day), or text as people type it
// in the chat ("25.12.2026", "25.12.2026 14:00"). It returns the local date
// at 00:00, or with the time when hasTime.
func manParseDueCell(s string, now time.Time, loc *time.Location) (due time.Time, hasTime bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, flows.Invalid("tasks.manage.due_invalid")
	}
	if v, perr := strconv.ParseFloat(s, 64); perr == nil && !math.IsNaN(v) && !math.IsInf(v, 0) && v >= manMinSerial {
		if v > manMaxSerial {
			return time.Time{}, false, flows.Invalid("tasks.manage.due_invalid")
		}
		t, cerr := excelize.ExcelDateToTime(v, false)
		if cerr != nil {
			return time.Time{}, false, flows.Invalid("tasks.manage.due_invalid")
		}
		// The serial is a wall clock with no zone: read it as local time,
		// to the minute.
		t = t.Round(time.Minute)
		due = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, loc)
		return due, t.Hour() != 0 || t.Minute() != 0, nil
	}
	return manParseDue(s, now, loc)
}

// manParseYesNo reads a yes/no cell against the folded words of the
// locale; ok is false for anything else.
func manParseYesNo(s string, yes, no []string) (value, ok bool) {
	s = strings.TrimRight(manFold(s), ".!")
	switch {
	case slices.Contains(yes, s):
		return true, true
	case slices.Contains(no, s):
		return false, true
	}
	return false, false
}
