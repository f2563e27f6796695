package report

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// testJPEG draws a w×h picture with a gradient and some noise, so that it
// compresses like a photo, different for each seed.
func testJPEG(t testing.TB, w, h int, seed uint64) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(seed, 1))
	for y := range h {
		for x := range w {
			img.Y[y*img.YStride+x] = uint8((x*255/w+y*255/h)/2 + rng.IntN(40))
		}
	}
	for i := range img.Cb {
		img.Cb[i] = uint8(100 + seed*13%60 + uint64(rng.IntN(20)))
		img.Cr[i] = uint8(110 + seed*29%50 + uint64(rng.IntN(20)))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, uint8(128 + x%128)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfFacts is what the tests read back from a PDF.
type pdfFacts struct {
	pages      int      // page objects
	images     int      // image XObjects embedded
	placements int      // images drawn ("Do" in page contents)
	contents   []string // inflated streams
}

var (
	reStream = regexp.MustCompile(`(?s)<<([^>]*(?:>[^>][^>]*)*)>>\s*stream\r?\n`)
	rePage   = regexp.MustCompile(`/Type\s*/Page[^s]`)
	reImage  = regexp.MustCompile(`/Subtype\s*/Image`)
	reDo     = regexp.MustCompile(`/I\w+ Do`)
)

// readPDF is a small reader of the structure fpdf writes: objects with
// dictionaries and streams, Flate compressed or not.
func readPDF(t *testing.T, b []byte) pdfFacts {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	if !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
		t.Fatal("no end-of-file marker at the end")
	}
	var f pdfFacts
	// Dictionaries outside streams.
	var outside bytes.Buffer
	rest := b
	for {
		loc := reStream.FindSubmatchIndex(rest)
		if loc == nil {
			outside.Write(rest)
			break
		}
		outside.Write(rest[:loc[1]])
		dict := string(rest[loc[2]:loc[3]])
		body := rest[loc[1]:]
		end := bytes.Index(body, []byte("endstream"))
		if end < 0 {
			t.Fatal("stream without endstream")
		}
		data := body[:end]
		if strings.Contains(dict, "/FlateDecode") && !strings.Contains(dict, "/Image") {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("stream %q: %v", dict, err)
			}
			raw, err := io.ReadAll(zr)
			if err != nil && err != io.ErrUnexpectedEOF {
				t.Fatalf("stream %q: %v", dict, err)
			}
			data = raw
		}
		f.contents = append(f.contents, string(data))
		f.placements += len(reDo.FindAll(data, -1))
		rest = body[end:]
	}
	f.pages = len(rePage.FindAll(outside.Bytes(), -1))
	f.images = len(reImage.FindAll(outside.Bytes(), -1))
	return f
}

// shown is how fpdf writes s in a content stream with a UTF-8 font: UTF-16
// big endian code points, with ( ) \ escaped.
func shown(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, "\r", `\r`)
	return r.Replace(string(b))
}

func (f pdfFacts) has(s string) bool {
	w := shown(s)
	for _, c := range f.contents {
		if strings.Contains(c, w) {
			return true
		}
	}
	return false
}

func testFooter(page, pages int) string { return fmt.Sprintf("стр. %d из %d", page, pages) }

