// Package report renders what the flows hand to people as files: charts
// (PNG), spreadsheets (XLSX), PDF and QR codes. Each format is written once
// here and shared by the flows; it knows formats, not surveys or tasks.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// Limits of a QR image. The quiet zone is the white border of four modules
// that the QR standard requires around the code for readers to find it.
const (
	qrQuietModules = 4
	qrMaxSize      = 4096
)

// QR renders content (an invite link, say) as a PNG QR code of size×size
// pixels, with error correction level M (a code photographed from a screen
// or a printed page still reads) and a white quiet zone. Modules are whole
// pixels, so the code is centred and the spare pixels widen the border. It
// fails when content is empty, size is not positive or above 4096, or
// the code does not fit in size with its quiet zone.
func QR(content string, size int) ([]byte, error) {
	if content == "" {
		return nil, errors.New("report: qr: empty content")
	}
	if size <= 0 || size > qrMaxSize {
		return nil, fmt.Errorf("report: qr: size %d out of 1..%d", size, qrMaxSize)
	}
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("report: qr: %w", err)
	}
	modules := code.Bounds().Dx()
	scale := size / (modules + 2*qrQuietModules)
	if scale < 1 {
		return nil, fmt.Errorf("report: qr: %d modules do not fit in %d pixels", modules, size)
	}
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	offset := (size - modules*scale) / 2
	origin := code.Bounds().Min
	for my := 0; my < modules; my++ {
		for mx := 0; mx < modules; mx++ {
			if color.GrayModel.Convert(code.At(origin.X+mx, origin.Y+my)).(color.Gray).Y >= 0x80 {
				continue
			}
			for y := offset + my*scale; y < offset+(my+1)*scale; y++ {
				row := img.Pix[y*img.Stride:]
				for x := offset + mx*scale; x < offset+(mx+1)*scale; x++ {
					row[x] = 0
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("report: qr: %w", err)
	}
	return buf.Bytes(), nil
}
