package report

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
	"strings"

	"github.com/go-analyze/charts"
	"github.com/go-analyze/charts/chartdraw"
)

// The charts are laid out here and drawn with the renderer of
// go-analyze/charts (chartdraw): its bundled Noto Sans covers Cyrillic, and
// it measures and rasterises text. The library's own horizontal bar chart
// does not fit phones: it cannot wrap category labels, lists the first
// item at the bottom, crowds the axis ticks at readable font sizes and
// writes a stacked part's value where the next part starts.

// Bar is one labelled value.
type Bar struct {
	Label string
	Value float64
}

// Series is one set of values over the same labels, in the labels' order.
type Series struct {
	Name   string
	Values []float64
}

// ChartOptions shape a chart. The zero value gives an untitled chart
// 1000 pixels wide, as tall as its rows need, scaled to its data.
type ChartOptions struct {
	// Title is drawn above the chart, wrapped to the width; empty means none.
	Title string
	// Max is the end of the value axis: 0 scales to the data, 100 suits
	// percentages. A value above Max extends the axis rather than being
	// clipped. The axis always starts at 0, so bar lengths compare honestly.
	Max float64
	// Unit is appended to value labels and axis ticks ("%").
	Unit string
	// Format writes a value before Unit is appended. The default writes at
	// most one decimal, with a decimal comma as Russian readers expect.
	Format func(float64) string
	// Ordered colours series as steps of one scale, from red through yellow
	// to green (answers 1 to 5), instead of in distinct hues.
	Ordered bool
	// Width and Height are the image size in pixels. Width defaults to
	// 1000; Height defaults to what the rows need, and a larger Height
	// spreads the rows out.
	Width, Height int
}

// Limits of a chart image. Telegram sends photos up to 10 000 pixels
// on a side; beyond these sizes a chart is unreadable on a phone anyway.
const (
	defaultChartWidth = 1000
	minChartWidth     = 300
	maxChartWidth     = 4000
	maxChartHeight    = 10000
	maxBars           = 500
)

// Layout in pixels (font sizes in points at 96 dpi) at the default width;
// everything scales with the width. Telegram shows a photo about 400
// points wide on a phone, so the text is large by desktop standards.
const (
	titleSize = 22.0
	labelSize = 17.0
	valueSize = 15.0
	tickSize  = 14.0

	margin    = 24 // around the image
	gap       = 12 // between the labels and the plot, and between blocks
	valueGap  = 6  // between a bar's end and its value
	rowGap    = 16 // between rows
	barHeight = 30 // a lone bar
	groupBar  = 24 // one bar of a group
	groupGap  = 3  // between the bars of a group
	stackBar  = 34 // a stacked bar
	swatch    = 18 // a legend's colour square
	tickLen   = 6

	// labelShare is the part of the width the labels may take; they wrap
	// to labelLines lines and the last is cut with an ellipsis.
	labelShare = 0.4
	labelLines = 3
	titleLines = 3
)

var (
	textColor  = charts.ColorRGB(0x22, 0x22, 0x22)
	tickColor  = charts.ColorRGB(0x55, 0x55, 0x55)
	gridColor  = charts.ColorRGB(0xE3, 0xE3, 0xE3)
	axisColor  = charts.ColorRGB(0x88, 0x88, 0x88)
	background = charts.ColorWhite

	// palette is Tableau 10: distinct hues that stay apart for most
	// colour-blind readers.
	palette = []charts.Color{
		charts.ColorFromHex("4E79A7"), charts.ColorFromHex("F28E2B"),
		charts.ColorFromHex("E15759"), charts.ColorFromHex("76B7B2"),
		charts.ColorFromHex("59A14F"), charts.ColorFromHex("EDC948"),
		charts.ColorFromHex("B07AA1"), charts.ColorFromHex("FF9DA7"),
		charts.ColorFromHex("9C755F"), charts.ColorFromHex("BAB0AC"),
	}
	// scale runs from bad to good; its middle is dark enough to see on white.
	scale = []charts.Color{
		charts.ColorFromHex("D7301F"), charts.ColorFromHex("F59A3C"),
		charts.ColorFromHex("E8C93A"), charts.ColorFromHex("91CF60"),
		charts.ColorFromHex("1A9850"),
	}
)

