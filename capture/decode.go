package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"sync"
)

// packedToGray writes a frame's luma to dst, whose size is the frame's:
// every step-th byte of src from the first, stride bytes a row. For
// YUYV 4:2:2 (Y0 U Y1 V for each pair of pixels) step is 2, for GREY 1:
// nothing is converted or allocated.
func packedToGray(dst *image.Gray, src []byte, stride, step int) error {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if stride < step*w || len(src) < (h-1)*stride+step*w {
		return fmt.Errorf("capture: frame of %d bytes, %d a row, for %d×%d at %d bytes a pixel", len(src), stride, w, h, step)
	}
	for y := 0; y < h; y++ {
		s := src[y*stride : y*stride+step*w]
		d := dst.Pix[dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y):][:w]
		if step == 1 {
			copy(d, s)
			continue
		}
		for x := range d {
			d[x] = s[step*x]
		}
	}
	return nil
}

// greyInto writes img in grey to dst, which has img's size: the luma
// plane of a JPEG's YCbCr, the pixels of a grey image, otherwise a
// conversion (Go's luminance weights).
func greyInto(dst *image.Gray, img image.Image) error {
	b := img.Bounds()
	if b.Size() != dst.Rect.Size() {
		return fmt.Errorf("capture: a %v image into a %v frame", b.Size(), dst.Rect.Size())
	}
	w := b.Dx()
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			copy(dst.Pix[dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y):][:w], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w])
		}
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			copy(dst.Pix[dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y):][:w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):][:w])
		}
	default:
		draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	}
	return nil
}

// mjpegDecoder decodes Motion-JPEG frames to grey. It reuses its buffer
// for frames that need fixing; image/jpeg itself allocates the decoded
// image (about 1.5 bytes a pixel) on every frame, as the standard library
// cannot decode into a given buffer.
type mjpegDecoder struct {
	buf []byte
	r   bytes.Reader
}

// decode decodes frame into dst, which has its size.
func (m *mjpegDecoder) decode(dst *image.Gray, frame []byte) error {
	m.r.Reset(m.fix(frame))
	img, err := jpeg.Decode(&m.r)
	if err != nil {
		return fmt.Errorf("capture: MJPEG frame: %w", err)
	}
	return greyInto(dst, img)
}

// fix returns frame ready for image/jpeg. Many UVC cameras leave the
// Huffman tables out of their MJPEG frames (the format's AVI1 heritage:
// the decoder is to use JPEG's standard tables, ITU T.81 Annex K.3);
// fix inserts them before the first scan of a frame that has none. It
// also ends a frame cut before its EOI marker.
func (m *mjpegDecoder) fix(frame []byte) []byte {
	sos, ok := scanForDHT(frame)
	eoi := len(frame) >= 2 && frame[len(frame)-2] == 0xff && frame[len(frame)-1] == 0xd9
	if ok && eoi {
		return frame
	}
	m.buf = m.buf[:0]
	if ok {
		m.buf = append(m.buf, frame...)
	} else {
		m.buf = append(append(append(m.buf, frame[:sos]...), standardDHT()...), frame[sos:]...)
	}
	if !eoi {
		m.buf = append(m.buf, 0xff, 0xd9)
	}
	return m.buf
}

// scanForDHT walks the marker segments of a JPEG up to its first scan. It
// returns ok when the frame has a DHT segment or is not one it can read
// (let the decoder say what is wrong); otherwise the offset of the SOS
// marker, where the tables go.
func scanForDHT(b []byte) (sos int, ok bool) {
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		return 0, true
	}
	for i := 2; i+1 < len(b); {
		if b[i] != 0xff {
			return 0, true
		}
		marker := b[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0xc4:
			return 0, true
		case marker == 0xda:
			return i, false
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd9: // no length
			i += 2
			continue
		}
		if i+4 > len(b) {
			return 0, true
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return 0, true
}

// standardDHT is a DHT segment holding the four Huffman tables of ITU
// T.81 Annex K.3. image/jpeg's encoder writes exactly these for a colour
// image, in one segment, so the segment is taken from an encoded 8×8
// image rather than typed in; the tests check it against the Annex's
// code counts and by decoding frames stripped of their tables.
var standardDHT = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		panic(err)
	}
	data := b.Bytes()
	for i := 2; i+4 <= len(data) && data[i] == 0xff; {
		n := 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if data[i+1] == 0xc4 {
			return bytes.Clone(data[i : i+n])
		}
		i += n
	}
	panic("capture: image/jpeg wrote no DHT segment")
})
