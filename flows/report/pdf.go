package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	_ "image/png" // charts and screenshots
	"runtime"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The PDF documents are A4 pages written with go-pdf/fpdf in the Go fonts,
// embedded as UTF-8 TrueType (subset to the characters used), which cover
// Cyrillic and the typographic signs Russian texts use (№ « » —). Nothing is
// read from disk or the network. A photo is not decoded or re-encoded for
// the PDF beyond a check that it is whole: JPEG data is embedded as it is,
// unless the photo is much larger than its printed size (see pdfMaxSide).

// Doc is a document: a title and blocks laid out one after another.
type Doc struct {
	// Title is the document's metadata title and is drawn at the top of the
	// first page; empty means none.
	Title string
	// Blocks are drawn in order.
	Blocks []Block
	// Footer gives the text drawn at the bottom of each page, centred, from
	// the page number (from 1) and the number of pages; nil means no footer.
	// The words come from the caller (the locales), not from this package.
	Footer func(page, pages int) string
	// Created is written as the creation and modification date; the zero
	// value means the time of rendering. A fixed date gives the same bytes
	// for the same document.
	Created time.Time
}

// Block is a part of a document: Heading, Paragraph, Fields, Image or
// PageBreak.
type Block interface{ isBlock() }

// Heading is a bold line starting a section. Level 1 is the largest; 2
// and 3 are smaller. A heading is never left alone at the bottom of a page.
type Heading struct {
	Text  string
	Level int
}

// Paragraph is text wrapped to the page width; a line break in Text starts
// a new line. A long paragraph continues on the next page.
type Paragraph struct {
	Text string
}

// Fields is a table of labels and values, such as the card of an audit.
// Both columns wrap.
type Fields struct {
	Rows [][2]string
}

// Image is a JPEG or PNG picture scaled to the page width, keeping its
// aspect ratio, and made smaller if needed so that it and its caption fit
// on one page: a picture is never split across pages. The same bytes used
// in several blocks are embedded once. A picture over pdfMaxSide pixels is
// embedded scaled down.
type Image struct {
	Data    []byte
	Caption string
}

// PageBreak starts a new page, unless the current page is still empty.
type PageBreak struct{}

func (Heading) isBlock()   {}
func (Paragraph) isBlock() {}
func (Fields) isBlock()    {}
func (Image) isBlock()     {}
func (PageBreak) isBlock() {}

// Page layout in millimetres and font sizes in points.
const (
	pdfMarginSide   = 15.0
	pdfMarginTop    = 15.0
	pdfMarginBottom = 18.0
	pdfFooterY      = -11.0 // from the bottom edge
	pdfFontRegular  = "goregular"
	pdfFontBold     = "gobold"
	pdfTextSize     = 11.0
	pdfCaptionSize  = 9.5
	pdfFooterSize   = 9.0
	pdfLineFactor   = 1.35 // line height per font size
	pdfBlockGap     = 3.0
	pdfFieldsLabel  = 0.35 // share of the width taken by the labels
	pdfKeepWithNext = 30.0 // room wanted below a heading before the page ends
	ptToMM          = 25.4 / 72
)

var pdfHeadingSizes = [...]float64{1: 16, 2: 13.5, 3: 12}

