package report

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-analyze/charts"
)

// -chartdir writes the charts the tests render there, to look at them.
var chartDir = flag.String("chartdir", "", "write the charts rendered by the tests to this directory")

func decodePNG(t *testing.T, name string, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: decode PNG: %v", name, err)
	}
	if *chartDir != "" {
		if err := os.WriteFile(filepath.Join(*chartDir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

var surveyBars = []Bar{
	{"Качество преподавания", 87.5},
	{"Безопасность ребёнка в школе", 92},
	{"Комфорт и санитарно-гигиенические условия в здании школы", 64.3},
	{"Организация горячего питания", 41},
	{"Внеурочная деятельность и дополнительное образование", 70},
	{"Информационная открытость", 100},
	{"Отношения с учителями", 0},
}

var directions = []string{
	"Нормативно-правовой ресурс",
	"Информационно-методический ресурс",
	"Кадровый ресурс",
	"Контроль процессов",
}

func TestChartsDecodeWithWidth(t *testing.T) {
	grades := []Series{
		{"1", []float64{1, 0, 3, 2}},
		{"2", []float64{2, 1, 0, 4}},
		{"3", []float64{5, 3, 4, 6}},
		{"4", []float64{20, 9, 12, 18}},
		{"5", []float64{30, 40, 25, 11}},
	}
	runs := []Series{
		{"Весна 2026", []float64{80, 70, 60, 90}},
		{"Осень 2026", []float64{85, 65, 72, 90}},
	}
	for _, tc := range []struct {
		name   string
		width  int
		render func(ChartOptions) ([]byte, error)
	}{
		{"bar", 1000, func(o ChartOptions) ([]byte, error) {
			o.Title, o.Max, o.Unit = "Индекс удовлетворённости по вопросам, %", 100, "%"
			return BarChart(surveyBars, o)
		}},
		{"bar-narrow", 480, func(o ChartOptions) ([]byte, error) {
			o.Title, o.Max, o.Unit = "Индекс удовлетворённости по вопросам, %", 100, "%"
			return BarChart(surveyBars, o)
		}},
		{"grouped", 1200, func(o ChartOptions) ([]byte, error) {
			o.Title, o.Max, o.Unit = "Сравнение с прошлым опросом", 100, "%"
			return GroupedBarChart(directions, runs, o)
		}},
		{"stacked-counts", 1000, func(o ChartOptions) ([]byte, error) {
			o.Title, o.Ordered = "Распределение ответов", true
			return StackedBarChart(directions, grades, o)
		}},
		{"stacked-statuses", 800, func(o ChartOptions) ([]byte, error) {
			o.Title = "Задачи по направлениям"
			return StackedBarChart(directions, []Series{
				{"назначена", []float64{3, 1, 0, 2}},
				{"принята", []float64{2, 4, 1, 0}},
				{"выполнена", []float64{5, 2, 2, 1}},
				{"подтверждена", []float64{10, 6, 3, 7}},
			}, o)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.render(ChartOptions{Width: tc.width})
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, tc.name, b)
			if got := img.Bounds().Dx(); got != tc.width {
				t.Errorf("width = %d, want %d", got, tc.width)
			}
			if h := img.Bounds().Dy(); h < 100 || h > tc.width*2 {
				t.Errorf("height = %d, want a height fitting %d rows", h, 7)
			}
		})
	}
}

func TestChartHeight(t *testing.T) {
	b, err := BarChart(surveyBars[:2], ChartOptions{Width: 600, Height: 900})
	if err != nil {
		t.Fatal(err)
	}
	if img := decodePNG(t, "bar-tall", b); img.Bounds().Dx() != 600 || img.Bounds().Dy() != 900 {
		t.Errorf("size = %v, want 600×900", img.Bounds().Size())
	}
	if _, err := BarChart(surveyBars, ChartOptions{Height: 50}); err == nil {
		t.Error("a height below what the rows need: no error")
	}
}

// dark counts the pixels of r darker than mid-grey: text and bars, not the
// white background or the light grid.
func dark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 0x80 {
				n++
			}
		}
	}
	return n
}