type chartKind int

const (
	kindSingle chartKind = iota
	kindGrouped
	kindStacked
)

// BarChart renders bars as a horizontal bar chart in PNG, one bar per item
// from top to bottom, with its value written at its end. It fails when bars
// is empty or a value is negative or not finite.
func BarChart(bars []Bar, o ChartOptions) ([]byte, error) {
	labels := make([]string, len(bars))
	values := make([]float64, len(bars))
	for i, b := range bars {
		labels[i], values[i] = b.Label, b.Value
	}
	png, err := renderChart(kindSingle, labels, []Series{{Values: values}}, o)
	if err != nil {
		return nil, fmt.Errorf("report: bar chart: %w", err)
	}
	return png, nil
}

// GroupedBarChart renders, for each label, one horizontal bar per series
// side by side, with a legend naming the series (schools compared, or this
// run against the previous one). It fails when labels or series are empty,
// a series has not one value per label, or a value is negative or not
// finite.
func GroupedBarChart(labels []string, series []Series, o ChartOptions) ([]byte, error) {
	png, err := renderChart(kindGrouped, labels, series, o)
	if err != nil {
		return nil, fmt.Errorf("report: grouped bar chart: %w", err)
	}
	return png, nil
}

// StackedBarChart renders one horizontal bar per label split into the
// series' parts (answers 1 to 5 of a question, tasks of a direction by
// status), with a legend naming the series. A part's value is written
// inside it when it fits; zeros are left out. With Max 0 the total is
// written at the bar's end; with a fixed Max (shares of 100%) it is not.
// It fails as GroupedBarChart does.
func StackedBarChart(labels []string, series []Series, o ChartOptions) ([]byte, error) {
	png, err := renderChart(kindStacked, labels, series, o)
	if err != nil {
		return nil, fmt.Errorf("report: stacked bar chart: %w", err)
	}
	return png, nil
}

// checkSeries reports input that cannot be drawn honestly.
func checkSeries(labels []string, series []Series) error {
	if len(labels) == 0 {
		return errors.New("no labels")
	}
	if len(series) == 0 {
		return errors.New("no series")
	}
	if len(labels)*len(series) > maxBars {
		return fmt.Errorf("%d labels × %d series exceed %d bars", len(labels), len(series), maxBars)
	}
	for i, s := range series {
		if len(s.Values) != len(labels) {
			return fmt.Errorf("series %d has %d values for %d labels", i, len(s.Values), len(labels))
		}
		for j, v := range s.Values {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("series %d value %d is %v, want a finite value ≥ 0", i, j, v)
			}
		}
	}
	return nil
}

// chart holds what the layout of one image needs.
type chart struct {
	kind   chartKind
	labels []string
	series []Series
	o      ChartOptions
	p      canvas // for measuring text before the image's height is known
	width  int
	zoom   float64 // width / defaultChartWidth

	title, label, value, tick, inside text
}

// px scales a length at the default width to this chart's width.
func (c *chart) px(n int) int { return int(math.Round(float64(n) * c.zoom)) }

func (c *chart) format(v float64) string {
	if c.o.Format != nil {
		return c.o.Format(v) + c.o.Unit
	}
	return formatValue(v) + c.o.Unit
}

// formatValue writes v with at most one decimal and a decimal comma,
// dropping a trailing ",0": indices and counts read best short.
func formatValue(v float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64), ".", ",", 1)
}

func (c *chart) color(i int) charts.Color {
	if !c.o.Ordered || len(c.series) < 2 {
		return palette[i%len(palette)]
	}
	// Spread the series over the scale's stops, blending between them.
	t := float64(i) / float64(len(c.series)-1) * float64(len(scale)-1)
	k := min(int(t), len(scale)-2)
	f := t - float64(k)
	a, b := scale[k], scale[k+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return charts.ColorRGB(mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B))
}

