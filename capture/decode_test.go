package capture

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// guarded returns a w × h grey image inside a larger buffer filled with
// a sentinel, and a check that the sentinel is intact.
func guarded(t *testing.T, w, h int) (*image.Gray, func()) {
	big := image.NewGray(image.Rect(-3, -2, w+5, h+4))
	for i := range big.Pix {
		big.Pix[i] = 0xa5
	}
	g := big.SubImage(image.Rect(0, 0, w, h)).(*image.Gray)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray(x, y, color.Gray{0})
		}
	}
	return g, func() {
		t.Helper()
		for y := big.Rect.Min.Y; y < big.Rect.Max.Y; y++ {
			for x := big.Rect.Min.X; x < big.Rect.Max.X; x++ {
				if !(image.Pt(x, y).In(g.Rect)) && big.GrayAt(x, y).Y != 0xa5 {
					t.Fatalf("wrote outside the frame at (%d, %d)", x, y)
				}
			}
		}
	}
}

func TestPackedToGray(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, step := range []int{1, 2} {
		for _, size := range []image.Point{{1, 1}, {2, 1}, {7, 3}, {64, 48}} {
			for _, pad := range []int{0, 5} {
				w, h := size.X, size.Y
				stride := step*w + pad
				src := make([]byte, (h-1)*stride+step*w)
				for i := range src {
					src[i] = byte(r.Uint32())
				}
				dst, check := guarded(t, w, h)
				if err := packedToGray(dst, src, stride, step); err != nil {
					t.Fatalf("step %d %v pad %d: %v", step, size, pad, err)
				}
				check()
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						if got, want := dst.GrayAt(x, y).Y, src[y*stride+step*x]; got != want {
							t.Fatalf("step %d %v pad %d: (%d, %d) = %d, want %d", step, size, pad, x, y, got, want)
						}
					}
				}
				if err := packedToGray(dst, src[:len(src)-1], stride, step); err == nil {
					t.Errorf("step %d %v: short frame accepted", step, size)
				}
				if err := packedToGray(dst, src, step*w-1, step); err == nil {
					t.Errorf("step %d %v: short stride accepted", step, size)
				}
			}
		}
	}
	dst := image.NewGray(image.Rect(0, 0, 640, 480))
	src := make([]byte, 640*480*2)
	if n := testing.AllocsPerRun(10, func() { packedToGray(dst, src, 1280, 2) }); n != 0 {
		t.Errorf("YUYV to grey: %v allocations", n)
	}
}

// testJPEG encodes a w × h test pattern, grey or colour.
func testJPEG(t *testing.T, w, h int, grey bool) []byte {
	t.Helper()
	var img image.Image
	if grey {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = byte(i*7 + i/w*3)
		}
		img = g
	} else {
		c := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range c.Pix {
			c.Pix[i] = byte(i*5 + i/w)
		}
		img = c
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// stripDHT removes the DHT segments of a JPEG, as many UVC cameras send it.
func stripDHT(b []byte) []byte {
	out := append([]byte(nil), b[:2]...)
	i := 2
	for i+4 <= len(b) && b[i] == 0xff && b[i+1] != 0xda {
		n := 2 + int(binary.BigEndian.Uint16(b[i+2:]))
		if b[i+1] != 0xc4 {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return append(out, b[i:]...)
}

func TestStandardDHT(t *testing.T) {
	d := standardDHT()
	if len(d) != 420 || d[0] != 0xff || d[1] != 0xc4 || binary.BigEndian.Uint16(d[2:]) != 418 {
		t.Fatalf("DHT segment of %d bytes: % x…", len(d), d[:4])
	}
	// Annex K.3: the number of codes of each length, per table.
	counts := map[byte][16]byte{
		0x00: {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
		0x10: {0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d},
		0x01: {0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
		0x11: {0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77},
	}
	for i := 4; i < len(d); {
		class := d[i]
		var c [16]byte
		copy(c[:], d[i+1:])
		want, ok := counts[class]
		if !ok || c != want {
			t.Fatalf("table %#x: counts %v, want %v", class, c, want)
		}
		delete(counts, class)
		n := 0
		for _, v := range c {
			n += int(v)
		}
		i += 17 + n
	}
	if len(counts) != 0 {
		t.Errorf("tables missing: %v", counts)
	}
}

func TestMJPEG(t *testing.T) {
	for _, grey := range []bool{true, false} {
		full := testJPEG(t, 64, 48, grey)
		want := image.NewGray(image.Rect(0, 0, 64, 48))
		img, err := jpeg.Decode(bytes.NewReader(full))
		if err != nil {
			t.Fatal(err)
		}
		greyInto(want, img)
		stripped := stripDHT(full)
		if bytes.Equal(stripped, full) {
			t.Fatal("no DHT stripped")
		}
		if _, err := jpeg.Decode(bytes.NewReader(stripped)); err == nil {
			t.Fatal("image/jpeg decoded a frame without Huffman tables: the fix is moot")
		}
		var m mjpegDecoder
		for name, frame := range map[string][]byte{
			"whole": full, "no DHT": stripped, "no EOI": full[:len(full)-2],
			"no DHT, no EOI": stripped[:len(stripped)-2],
		} {
			dst, check := guarded(t, 64, 48)
			if err := m.decode(dst, frame); err != nil {
				t.Errorf("grey %v, %s: %v", grey, name, err)
				continue
			}
			check()
			for y := 0; y < 48; y++ {
				for x := 0; x < 64; x++ {
					if dst.GrayAt(x, y) != want.GrayAt(x, y) {
						t.Fatalf("grey %v, %s: (%d, %d) = %v, want %v", grey, name, x, y, dst.GrayAt(x, y), want.GrayAt(x, y))
					}
				}
			}
		}
		// The wrong size, garbage, truncation: errors, never a panic.
		if err := m.decode(image.NewGray(image.Rect(0, 0, 32, 48)), full); err == nil {
			t.Error("a 64×48 frame decoded into 32×48")
		}
		for n := 0; n < len(stripped); n += 37 {
			m.decode(image.NewGray(image.Rect(0, 0, 64, 48)), stripped[:n])
		}
		m.decode(image.NewGray(image.Rect(0, 0, 64, 48)), []byte{0xff, 0xd8, 0xff, 0xc0, 0xff, 0xff})
	}
}

func TestGreyInto(t *testing.T) {
	src := image.NewRGBA(image.Rect(10, 20, 14, 23))
	for i := range src.Pix {
		src.Pix[i] = byte(i * 9)
	}
	dst, check := guarded(t, 4, 3)
	if err := greyInto(dst, src); err != nil {
		t.Fatal(err)
	}
	check()
	for y := 0; y < 3; y++ {
		for x := 0; x < 4; x++ {
			if got, want := dst.GrayAt(x, y), color.GrayModel.Convert(src.At(10+x, 20+y)); got != want {
				t.Fatalf("(%d, %d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// BenchmarkDecode times turning a 640×480 camera frame into grey.
func BenchmarkDecode(b *testing.B) {
	dst := image.NewGray(image.Rect(0, 0, 640, 480))
	b.Run("YUYV", func(b *testing.B) {
		src := make([]byte, 640*480*2)
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			packedToGray(dst, src, 1280, 2)
		}
	})
	b.Run("MJPEG", func(b *testing.B) {
		c := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio422)
		for i := range c.Y {
			c.Y[i] = byte(i * 7 / 640)
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, c, &jpeg.Options{Quality: 85})
		frame := stripDHT(buf.Bytes())
		var m mjpegDecoder
		b.ReportAllocs()
		for b.Loop() {
			if err := m.decode(dst, frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}