// TestCyrillicLabelsDrawn renders two labels of the same length in
// Cyrillic: were the letters missing from the font, both would be drawn as
// the same row of boxes and the images would match.
func TestCyrillicLabelsDrawn(t *testing.T) {
	render := func(label string) image.Image {
		b, err := BarChart([]Bar{{label, 50}}, ChartOptions{Max: 100, Width: 600})
		if err != nil {
			t.Fatal(err)
		}
		return decodePNG(t, "label-"+label, b)
	}
	a, b := render("Качество преподавания"), render("Проверка безопасности")
	// The labels take at most the left 40% of the width.
	labels := image.Rect(0, 0, 240, a.Bounds().Dy())
	if n := dark(a, labels); n < 300 {
		t.Errorf("label area has %d dark pixels, want text", n)
	}
	diff := 0
	for y := labels.Min.Y; y < labels.Max.Y; y++ {
		for x := labels.Min.X; x < labels.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				diff++
			}
		}
	}
	if diff < 300 {
		t.Errorf("two different labels differ in %d pixels, want different glyphs", diff)
	}
}

// barSpan returns the first and last x of the bar colour on row y.
func barSpan(img image.Image, y int, c color.Color) (int, int) {
	r0, g0, b0, _ := c.RGBA()
	first, last := -1, -1
	for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
		r, g, b, _ := img.At(x, y).RGBA()
		if r == r0 && g == g0 && b == b0 {
			if first < 0 {
				first = x
			}
			last = x
		}
	}
	return first, last
}

// TestBarsStartAtZero checks that bar lengths are proportional to values:
// a bar of 100 is twice a bar of 50 and both start at the same x.
func TestBarsStartAtZero(t *testing.T) {
	b, err := BarChart([]Bar{{"Полная шкала", 100}, {"Половина", 50}}, ChartOptions{Max: 100, Unit: "%"})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, "bars-zero", b)
	var spans [][2]int
	for y := 0; y < img.Bounds().Dy(); y++ {
		if first, last := barSpan(img, y, palette[0]); first >= 0 {
			if len(spans) == 0 || spans[len(spans)-1] != [2]int{first, last} {
				spans = append(spans, [2]int{first, last})
			}
		}
	}
	if len(spans) != 2 {
		t.Fatalf("found bar rows %v, want two bars", spans)
	}
	full, half := spans[0], spans[1]
	if full[0] != half[0] {
		t.Errorf("bars start at x=%d and x=%d, want one zero line", full[0], half[0])
	}
	if l100, l50 := full[1]-full[0]+1, half[1]-half[0]+1; math.Abs(float64(l100)-2*float64(l50)) > 2 {
		t.Errorf("bar of 100 is %d px, of 50 is %d px, want twice as long", l100, l50)
	}
}

func TestChartErrors(t *testing.T) {
	two := []string{"Один", "Два"}
	for name, err := range map[string]error{
		"no bars": func() error { _, err := BarChart(nil, ChartOptions{}); return err }(),
		"negative": func() error {
			_, err := BarChart([]Bar{{"Минус", -1}}, ChartOptions{})
			return err
		}(),
		"NaN": func() error {
			_, err := BarChart([]Bar{{"Не число", math.NaN()}}, ChartOptions{})
			return err
		}(),
		"narrow": func() error {
			_, err := BarChart([]Bar{{"Узко", 1}}, ChartOptions{Width: 100})
			return err
		}(),
		"no labels": func() error {
			_, err := GroupedBarChart(nil, []Series{{"A", nil}}, ChartOptions{})
			return err
		}(),
		"no series": func() error { _, err := StackedBarChart(two, nil, ChartOptions{}); return err }(),
		"short series": func() error {
			_, err := StackedBarChart(two, []Series{{"A", []float64{1}}}, ChartOptions{})
			return err
		}(),
		"long series": func() error {
			_, err := GroupedBarChart(two, []Series{{"A", []float64{1, 2}}, {"B", []float64{1, 2, 3}}}, ChartOptions{})
			return err
		}(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "report: ") {
			t.Errorf("%s: error %q does not name the package", name, err)
		}
	}
}