func renderChart(kind chartKind, labels []string, series []Series, o ChartOptions) ([]byte, error) {
	if err := checkSeries(labels, series); err != nil {
		return nil, err
	}
	width := o.Width
	if width == 0 {
		width = defaultChartWidth
	}
	if width < minChartWidth || width > maxChartWidth {
		return nil, fmt.Errorf("width %d out of %d..%d", width, minChartWidth, maxChartWidth)
	}
	if o.Height < 0 || o.Height > maxChartHeight {
		return nil, fmt.Errorf("height %d out of 0..%d", o.Height, maxChartHeight)
	}
	c := &chart{kind: kind, labels: labels, series: series, o: o, width: width,
		zoom: float64(width) / defaultChartWidth}
	c.p = newCanvas(width, 1)
	c.title = c.newText(charts.FontFamilyNotoSansBold, titleSize, textColor)
	c.label = c.newText(charts.FontFamilyNotoSans, labelSize, textColor)
	c.value = c.newText(charts.FontFamilyNotoSans, valueSize, textColor)
	c.tick = c.newText(charts.FontFamilyNotoSans, tickSize, tickColor)
	c.inside = c.value
	return c.render()
}

// render lays the chart out top to bottom: title, legend, one row per
// label (its wrapped label on the left, its bars on the right), then the
// value axis; and draws it.
func (c *chart) render() ([]byte, error) {
	m := c.px(margin)
	inner := c.width - 2*m

	var title []string
	if c.o.Title != "" {
		title = c.title.wrap(c.p, c.o.Title, inner, titleLines)
	}
	legend := c.legendRows(inner)

	labels := make([][]string, len(c.labels))
	labelWidth := 0
	for i, l := range c.labels {
		labels[i] = c.label.wrap(c.p, l, int(float64(c.width)*labelShare), labelLines)
		for _, line := range labels[i] {
			labelWidth = max(labelWidth, c.label.width(c.p, line))
		}
	}

	axisMax, step := c.axis()
	plotLeft := m + labelWidth + c.px(gap)
	// Keep room on the right for the longest value written past a bar
	// and for the last tick label, centred on the axis end.
	reserve := c.tick.width(c.p, c.format(axisMax))/2 + 1
	if c.kind != kindStacked || c.o.Max == 0 {
		for _, v := range c.barEnds() {
			reserve = max(reserve, c.px(valueGap)+c.value.width(c.p, c.format(v)))
		}
	}
	plotRight := c.width - m - reserve
	if plotRight-plotLeft < inner/4 {
		return nil, fmt.Errorf("width %d leaves no room for the bars", c.width)
	}

	bars := c.barsHeight()
	rows := make([]int, len(labels))
	rowsHeight := 0
	for i, l := range labels {
		rows[i] = max(len(l)*c.label.line, bars) + c.px(rowGap)
		rowsHeight += rows[i]
	}
	top := m
	if len(title) > 0 {
		top += len(title)*c.title.line + c.px(gap)
	}
	top += len(legend)*c.label.line + min(len(legend), 1)*c.px(gap)
	axisHeight := c.px(tickLen) + c.px(4) + c.tick.line
	height := top + rowsHeight + axisHeight + m
	if c.o.Height > 0 {
		if c.o.Height < height {
			return nil, fmt.Errorf("height %d is below the %d pixels the rows need", c.o.Height, height)
		}
		extra := c.o.Height - height
		for i := range rows {
			rows[i] += extra / len(rows)
		}
		rowsHeight += extra / len(rows) * len(rows)
		height = c.o.Height
	}
	if height > maxChartHeight {
		return nil, fmt.Errorf("height %d exceeds %d", height, maxChartHeight)
	}

	p := newCanvas(c.width, height)
	p.rect(0, 0, c.width, height, background)

	y := m
	for _, line := range title {
		c.title.draw(p, line, m, y)
		y += c.title.line
	}
	if len(title) > 0 {
		y += c.px(gap)
	}
	c.drawLegend(p, legend, m, y)

	// Grid lines and ticks first, so bars and values lie over them.
	plotBottom := top + rowsHeight
	x := func(v float64) int {
		return plotLeft + int(math.Round(v/axisMax*float64(plotRight-plotLeft)))
	}
	for i := 0; ; i++ {
		v := float64(i) * step
		if v > axisMax*(1+1e-9) {
			break
		}
		tx := x(v)
		p.line(tx, top, tx, plotBottom, gridColor)
		p.line(tx, plotBottom, tx, plotBottom+c.px(tickLen), axisColor)
		s := c.format(v)
		c.tick.draw(p, s, tx-c.tick.width(p, s)/2, plotBottom+c.px(tickLen)+c.px(4))
	}
	p.line(plotLeft, plotBottom, plotRight, plotBottom, axisColor)

	y = top
	for i, lines := range labels {
		mid := y + rows[i]/2
		ly := mid - len(lines)*c.label.line/2
		for _, line := range lines {
			// Right-aligned against the plot, so each label sits by its bar.
			c.label.draw(p, line, plotLeft-c.px(gap)-c.label.width(p, line), ly)
			ly += c.label.line
		}
		c.drawBars(p, i, mid-bars/2, x)
		y += rows[i]
	}
	// The zero line last, so every bar visibly starts on it.
	p.line(plotLeft, top, plotLeft, plotBottom, axisColor)
	return p.png()
}