func testDoc(t testing.TB) Doc {
	long := strings.Repeat("Проверено наличие документированной информации, записи ведутся не полностью. ", 40)
	photo1 := testJPEG(t, 640, 480, 1)
	photo2 := testJPEG(t, 480, 640, 2)
	return Doc{
		Title:   "Аудит № 7 — «Школа № 12»",
		Created: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Footer:  testFooter,
		Blocks: []Block{
			Fields{Rows: [][2]string{
				{"Организация", "МБОУ «Средняя общеобразовательная школа № 12»"},
				{"Процесс", "Управление документированной информацией и записями о качестве образования"},
				{"Дата", "20.11.2026"},
				{"Аудиторы", "Иванова А. П.\nПетров С. В."},
			}},
			Heading{Text: "Н-1. Несоответствие значительное", Level: 2},
			Fields{Rows: [][2]string{{"Требование", "ГОСТ Р ИСО 9001-2015 п. 7.5.3"}, {"Место", "Кабинет 204"}}},
			Paragraph{Text: long},
			Image{Data: photo1, Caption: "Фото 1. Журнал регистрации"},
			Image{Data: photo2, Caption: "Фото 2"},
			PageBreak{},
			Heading{Text: "Наблюдение", Level: 2},
			Paragraph{Text: "Ёлка\r\nи\tщётка"},
			Image{Data: testPNG(t, 200, 100)},
			Image{Data: photo1, Caption: "Фото 1 ещё раз"},
		},
	}
}

func TestPDF(t *testing.T) {
	d := testDoc(t)
	b, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	f := readPDF(t, b)
	// Three distinct pictures (photo1 twice, and a PNG whose alpha becomes
	// a soft mask, itself an image XObject).
	if f.images != 4 {
		t.Errorf("image XObjects = %d, want 4 (3 pictures + 1 soft mask)", f.images)
	}
	if f.placements != 4 {
		t.Errorf("images drawn = %d, want 4", f.placements)
	}
	if f.pages < 3 {
		t.Errorf("pages = %d, want at least 3", f.pages)
	}
	for _, s := range []string{
		"Аудит № 7 — «Школа № 12»", "Организация", "Н-1. Несоответствие значительное",
		"Фото 1. Журнал регистрации", "Ёлка", "и щётка", "Кабинет 204",
	} {
		if !f.has(s) {
			t.Errorf("text %q not found in the pages", s)
		}
	}
	for p := 1; p <= f.pages; p++ {
		if s := testFooter(p, f.pages); !f.has(s) {
			t.Errorf("footer %q not found", s)
		}
	}
	if f.has(testFooter(f.pages+1, f.pages)) {
		t.Error("a footer for a page that does not exist")
	}
	if !bytes.Contains(b, []byte("/FontFile2")) {
		t.Error("the font is not embedded")
	}

	again, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Error("the same document rendered twice differs")
	}
}

