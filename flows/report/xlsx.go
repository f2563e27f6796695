package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet is one worksheet: a header row and rows under it.
type Sheet struct {
	// Name is the tab's name; XLSX makes it fit Excel's rules.
	Name string
	// Header names the columns; it is written bold, frozen and with
	// filter buttons.
	Header []string
	// Rows hold one cell per header column: a string, a bool, an integer,
	// a float (NaN and ±Inf are left empty), a time.Time (written as its
	// wall clock in its own location, as a date when it is midnight; the
	// zero time is left empty) or nil for an empty cell.
	Rows [][]any
	// Widths optionally set column widths in characters, in column order;
	// a missing or zero width is estimated from the column's text.
	Widths []float64
}

// Limits of a workbook. Excel allows 31 UTF-16 units in a sheet name, 255
// characters of column width and 1,048,576 rows.
const (
	maxSheetName = 31
	maxSheetRows = 1<<20 - 1 // under the header
	maxColWidth  = 255

	// Estimated widths stay between these, in characters, and look at
	// the first widthSample rows only, so a large sheet costs no more.
	minAutoWidth = 8
	maxAutoWidth = 60
	widthSample  = 200

	dateFormat     = "dd.mm.yyyy"
	dateTimeFormat = "dd.mm.yyyy hh:mm"
)

// XLSX writes sheets as an XLSX workbook, in order. Rows are streamed, so
// a sheet of 100,000 rows stays cheap. Sheet names are made valid for
// Excel: the characters : \ / ? * [ ] become "-", leading and trailing
// apostrophes are dropped, names are cut to 31 characters, an empty name
// becomes "SheetN", and a name repeating an earlier one (ignoring case)
// gets " (2)", " (3)", ... It fails when sheets is empty, a sheet has no
// header, a row has not one cell per header column, or a cell has a type
// other than those Sheet lists.
func XLSX(sheets ...Sheet) ([]byte, error) {
	if len(sheets) == 0 {
		return nil, errors.New("report: xlsx: no sheets")
	}
	names := sheetNames(sheets)
	f := excelize.NewFile()
	defer f.Close()
	w := workbook{f: f}
	var err error
	if w.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	if w.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr(dateFormat)}); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	if w.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr(dateTimeFormat)}); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	for i, s := range sheets {
		if i == 0 {
			// A new workbook has one sheet, named in English; rename it
			// rather than leave an empty tab behind.
			err = f.SetSheetName(f.GetSheetName(0), names[0])
		} else {
			_, err = f.NewSheet(names[i])
		}
		if err == nil {
			err = w.write(names[i], s)
		}
		if err != nil {
			return nil, fmt.Errorf("report: xlsx: sheet %d %q: %w", i+1, names[i], err)
		}
	}
	// The first sheet is active already. SetActiveSheet would parse every
	// streamed sheet back into memory and write it again.
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

func ptr[T any](v T) *T { return &v }

// workbook holds the styles shared by its sheets.
type workbook struct {
	f                    *excelize.File
	bold, date, dateTime int
}

