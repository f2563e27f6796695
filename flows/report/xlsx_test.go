package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestXLSXRoundTrip(t *testing.T) {
	barnaul := time.FixedZone("Asia/Barnaul", 7*3600)
	answered := time.Date(2026, 11, 20, 14, 30, 0, 0, barnaul)
	due := time.Date(2026, 12, 25, 0, 0, 0, 0, barnaul)
	b, err := XLSX(
		Sheet{
			Name:   "Ответы: 5А/5Б [сырые]",
			Header: []string{"Класс", "Вопрос", "Ответ", "Индекс", "Дата", "Комментарий"},
			Rows: [][]any{
				{"5А", 1, 5, 87.5, answered, "Всё хорошо, спасибо учителям"},
				{"5Б", 2, int64(3), math.NaN(), due, nil},
			},
			Widths: []float64{10},
		},
		Sheet{
			Name:   "Итоги по школам ассоциации за 2026 год",
			Header: []string{"Школа", "Индекс"},
			Rows:   [][]any{{"МБОУ «СОШ № 12»", 91.25}},
		},
		Sheet{Name: "итоги по школам ассоциации за 2026 год", Header: []string{"Пусто"}},
		Sheet{Name: "'?*'", Header: []string{"Пусто"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()

	wantNames := []string{
		"Ответы- 5А-5Б -сырые-",
		"Итоги по школам ассоциации за 2",
		"итоги по школам ассоциации (2)",
		"--",
	}
	if diff := cmp.Diff(wantNames, f.GetSheetList()); diff != "" {
		t.Errorf("sheet names (-want +got):\n%s", diff)
	}
	raw := wantNames[0]
	rows, err := f.GetRows(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Класс", "Вопрос", "Ответ", "Индекс", "Дата", "Комментарий"},
		{"5А", "1", "5", "87.5", "20.11.2026 14:30", "Всё хорошо, спасибо учителям"},
		{"5Б", "2", "3", "", "25.12.2026"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	for cell, wantType := range map[string]excelize.CellType{
		"A2": excelize.CellTypeSharedString, "B2": excelize.CellTypeUnset, "D2": excelize.CellTypeUnset,
		"E2": excelize.CellTypeUnset, "D3": excelize.CellTypeUnset,
	} {
		// Numbers and dates have no type attribute: they are numbers.
		typ, err := f.GetCellType(raw, cell)
		if err != nil {
			t.Fatal(err)
		}
		if typ != wantType && !(wantType == excelize.CellTypeSharedString && typ == excelize.CellTypeInlineString) {
			t.Errorf("%s type = %v, want %v", cell, typ, wantType)
		}
	}
	if v, _ := f.GetCellValue(raw, "E2", excelize.Options{RawCellValue: true}); !strings.HasPrefix(v, "46346.604166") {
		t.Errorf("E2 raw value = %q, want the Excel serial of 20.11.2026 14:30 local", v)
	}
	if v, _ := f.GetCellValue(raw, "D2", excelize.Options{RawCellValue: true}); v != "87.5" {
		t.Errorf("D2 raw value = %q, want 87.5", v)
	}

	style, err := f.GetCellStyle(raw, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style %+v (%v), want bold", s, err)
	}
	panes, err := f.GetPanes(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
		t.Errorf("panes = %+v, want the first row frozen", panes)
	}
	if w, _ := f.GetColWidth(raw, "A"); w != 10 {
		t.Errorf("column A width = %v, want the given 10", w)
	}
	if w, _ := f.GetColWidth(raw, "F"); w < 28 {
		t.Errorf("column F width = %v, want room for its comment", w)
	}

	sheet1 := readZip(t, b, "xl/worksheets/sheet1.xml")
	if i, j := strings.Index(sheet1, `<col min="1"`), strings.Index(sheet1, `<col min="6"`); i < 0 || j < i {
		t.Errorf("sheet1.xml columns are not in ascending order, which Excel requires:\n%.2000s", sheet1)
	}
	if !strings.Contains(sheet1, `<autoFilter ref="$A$1:$F$3"`) {
		t.Errorf("sheet1.xml has no autofilter over A1:F3:\n%.2000s", sheet1)
	}
	if wb := readZip(t, b, "xl/workbook.xml"); !strings.Contains(wb, "_xlnm._FilterDatabase") {
		t.Errorf("workbook.xml does not define the filter database:\n%s", wb)
	}
	if got, _ := f.GetCellValue(wantNames[1], "A2"); got != "МБОУ «СОШ № 12»" {
		t.Errorf("second sheet A2 = %q", got)
	}
}

func readZip(t *testing.T, b []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSheetNames(t *testing.T) {
	got := sheetNames([]Sheet{
		{Name: ""}, {Name: "History"}, {Name: "a:b\\c/d?e*f[g]h"}, {Name: "Sheet1"},
		{Name: strings.Repeat("я", 40)}, {Name: strings.Repeat("Я", 40)}, {Name: strings.Repeat("😀", 20)},
		{Name: "tab\tname"}, {Name: "Итог '"},
	})
	want := []string{
		"Sheet1", "History (2)", "a-b-c-d-e-f-g-h", "Sheet1 (2)",
		strings.Repeat("я", 31), strings.Repeat("Я", 27) + " (2)", strings.Repeat("😀", 15),
		"tab name", "Итог",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sheet names (-want +got):\n%s", diff)
	}
}

func TestXLSXErrors(t *testing.T) {
	for name, sheets := range map[string][]Sheet{
		"no sheets":   nil,
		"no header":   {{Name: "A"}},
		"short row":   {{Name: "A", Header: []string{"x", "y"}, Rows: [][]any{{1}}}},
		"long row":    {{Name: "A", Header: []string{"x"}, Rows: [][]any{{1, 2}}}},
		"struct cell": {{Name: "A", Header: []string{"x"}, Rows: [][]any{{struct{}{}}}}},
		"second bad":  {{Name: "A", Header: []string{"x"}}, {Name: "B"}},
	} {
		if _, err := XLSX(sheets...); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "report: xlsx: ") {
			t.Errorf("%s: error %q does not name the package", name, err)
		}
	}
}

func tenThousandRows() Sheet {
	s := Sheet{Name: "Ответы", Header: []string{"Анкета", "Класс", "Вопрос", "Ответ", "Дата", "Комментарий"}}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		s.Rows = append(s.Rows, []any{i / 15, fmt.Sprintf("%dА", 5+i%7), i%15 + 1, i % 5, day, "Хорошо"})
	}
	return s
}

func TestXLSXLarge(t *testing.T) {
	b, err := XLSX(tenThousandRows())
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Ответы", "B10001"); v != "8А" {
		t.Errorf("B10001 = %q, want the last row's class", v)
	}
}

func BenchmarkXLSX10000Rows(b *testing.B) {
	s := tenThousandRows()
	for b.Loop() {
		if _, err := XLSX(s); err != nil {
			b.Fatal(err)
		}
	}
}
