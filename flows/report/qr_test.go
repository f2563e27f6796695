package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

func TestQR(t *testing.T) {
	link := "https://t.me/smk_bot?start=" + strings.Repeat("Ab3_-", 9)
	for _, size := range []int{512, 300, 101, 77} {
		data, err := QR(link, size)
		if err != nil {
			t.Fatalf("QR(%d): %v", size, err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || format != "png" {
			t.Fatalf("QR(%d): not a PNG: %v, %q", size, err, format)
		}
		if cfg.Width != size || cfg.Height != size {
			t.Errorf("QR(%d) is %d×%d", size, cfg.Width, cfg.Height)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		checkModules(t, link, img)
	}
}

// checkModules compares the image with the code it should carry, module by
// module, and checks the quiet zone around it is white.
func checkModules(t *testing.T, content string, img image.Image) {
	t.Helper()
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := code.Bounds().Dx()
	size := img.Bounds().Dx()
	scale := size / (n + 8)
	offset := (size - n*scale) / 2
	if offset < 4*scale {
		t.Fatalf("quiet zone %dpx narrower than 4 modules of %dpx", offset, scale)
	}
	dark := func(c color.Color) bool { return color.GrayModel.Convert(c).(color.Gray).Y < 0x80 }
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			inCode := x >= offset && x < offset+n*scale && y >= offset && y < offset+n*scale
			if !inCode && dark(img.At(x, y)) {
				t.Fatalf("dark pixel at %d,%d in the quiet zone", x, y)
			}
		}
	}
	for my := 0; my < n; my++ {
		for mx := 0; mx < n; mx++ {
			want := dark(code.At(mx, my))
			// Every pixel of the module, not just its centre.
			for y := offset + my*scale; y < offset+(my+1)*scale; y++ {
				for x := offset + mx*scale; x < offset+(mx+1)*scale; x++ {
					if dark(img.At(x, y)) != want {
						t.Fatalf("module %d,%d: pixel %d,%d dark=%v, want %v", mx, my, x, y, !want, want)
					}
				}
			}
		}
	}
}

func TestQRErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		size    int
	}{
		{"empty content", "", 256},
		{"zero size", "x", 0},
		{"negative size", "x", -5},
		{"huge size", "x", 100000},
		{"too small for the code and its quiet zone", "https://t.me/smk_bot?start=abc", 30},
		{"content too long for a QR code", strings.Repeat("я", 3000), 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := QR(tt.content, tt.size); err == nil {
				t.Error("no error")
			}
		})
	}
}