func (w workbook) write(name string, s Sheet) error {
	if len(s.Header) == 0 {
		return errors.New("no header")
	}
	if len(s.Rows) > maxSheetRows {
		return fmt.Errorf("%d rows exceed %d", len(s.Rows), maxSheetRows)
	}
	for i, row := range s.Rows {
		if len(row) != len(s.Header) {
			return fmt.Errorf("row %d has %d cells for %d columns", i+1, len(row), len(s.Header))
		}
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Column widths, panes and the filter belong before the rows in the
	// sheet's XML, so the stream writer takes them first.
	// Each width goes in front of those set before it, and Excel wants
	// columns in ascending order: set them from the last.
	widths := columnWidths(s)
	for col := len(widths) - 1; col >= 0; col-- {
		if err := sw.SetColWidth(col+1, col+1, widths[col]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(s.Header), len(s.Rows)+1)
	if err != nil {
		return err
	}
	// The stream writer has no filter of its own; the workbook's one sets
	// the sheet's filter range, which the stream writes out on Flush.
	if err := w.f.AutoFilter(name, "A1:"+last, nil); err != nil {
		return err
	}

	cells := make([]any, len(s.Header))
	for i, h := range s.Header {
		cells[i] = excelize.Cell{StyleID: w.bold, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for i, row := range s.Rows {
		for j, v := range row {
			if cells[j], err = w.cell(v); err != nil {
				return fmt.Errorf("row %d column %d: %w", i+1, j+1, err)
			}
		}
		// Row numbers are formatted by hand: CoordinatesToCellName per
		// row is measurable on large exports.
		if err := sw.SetRow("A"+strconv.Itoa(i+2), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// cell converts v to what the stream writer takes, with a date style for
// times (the stream writer would otherwise create a style per cell).
func (w workbook) cell(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil
		}
		return v, nil
	case float32:
		return w.cell(float64(v))
	case time.Time:
		if v.IsZero() {
			return nil, nil
		}
		style := w.dateTime
		if h, m, s := v.Clock(); h == 0 && m == 0 && s == 0 && v.Nanosecond() == 0 {
			style = w.date
		}
		return excelize.Cell{StyleID: style, Value: v}, nil
	}
	return nil, fmt.Errorf("unsupported cell type %T", v)
}

// columnWidths returns s.Widths where given and otherwise a width from the
// longest text in the header and the first rows of the column.
func columnWidths(s Sheet) []float64 {
	widths := make([]float64, len(s.Header))
	for col := range widths {
		if col < len(s.Widths) && s.Widths[col] > 0 {
			widths[col] = min(s.Widths[col], maxColWidth)
			continue
		}
		// Bold header text is wider, and the filter button takes about
		// two characters.
		n := float64(utf8.RuneCountInString(s.Header[col]))*1.1 + 2
		for _, row := range s.Rows[:min(len(s.Rows), widthSample)] {
			n = max(n, float64(cellTextWidth(row[col])))
		}
		widths[col] = math.Round(min(max(n+1, minAutoWidth), maxAutoWidth))
	}
	return widths
}

// cellTextWidth estimates how many characters a cell shows.
func cellTextWidth(v any) int {
	switch v := v.(type) {
	case nil:
		return 0
	case string:
		// The longest line counts: a multi-line text wraps at its breaks.
		n := 0
		for line := range strings.SplitSeq(v, "\n") {
			n = max(n, utf8.RuneCountInString(line))
		}
		return n
	case time.Time:
		return len(dateTimeFormat)
	case float64:
		return len(strconv.FormatFloat(v, 'g', 10, 64))
	case float32:
		return len(strconv.FormatFloat(float64(v), 'g', 7, 32))
	}
	return len(fmt.Sprint(v))
}

// sheetNames makes each sheet's name valid and unique, as XLSX documents.
func sheetNames(sheets []Sheet) []string {
	names := make([]string, len(sheets))
	taken := map[string]bool{
		// Excel keeps this name for its change history.
		"history": true,
	}
	for i, s := range sheets {
		base := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`:\/?*[]`, r) {
				return '-'
			}
			if r < ' ' {
				return ' '
			}
			return r
		}, s.Name)
		base = strings.TrimSpace(strings.Trim(base, "'"))
		if base == "" {
			base = "Sheet" + strconv.Itoa(i+1)
		}
		name := cutUTF16(base, maxSheetName)
		for n := 2; taken[strings.ToLower(name)]; n++ {
			suffix := " (" + strconv.Itoa(n) + ")"
			name = cutUTF16(base, maxSheetName-len(suffix)) + suffix
		}
		taken[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// cutUTF16 returns the longest prefix of s, whole runes, of at most n
// UTF-16 units (Excel counts a name's length so), without trailing spaces
// or an apostrophe, which Excel refuses at the ends of a name.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			s = s[:i]
			break
		}
	}
	return strings.TrimRight(s, " '")
}