// PDF renders d as an A4 PDF document. An image that cannot be read is an
// error naming its block's index.
func PDF(d Doc) ([]byte, error) {
	imgs, err := pdfImages(d.Blocks)
	if err != nil {
		return nil, err
	}

	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(pdfMarginSide, pdfMarginTop, pdfMarginSide)
	f.SetAutoPageBreak(true, pdfMarginBottom)
	f.SetCatalogSort(true)
	if !d.Created.IsZero() {
		f.SetCreationDate(d.Created)
		f.SetModificationDate(d.Created)
	}
	f.SetCreator("smkbot", false)
	if d.Title != "" {
		f.SetTitle(d.Title, true)
	}
	f.AddUTF8FontFromBytes(pdfFontRegular, "", goregular.TTF)
	f.AddUTF8FontFromBytes(pdfFontBold, "", gobold.TTF)
	if f.Err() {
		return nil, fmt.Errorf("report: pdf fonts: %w", f.Error())
	}

	r := pdfRenderer{f: f}
	f.AddPage()
	if t := pdfClean(d.Title); t != "" {
		r.heading(Heading{Text: t, Level: 1})
	}
	for i, b := range d.Blocks {
		switch b := b.(type) {
		case Heading:
			r.heading(b)
		case *Heading:
			r.heading(*b)
		case Paragraph:
			r.paragraph(b)
		case *Paragraph:
			r.paragraph(*b)
		case Fields:
			r.fields(b)
		case *Fields:
			r.fields(*b)
		case Image:
			r.image(b, imgs[i])
		case *Image:
			r.image(*b, imgs[i])
		case PageBreak, *PageBreak:
			if r.used() {
				f.AddPage()
			}
		case nil:
			return nil, fmt.Errorf("report: pdf block %d is nil", i)
		default:
			return nil, fmt.Errorf("report: pdf block %d: unknown block %T", i, b)
		}
		if f.Err() {
			return nil, fmt.Errorf("report: pdf block %d: %w", i, f.Error())
		}
	}

	if d.Footer != nil {
		// The page count is known only now: go back to each page and write
		// its footer in the bottom margin.
		pages := f.PageCount()
		f.SetAutoPageBreak(false, 0)
		for p := 1; p <= pages; p++ {
			f.SetPage(p)
			f.SetFont(pdfFontRegular, "", pdfFooterSize)
			f.SetTextColor(90, 90, 90)
			_, h := f.GetPageSize()
			f.SetXY(pdfMarginSide, h+pdfFooterY)
			w, _ := f.GetPageSize()
			f.CellFormat(w-2*pdfMarginSide, pdfFooterSize*ptToMM, pdfClean(d.Footer(p, pages)), "", 0, "C", false, 0, "")
		}
		f.SetPage(pages)
	}

	var out bytes.Buffer
	if err := f.Output(&out); err != nil {
		return nil, fmt.Errorf("report: pdf: %w", err)
	}
	return out.Bytes(), nil
}

// pdfImage is an image checked and ready to embed.
type pdfImage struct {
	name string  // the key fpdf knows it by: a hash of the bytes
	data []byte  // what is embedded: the bytes given, or scaled down
	kind string  // "JPEG" or "PNG"
	w, h float64 // pixels
}

// pdfImages checks the images of blocks (once per distinct content, in
// parallel, since decoding photos is the slow part) and returns them by
// block index.
func pdfImages(blocks []Block) (map[int]pdfImage, error) {
	type job struct {
		first int // the first block with these bytes
		data  []byte
		img   pdfImage
		err   error
	}
	jobs := map[string]*job{}
	var order []*job
	byBlock := map[int]*job{}
	for i, b := range blocks {
		var data []byte
		switch b := b.(type) {
		case Image:
			data = b.Data
		case *Image:
			if b == nil {
				return nil, fmt.Errorf("report: pdf block %d is nil", i)
			}
			data = b.Data
		default:
			continue
		}
		sum := sha256.Sum256(data)
		key := hex.EncodeToString(sum[:])
		j := jobs[key]
		if j == nil {
			j = &job{first: i, data: data, img: pdfImage{name: key}}
			jobs[key] = j
			order = append(order, j)
		}
		byBlock[i] = j
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, j := range order {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			j.img.data, j.img.kind, j.img.w, j.img.h, j.err = pdfCheckImage(j.data)
		})
	}
	wg.Wait()

	out := make(map[int]pdfImage, len(byBlock))
	for i := range blocks {
		j, ok := byBlock[i]
		if !ok {
			continue
		}
		if j.err != nil {
			return nil, fmt.Errorf("report: pdf block %d: image: %w", i, j.err)
		}
		out[i] = j.img
	}
	return out, nil
}

// Photos larger than this many pixels on their long side (originals sent
// as documents, 4000×3000 and more) are scaled down to pdfScaledSide and
// re-encoded, which keeps the PDF small enough to send through Telegram:
// 1600 pixels across the printed 180 mm is about 225 dpi. Smaller photos,
// such as those Telegram recompresses (1280 at most), are embedded as they
// are, without decoding.
const (
	pdfMaxSide       = 2048
	pdfScaledSide    = 1600
	pdfScaledQuality = 85
)