// barsHeight is the height of one label's bars.
func (c *chart) barsHeight() int {
	switch c.kind {
	case kindGrouped:
		n := len(c.series)
		return n*c.px(groupBar) + (n-1)*c.px(groupGap)
	case kindStacked:
		return c.px(stackBar)
	}
	return c.px(barHeight)
}

// barEnds lists the values written past the ends of bars.
func (c *chart) barEnds() []float64 {
	if c.kind == kindStacked {
		return c.totals()
	}
	var ends []float64
	for _, s := range c.series {
		ends = append(ends, s.Values...)
	}
	return ends
}

func (c *chart) totals() []float64 {
	totals := make([]float64, len(c.labels))
	for _, s := range c.series {
		for j, v := range s.Values {
			totals[j] += v
		}
	}
	return totals
}

// axis returns the end of the value axis and the step between its ticks:
// the caller's Max, or the data's maximum rounded up to a whole step.
func (c *chart) axis() (end, step float64) {
	var top float64
	for _, v := range c.barEnds() {
		top = max(top, v)
	}
	if c.o.Max > 0 && top <= c.o.Max {
		return c.o.Max, niceStep(c.o.Max / 5)
	}
	if top == 0 {
		top = 1
	}
	step = niceStep(top / 5)
	return math.Ceil(top/step-1e-9) * step, step
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten, so ticks
// fall on round numbers.
func niceStep(x float64) float64 {
	pow := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 2.5, 5} {
		if x <= f*pow*(1+1e-9) {
			return f * pow
		}
	}
	return 10 * pow
}

func (c *chart) drawBars(p canvas, i, top int, x func(float64) int) {
	left := x(0)
	switch c.kind {
	case kindSingle:
		c.drawBar(p, left, top, c.series[0].Values[i], c.px(barHeight), c.color(0), x)
	case kindGrouped:
		for k, s := range c.series {
			c.drawBar(p, left, top, s.Values[i], c.px(groupBar), c.color(k), x)
			top += c.px(groupBar) + c.px(groupGap)
		}
	case kindStacked:
		h := c.px(stackBar)
		var sum float64
		for k, s := range c.series {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			x0, x1 := x(sum), x(sum+v)
			sum += v
			col := c.color(k)
			// A white gap keeps neighbouring parts of similar colour apart.
			p.rect(x0, top, max(x0+1, x1-1), top+h, col)
			s := c.format(v)
			if w := c.inside.width(p, s); w+c.px(valueGap) <= x1-x0 {
				t := c.inside
				t.style.FontColor = textColor
				if !isLight(col) {
					t.style.FontColor = charts.ColorWhite
				}
				t.draw(p, s, (x0+x1-w)/2, top+(h-t.line)/2)
			}
		}
		if c.o.Max == 0 {
			c.value.draw(p, c.format(sum), x(sum)+c.px(valueGap), top+(h-c.value.line)/2)
		}
	}
}

