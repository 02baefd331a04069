package imageio

import (
	"fmt"
	"image"
)

// DecodePNM decodes a netpbm grey or colour map held in data: P2 (plain
// PGM), P5 (raw PGM), P3 (plain PPM) or P6 (raw PPM), maxval 1…65535.
// Only the first image of a multi-image file is read.
//
// Samples are scaled to the full range of the result, rounding to nearest:
// maxval ≤ 255 gives *image.Gray or *image.RGBA (v·255/maxval), a larger
// maxval gives *image.Gray16 or *image.RGBA64 (v·65535/maxval). Colour
// images are opaque.
//
// A header that is malformed, a sample above maxval, data shorter than
// the header promises or an image larger than MaxPixels is an error
// wrapping ErrFormat; the pixels are allocated only once the data is
// known to be long enough, so memory stays proportional to len(data).
func DecodePNM(data []byte) (image.Image, error) {
	return decodePNM(data)
}

type pnmHeader struct {
	plain    bool
	channels int
	w, h     int
	maxval   int
}

func errPNM(format string, args ...interface{}) error {
	return fmt.Errorf("%w: PNM: %s", ErrFormat, fmt.Sprintf(format, args...))
}

func decodePNM(data []byte) (image.Image, error) {
	p := pnmParser{b: data}
	h, err := p.header()
	if err != nil {
		return nil, err
	}
	n := h.w * h.h * h.channels // fits: w·h ≤ MaxPixels
	rest := data[p.i:]
	if h.plain {
		// Each sample is at least one digit, and samples are separated.
		if len(rest) < 2*n-1 {
			return nil, errPNM("truncated: %d samples cannot fit in %d bytes", n, len(rest))
		}
	} else {
		need := n
		if h.maxval > 255 {
			need *= 2
		}
		if len(rest) < need {
			return nil, errPNM("truncated: %d bytes of pixel data, want %d", len(rest), need)
		}
	}
	wide := h.maxval > 255
	var (
		pix    []uint8 // 8-bit result: Gray or RGBA pixels
		stride int     // bytes per pixel of the result (1, 2, 4 or 8)
		img    image.Image
		rect   = image.Rect(0, 0, h.w, h.h)
	)
	switch {
	case h.channels == 1 && !wide:
		g := image.NewGray(rect)
		pix, stride, img = g.Pix, 1, g
	case h.channels == 1:
		g := image.NewGray16(rect)
		pix, stride, img = g.Pix, 2, g
	case !wide:
		g := image.NewRGBA(rect)
		pix, stride, img = g.Pix, 4, g
	default:
		g := image.NewRGBA64(rect)
		pix, stride, img = g.Pix, 8, g
	}
	mv := uint32(h.maxval)
	top := uint32(255)
	if wide {
		top = 65535
	}
	for px := 0; px < h.w*h.h; px++ {
		o := px * stride
		for c := 0; c < h.channels; c++ {
			var v uint32
			if h.plain {
				s, err := p.number("sample", h.maxval)
				if err != nil {
					return nil, err
				}
				v = uint32(s)
			} else if wide {
				v = uint32(data[p.i])<<8 | uint32(data[p.i+1])
				p.i += 2
			} else {
				v = uint32(data[p.i])
				p.i++
			}
			if v > mv {
				return nil, errPNM("sample %d at pixel (%d,%d) is above maxval %d", v, px%h.w, px/h.w, h.maxval)
			}
			if mv != top {
				v = (v*top + mv/2) / mv
			}
			if wide {
				pix[o+2*c], pix[o+2*c+1] = uint8(v>>8), uint8(v)
			} else {
				pix[o+c] = uint8(v)
			}
		}
		if h.channels == 3 { // opaque alpha
			if wide {
				pix[o+6], pix[o+7] = 0xff, 0xff
			} else {
				pix[o+3] = 0xff
			}
		}
	}
	return img, nil
}

// pnmParser reads the tokens of a netpbm header or plain raster.
type pnmParser struct {
	b []byte
	i int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// skip passes whitespace and comments ('#' to the end of the line) and
// reports whether it passed any.
func (p *pnmParser) skip() bool {
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case isSpace(c):
			p.i++
		case c == '#':
			for p.i < len(p.b) && p.b[p.i] != '\n' && p.b[p.i] != '\r' {
				p.i++
			}
		default:
			return p.i > start
		}
	}
	return p.i > start
}

// number reads a separator and then a decimal number no larger than max.
func (p *pnmParser) number(what string, max int) (int, error) {
	if !p.skip() {
		if p.i >= len(p.b) {
			return 0, errPNM("truncated before %s", what)
		}
		return 0, errPNM("%s: want whitespace at byte %d, got %q", what, p.i, p.b[p.i])
	}
	if p.i >= len(p.b) {
		return 0, errPNM("truncated before %s", what)
	}
	start, v := p.i, 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		v = v*10 + int(p.b[p.i]-'0')
		if v > max {
			return 0, errPNM("%s is larger than %d", what, max)
		}
		p.i++
	}
	if p.i == start {
		return 0, errPNM("%s: want a decimal number at byte %d, got %q", what, p.i, p.b[p.i])
	}
	if p.i < len(p.b) && !isSpace(p.b[p.i]) && p.b[p.i] != '#' {
		return 0, errPNM("%s: want whitespace at byte %d, got %q", what, p.i, p.b[p.i])
	}
	return v, nil
}

func (p *pnmParser) header() (pnmHeader, error) {
	var h pnmHeader
	if len(p.b) < 2 || p.b[0] != 'P' {
		return h, errPNM("no P2, P3, P5 or P6 magic number")
	}
	switch p.b[1] {
	case '2':
		h.plain, h.channels = true, 1
	case '3':
		h.plain, h.channels = true, 3
	case '5':
		h.channels = 1
	case '6':
		h.channels = 3
	default:
		return h, errPNM("magic number P%c is not supported (only P2, P3, P5, P6)", p.b[1])
	}
	p.i = 2
	var err error
	if h.w, err = p.number("width", MaxPixels); err != nil {
		return h, err
	}
	if h.h, err = p.number("height", MaxPixels); err != nil {
		return h, err
	}
	if err := checkSize(h.w, h.h); err != nil {
		return h, err
	}
	if h.maxval, err = p.number("maxval", 65535); err != nil {
		return h, err
	}
	if h.maxval == 0 {
		return h, errPNM("maxval is 0")
	}
	if h.plain {
		return h, nil // whitespace separates the samples that follow
	}
	// Exactly one whitespace character ends the header of a raw file.
	if p.i >= len(p.b) || !isSpace(p.b[p.i]) {
		return h, errPNM("no whitespace after maxval")
	}
	p.i++
	return h, nil
}