// pdfCheckImage checks data and returns the bytes to embed, their type and
// size. A JPEG is checked by its header and its end marker (so that a
// truncated photo is refused rather than printed half grey) and decoded
// only if it has to be scaled down; a PNG is decoded whole.
func pdfCheckImage(data []byte) (out []byte, kind string, w, h float64, err error) {
	if len(data) == 0 {
		return nil, "", 0, 0, errors.New("empty")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", 0, 0, err
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return nil, "", 0, 0, errors.New("no pixels")
	}
	switch format {
	case "jpeg":
		if !jpegComplete(data) {
			return nil, "", 0, 0, errors.New("truncated JPEG: no end marker")
		}
		if max(cfg.Width, cfg.Height) <= pdfMaxSide {
			return data, "JPEG", float64(cfg.Width), float64(cfg.Height), nil
		}
	case "png":
	default:
		return nil, "", 0, 0, fmt.Errorf("unsupported format %s (JPEG or PNG expected)", format)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", 0, 0, err
	}
	if format == "png" && max(cfg.Width, cfg.Height) <= pdfMaxSide {
		return data, "PNG", float64(cfg.Width), float64(cfg.Height), nil
	}
	// Scale down and store as JPEG (an alpha channel is dropped: photos
	// and charts have none worth keeping at this size).
	k := float64(pdfScaledSide) / float64(max(cfg.Width, cfg.Height))
	sw, sh := max(1, int(float64(cfg.Width)*k+0.5)), max(1, int(float64(cfg.Height)*k+0.5))
	dst := image.NewRGBA(image.Rect(0, 0, sw, sh))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: pdfScaledQuality}); err != nil {
		return nil, "", 0, 0, err
	}
	return buf.Bytes(), "JPEG", float64(sw), float64(sh), nil
}

// jpegComplete tells whether a JPEG ends with its end-of-image marker
// (some cameras pad the file after it with zeros).
func jpegComplete(data []byte) bool {
	end := len(data)
	for end > 0 && end > len(data)-4096 && data[end-1] == 0 {
		end--
	}
	return end >= 2 && data[end-2] == 0xFF && data[end-1] == 0xD9
}

// pdfRenderer lays blocks out on the pages of f.
type pdfRenderer struct {
	f       *fpdf.Fpdf
	started bool // something has been drawn since the last block gap
}

func (r *pdfRenderer) width() float64 {
	w, _ := r.f.GetPageSize()
	return w - 2*pdfMarginSide
}

func (r *pdfRenderer) bottom() float64 {
	_, h := r.f.GetPageSize()
	return h - pdfMarginBottom
}

// used tells whether anything is drawn on the current page.
func (r *pdfRenderer) used() bool { return r.f.GetY() > pdfMarginTop+0.01 }

// gap puts space between blocks, but not at the top of a page.
func (r *pdfRenderer) gap() {
	if r.used() {
		r.f.SetY(r.f.GetY() + pdfBlockGap)
	}
}

// room starts a new page unless h millimetres fit below the current
// position (or the page is still empty).
func (r *pdfRenderer) room(h float64) {
	if r.used() && r.f.GetY()+h > r.bottom() {
		r.f.AddPage()
	}
}

func lineHeight(size float64) float64 { return size * ptToMM * pdfLineFactor }

func (r *pdfRenderer) heading(b Heading) {
	level := min(max(b.Level, 1), len(pdfHeadingSizes)-1)
	size := pdfHeadingSizes[level]
	text := pdfClean(b.Text)
	r.gap()
	if r.used() {
		r.f.SetY(r.f.GetY() + size*ptToMM*0.5)
	}
	r.f.SetFont(pdfFontBold, "", size)
	r.f.SetTextColor(0, 0, 0)
	lines := r.f.SplitText(text, r.width())
	lh := lineHeight(size)
	r.room(float64(len(lines))*lh + pdfKeepWithNext)
	r.f.SetX(pdfMarginSide)
	r.f.MultiCell(r.width(), lh, text, "", "L", false)
}