func (c *chart) drawBar(p canvas, left, top int, v float64, h int, col charts.Color, x func(float64) int) {
	right := x(v)
	if right > left {
		p.rect(left, top, right, top+h, col)
	}
	c.value.draw(p, c.format(v), right+c.px(valueGap), top+(h-c.value.line)/2)
}

// isLight tells whether dark text reads better than white on col.
func isLight(col charts.Color) bool {
	return 0.299*float64(col.R)+0.587*float64(col.G)+0.114*float64(col.B) > 150
}

// legendItem is one series in the legend, placed at x on its row.
type legendItem struct {
	name  string
	color charts.Color
	x     int
}

// legendRows flows the series names into rows of the given width. A lone
// unnamed series (a plain bar chart) has no legend.
func (c *chart) legendRows(width int) [][]legendItem {
	if c.kind == kindSingle {
		return nil
	}
	var rows [][]legendItem
	var row []legendItem
	x := 0
	for k, s := range c.series {
		if s.Name == "" {
			continue
		}
		name := c.label.fit(c.p, s.Name, width-c.px(swatch)-c.px(gap))
		w := c.px(swatch) + c.px(gap)/2 + c.label.width(c.p, name)
		if x > 0 && x+w > width {
			rows, row, x = append(rows, row), nil, 0
		}
		row = append(row, legendItem{name: name, color: c.color(k), x: x})
		x += w + c.px(gap)*2
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func (c *chart) drawLegend(p canvas, rows [][]legendItem, left, top int) {
	sw := c.px(swatch)
	for _, row := range rows {
		for _, it := range row {
			sy := top + (c.label.line-sw)/2
			p.rect(left+it.x, sy, left+it.x+sw, sy+sw, it.color)
			c.label.draw(p, it.name, left+it.x+sw+c.px(gap)/2, top)
		}
		top += c.label.line
	}
}

// text is a font at a size with the metrics the layout needs: line is
// the height given to a line, glyphs the height of its tallest letters
// with descenders, ascent their height above the baseline.
type text struct {
	style                charts.FontStyle
	line, glyphs, ascent int
}

func (c *chart) newText(family string, size float64, col charts.Color) text {
	t := text{style: charts.FontStyle{Font: charts.GetFont(family), FontSize: size * c.zoom, FontColor: col}}
	// Measured on accented capitals and descenders, so lines of any script
	// neither touch nor drift.
	t.ascent = c.p.measure("ÉÅ", t.style).Height()
	t.glyphs = c.p.measure("ÉÅgjy", t.style).Height()
	t.line = t.glyphs * 11 / 10
	return t
}

func (t text) width(p canvas, s string) int { return p.measure(s, t.style).Width() }

// draw writes s in a line whose top is at y.
func (t text) draw(p canvas, s string, x, y int) {
	p.text(s, x, y+(t.line-t.glyphs)/2+t.ascent, t.style)
}

// wrap breaks s into lines no wider than width at spaces (inside a word
// only when the word alone is too wide), keeping at most maxLines and
// ending the last with an ellipsis when text was left out.
func (t text) wrap(p canvas, s string, width, maxLines int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" {
			if t.width(p, line+" "+word) <= width {
				line += " " + word
				continue
			}
			lines = append(lines, line)
		}
		for len(lines) <= maxLines && t.width(p, word) > width {
			head := t.prefix(p, word, width)
			lines = append(lines, head)
			word = word[len(head):]
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = t.ellipsize(p, lines[maxLines-1], width)
	}
	return lines
}

// fit returns s when it is no wider than width, or else cuts it.
func (t text) fit(p canvas, s string, width int) string {
	if t.width(p, s) <= width {
		return s
	}
	return t.ellipsize(p, s, width)
}

// ellipsize ends s with an ellipsis, cutting it to fit in width.
func (t text) ellipsize(p canvas, s string, width int) string {
	if t.width(p, s+"…") <= width {
		return s + "…"
	}
	head := t.prefix(p, s, width-t.width(p, "…"))
	return strings.TrimRight(head, " ,.;:-") + "…"
}

// prefix returns the longest prefix of s, whole runes and at least one,
// no wider than width. Binary search: measuring is what costs.
func (t text) prefix(p canvas, s string, width int) string {
	runes := []rune(s)
	lo, hi := 1, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if t.width(p, string(runes[:mid])) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(runes[:lo])
}

// canvas draws on a chartdraw raster renderer: rectangles, hairlines and
// text, which is all these charts need. Rectangles are filled straight
// into the renderer's image: its path rasteriser would spend a fifth of a
// chart's time painting axis-aligned boxes.
type canvas struct {
	r   chartdraw.Renderer
	img *image.RGBA
}

func newCanvas(width, height int) canvas {
	r := chartdraw.PNG(width, height)
	// Saved to an image collector, the raster renderer hands over its
	// image itself (not a copy), which it goes on drawing into.
	var w chartdraw.ImageWriter
	_ = r.Save(&w) // fails only when earlier drawing failed; nothing is drawn yet
	img, _ := w.Image()
	return canvas{r: r, img: img.(*image.RGBA)}
}

func (cv canvas) rect(x0, y0, x1, y1 int, col charts.Color) {
	draw.Draw(cv.img, image.Rect(x0, y0, x1, y1), image.NewUniform(color.RGBA{col.R, col.G, col.B, 0xff}), image.Point{}, draw.Src)
}

// line draws a one-pixel horizontal or vertical line as a rectangle, which
// stays crisp where a stroke would be smeared over two pixels.
func (cv canvas) line(x0, y0, x1, y1 int, col charts.Color) {
	cv.rect(x0, y0, max(x1, x0+1), max(y1, y0+1), col)
}

// text writes s with its baseline at y.
func (cv canvas) text(s string, x, y int, style charts.FontStyle) {
	cv.r.SetFont(style.Font)
	cv.r.SetFontSize(style.FontSize)
	cv.r.SetFontColor(style.FontColor)
	cv.r.Text(s, x, y)
}

func (cv canvas) measure(s string, style charts.FontStyle) charts.Box {
	cv.r.SetFont(style.Font)
	cv.r.SetFontSize(style.FontSize)
	cv.r.SetFontColor(style.FontColor)
	return cv.r.MeasureText(s)
}

// png encodes the image as an opaque RGB PNG. image/png would spend two
// thirds of a chart's time choosing among five filters per row; charts are
// large flat areas, where the Up filter (each byte minus the one above it)
// turns most rows into zeros that the fastest compression packs well.
func (cv canvas) png() ([]byte, error) {
	if err := cv.r.Save(&chartdraw.ImageWriter{}); err != nil {
		return nil, err // errors of text drawing, queued by the renderer
	}
	return encodePNG(cv.img)
}

// encodePNG writes img, taken as opaque, as an 8-bit RGB PNG with the Up
// filter on every row.
func encodePNG(img *image.RGBA) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per sample, truecolour; no interlace
	writeChunk(&out, "IHDR", ihdr[:])

	var data bytes.Buffer
	z, err := zlib.NewWriterLevel(&data, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	prev := make([]byte, 1+3*w) // the row above, unfiltered; zeros above the first
	cur := make([]byte, 1+3*w)
	row := make([]byte, 1+3*w)
	row[0] = 2 // the Up filter
	for y := range h {
		pix := img.Pix[(y+b.Min.Y-img.Rect.Min.Y)*img.Stride+(b.Min.X-img.Rect.Min.X)*4:]
		for x := range w {
			copy(cur[1+3*x:4+3*x], pix[4*x:4*x+3])
		}
		for i := 1; i < len(row); i++ {
			row[i] = cur[i] - prev[i]
		}
		if _, err := z.Write(row); err != nil {
			return nil, err
		}
		prev, cur = cur, prev
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	writeChunk(&out, "IDAT", data.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// writeChunk writes one PNG chunk: length, type, data and the CRC of type
// and data.
func writeChunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}