func TestWrap(t *testing.T) {
	c := &chart{zoom: 1}
	c.p = newCanvas(1000, 1)
	c.label = c.newText(charts.FontFamilyNotoSans, labelSize, textColor)
	long := strings.Repeat("Удовлетворённость организацией горячего питания в школьной столовой ", 3)
	lines := c.label.wrap(c.p, long, 300, 3)
	if len(lines) != 3 {
		t.Fatalf("wrap gave %d lines %q, want 3", len(lines), lines)
	}
	if !strings.HasSuffix(lines[2], "…") {
		t.Errorf("last line %q does not end with an ellipsis", lines[2])
	}
	for _, l := range lines {
		if w := c.label.width(c.p, l); w > 300 {
			t.Errorf("line %q is %d px wide, want ≤ 300", l, w)
		}
	}
	if got := c.label.wrap(c.p, "Качество  преподавания", 1000, 3); len(got) != 1 || got[0] != "Качество преподавания" {
		t.Errorf("short label wrapped as %q", got)
	}
	word := strings.Repeat("Ж", 60)
	for _, l := range c.label.wrap(c.p, word, 200, 3) {
		if w := c.label.width(c.p, l); w > 200 {
			t.Errorf("a word too long for a line gave %q, %d px wide", l, w)
		}
	}
}

func TestAxis(t *testing.T) {
	for _, tc := range []struct {
		max, data, end, step float64
	}{
		{100, 92, 100, 20},
		{0, 92, 100, 20},
		{0, 3, 3, 1},
		{0, 7, 8, 2},
		{0, 0, 1, 0.2},
		{0, 1234, 1250, 250},
		{10, 25, 25, 5}, // data above Max extends the axis
	} {
		c := &chart{kind: kindSingle, labels: []string{"x"}, series: []Series{{Values: []float64{tc.data}}},
			o: ChartOptions{Max: tc.max}}
		if end, step := c.axis(); math.Abs(end-tc.end) > 1e-9 || math.Abs(step-tc.step) > 1e-9 {
			t.Errorf("Max %v, data %v: axis to %v step %v, want %v step %v", tc.max, tc.data, end, step, tc.end, tc.step)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 92: "92", 87.5: "87,5", 64.333: "64,3", 99.96: "100", 1234: "1234"} {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", v, got, want)
		}
	}
	c := &chart{o: ChartOptions{Unit: "%", Format: func(v float64) string { return fmt.Sprintf("%.2f", v) }}}
	if got := c.format(1.5); got != "1.50%" {
		t.Errorf("custom format gave %q", got)
	}
}

func TestOrderedColors(t *testing.T) {
	c := &chart{o: ChartOptions{Ordered: true}, series: make([]Series, 5)}
	for i, want := range scale {
		if got := c.color(i); got != want {
			t.Errorf("color(%d) = %v, want %v", i, got, want)
		}
	}
	c.series = make([]Series, 3)
	if c.color(0) != scale[0] || c.color(1) != scale[2] || c.color(2) != scale[4] {
		t.Errorf("3 ordered series coloured %v %v %v, want the scale's ends and middle", c.color(0), c.color(1), c.color(2))
	}
}

func fifteen() ([]string, []Bar) {
	labels := make([]string, 15)
	bars := make([]Bar, 15)
	for i := range labels {
		labels[i] = fmt.Sprintf("Вопрос %d: удовлетворённость качеством образовательных услуг", i+1)
		bars[i] = Bar{labels[i], float64(40 + 4*i)}
	}
	return labels, bars
}

func BenchmarkBarChart15(b *testing.B) {
	_, bars := fifteen()
	o := ChartOptions{Title: "Индекс удовлетворённости", Max: 100, Unit: "%"}
	for b.Loop() {
		if _, err := BarChart(bars, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStackedBarChart15(b *testing.B) {
	labels, _ := fifteen()
	series := make([]Series, 5)
	for k := range series {
		series[k] = Series{Name: fmt.Sprint(k + 1), Values: make([]float64, 15)}
		for i := range labels {
			series[k].Values[i] = float64(5 + (i*7+k*13)%40)
		}
	}
	o := ChartOptions{Title: "Распределение ответов", Ordered: true}
	for b.Loop() {
		if _, err := StackedBarChart(labels, series, o); err != nil {
			b.Fatal(err)
		}
	}
}