func (r *pdfRenderer) paragraph(b Paragraph) {
	text := pdfClean(b.Text)
	if text == "" {
		return
	}
	r.gap()
	r.f.SetFont(pdfFontRegular, "", pdfTextSize)
	r.f.SetTextColor(0, 0, 0)
	lh := lineHeight(pdfTextSize)
	r.room(lh)
	r.f.SetX(pdfMarginSide)
	// Left aligned like the rest: fpdf's justification of UTF-8 text
	// positions every word by hand and rounds the spacing coarsely.
	r.f.MultiCell(r.width(), lh, text, "", "L", false)
}

func (r *pdfRenderer) fields(b Fields) {
	if len(b.Rows) == 0 {
		return
	}
	r.gap()
	f := r.f
	w := r.width()
	lw := w * pdfFieldsLabel
	vw := w - lw
	lh := lineHeight(pdfTextSize)
	const pad = 1.2
	f.SetTextColor(0, 0, 0)
	f.SetDrawColor(190, 190, 190)
	f.SetLineWidth(0.2)
	for _, row := range b.Rows {
		f.SetFont(pdfFontBold, "", pdfTextSize)
		labels := pdfSplit(f, pdfClean(row[0]), lw)
		f.SetFont(pdfFontRegular, "", pdfTextSize)
		values := pdfSplit(f, pdfClean(row[1]), vw)
		n := max(len(labels), len(values), 1)
		// A row is kept on one page unless it is longer than a page.
		r.room(float64(n)*lh + 2*pad)
		y := f.GetY()
		f.Line(pdfMarginSide, y, pdfMarginSide+w, y)
		y += pad
		for k := range n {
			if y+lh > r.bottom() {
				f.AddPage()
				y = f.GetY()
			}
			if k < len(labels) {
				f.SetFont(pdfFontBold, "", pdfTextSize)
				f.SetXY(pdfMarginSide, y)
				f.CellFormat(lw, lh, labels[k], "", 0, "L", false, 0, "")
			}
			if k < len(values) {
				f.SetFont(pdfFontRegular, "", pdfTextSize)
				f.SetXY(pdfMarginSide+lw, y)
				f.CellFormat(vw, lh, values[k], "", 0, "L", false, 0, "")
			}
			y += lh
		}
		y += pad
		f.Line(pdfMarginSide, y, pdfMarginSide+w, y)
		f.SetXY(pdfMarginSide, y)
	}
}

// pdfSplit wraps text to width w in the current font, keeping the line
// breaks of the text.
func pdfSplit(f *fpdf.Fpdf, text string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		if para == "" {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, f.SplitText(para, w)...)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func (r *pdfRenderer) image(b Image, img pdfImage) {
	f := r.f
	f.RegisterImageOptionsReader(img.name, fpdf.ImageOptions{ImageType: img.kind}, bytes.NewReader(img.data))
	if f.Err() {
		return
	}
	r.gap()
	caption := pdfClean(b.Caption)
	f.SetFont(pdfFontRegular, "", pdfCaptionSize)
	clh := lineHeight(pdfCaptionSize)
	var capH float64
	if caption != "" {
		capH = float64(len(pdfSplit(f, caption, r.width())))*clh + 1
	}
	// Scale to the width; smaller if the picture and its caption would not
	// fit on an empty page.
	maxW := r.width()
	maxH := r.bottom() - pdfMarginTop - capH
	w := maxW
	h := w * img.h / img.w
	if h > maxH {
		h = maxH
		w = h * img.w / img.h
	}
	r.room(h + capH)
	x := pdfMarginSide + (maxW-w)/2
	y := f.GetY()
	f.ImageOptions(img.name, x, y, w, h, false, fpdf.ImageOptions{ImageType: img.kind}, 0, "")
	f.SetXY(pdfMarginSide, y+h)
	if caption != "" {
		f.SetY(y + h + 1)
		f.SetTextColor(70, 70, 70)
		f.MultiCell(maxW, clh, caption, "", "C", false)
		f.SetTextColor(0, 0, 0)
	}
}

// pdfClean drops what the fonts cannot show sensibly: carriage returns,
// tabs and other control characters (line breaks are kept).
func pdfClean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(c rune) rune {
		switch {
		case c == '\n':
			return c
		case c == '\t':
			return ' '
		case c < 0x20 || c == 0x7f || c == '\r':
			return -1
		}
		return c
	}, strings.TrimSpace(s))
}