// TestPDFOnePhotoPerPage: a photo too tall for what is left of a page goes
// to the next page whole, so a page holds at most as many tall photos as
// fit.
func TestPDFPhotosNotSplit(t *testing.T) {
	var blocks []Block
	for i := range 5 {
		blocks = append(blocks, Image{Data: testJPEG(t, 300, 400, uint64(10+i)), Caption: fmt.Sprintf("Фото %d", i+1)})
	}
	b, err := PDF(Doc{Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	f := readPDF(t, b)
	// A portrait photo scaled to the width is taller than the page, so it
	// is shrunk to the page and each one takes a page.
	if f.pages != 5 || f.images != 5 || f.placements != 5 {
		t.Errorf("pages, images, drawn = %d, %d, %d; want 5 each", f.pages, f.images, f.placements)
	}
}

// TestPDFLargeImagesScaled: pictures much larger than their printed size
// are embedded scaled down, as JPEG.
func TestPDFLargeImagesScaled(t *testing.T) {
	photo := testJPEG(t, 3200, 2400, 4)
	b, err := PDF(Doc{Blocks: []Block{Image{Data: photo}, Image{Data: testPNG(t, 2100, 300)}}})
	if err != nil {
		t.Fatal(err)
	}
	f := readPDF(t, b)
	if f.images != 2 || f.placements != 2 {
		t.Errorf("images, drawn = %d, %d; want 2, 2 (no soft mask once scaled)", f.images, f.placements)
	}
	for _, want := range []string{"/Width 1600\n/Height 1200", "/Width 1600\n/Height 229"} {
		if !regexp.MustCompile(want).Match(b) {
			t.Errorf("no image dictionary matching %q", want)
		}
	}
	if len(b) > len(photo) {
		t.Errorf("PDF of %d bytes is larger than the photo (%d bytes)", len(b), len(photo))
	}
}

// TestPDFLongWords: text without spaces wider than the page is broken
// where it must, and every number written is finite.
func TestPDFLongWords(t *testing.T) {
	word := strings.Repeat("оченьдлинноеслово", 30)
	b, err := PDF(Doc{Title: word, Blocks: []Block{
		Paragraph{Text: word + " " + word},
		Fields{Rows: [][2]string{{word, word}, {"", ""}}},
		Image{Data: testJPEG(t, 64, 48, 5), Caption: word},
	}})
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`(^|[\s\[])[-+]?(Inf|NaN)`)
	for _, c := range readPDF(t, b).contents {
		if strings.Contains(c, " Td") && bad.MatchString(c) {
			t.Fatalf("a content stream has an infinite number: %.200q", c)
		}
	}
}

func TestPDFEmpty(t *testing.T) {
	b, err := PDF(Doc{})
	if err != nil {
		t.Fatal(err)
	}
	if f := readPDF(t, b); f.pages != 1 || f.images != 0 {
		t.Errorf("pages, images = %d, %d; want 1, 0", f.pages, f.images)
	}
}

func TestPDFBadImages(t *testing.T) {
	photo := testJPEG(t, 64, 48, 3)
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("это не картинка"),
		"truncated": photo[:len(photo)/2],
		"gif":       gif,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := PDF(Doc{Blocks: []Block{
				Paragraph{Text: "до"},
				Image{Data: photo},
				Image{Data: data, Caption: "плохое"},
			}})
			if err == nil || !strings.Contains(err.Error(), "block 2") {
				t.Errorf("err = %v, want one naming block 2", err)
			}
		})
	}
	if _, err := PDF(Doc{Blocks: []Block{Paragraph{}, nil}}); err == nil || !strings.Contains(err.Error(), "block 1") {
		t.Errorf("nil block: err = %v", err)
	}
}

func BenchmarkPDF30Findings60Photos(b *testing.B) {
	photos := make([][]byte, 60)
	var total int
	for i := range photos {
		photos[i] = testJPEG(b, 1600, 1200, uint64(i))
		total += len(photos[i])
	}
	d := Doc{Title: "Аудит № 30", Footer: testFooter}
	d.Blocks = append(d.Blocks, Fields{Rows: [][2]string{{"Организация", "Школа № 5"}, {"Процесс", "Образовательный процесс"}}})
	for i := range 30 {
		d.Blocks = append(d.Blocks,
			Heading{Text: fmt.Sprintf("Н-%d. Несоответствие незначительное", i+1), Level: 2},
			Fields{Rows: [][2]string{{"Требование", "ГОСТ Р ИСО 9001-2015 п. 7.1.4"}, {"Место", "Кабинет 101"}}},
			Paragraph{Text: strings.Repeat("Описание несоответствия, выявленного при аудите. ", 8)},
			Image{Data: photos[2*i], Caption: fmt.Sprintf("Фото %d", 2*i+1)},
			Image{Data: photos[2*i+1], Caption: fmt.Sprintf("Фото %d", 2*i+2)},
		)
	}
	var size int
	for b.Loop() {
		out, err := PDF(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/pdf")
	b.ReportMetric(float64(total)/float64(len(photos))/1024, "KiB/photo")
}

// BenchmarkPDFLargePhotos: originals sent as documents are scaled down,
// which costs a decode and an encode each.
func BenchmarkPDFLargePhotos(b *testing.B) {
	var d Doc
	for i := range 10 {
		d.Blocks = append(d.Blocks, Image{Data: testJPEG(b, 4000, 3000, uint64(i))})
	}
	var size int
	for b.Loop() {
		out, err := PDF(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/pdf")
}
