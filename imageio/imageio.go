// Package imageio reads the image files edge works with: netpbm grey and
// colour maps (PGM and PPM, plain P2/P3 and raw P5/P6, any maxval up to
// 65535) with its own decoder, and PNG and JPEG with the standard
// library's.
//
// Files come from people and cameras, so every decoder is defensive: a
// malformed or hostile file gives an error, never a panic, and memory
// stays proportional to the file's size and to MaxPixels.
package imageio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"strings"

	"github.com/edge-pi/edge/internal/safefile"
)

// MaxPixels bounds the width × height of an image any decoder here
// accepts (16.7 million: a 12-megapixel camera frame fits). Larger images
// are refused before their pixels are allocated.
const MaxPixels = 1 << 24

// MaxFileBytes bounds the size of a file Load, LoadFile and Decode read.
const MaxFileBytes = 256 << 20

// ErrFormat is wrapped by every error about a file's content: an unknown
// format, a malformed header, truncated or out-of-range data, or an image
// larger than MaxPixels.
var ErrFormat = errors.New("imageio: invalid image")

// Format names what Sniff recognises.
type Format string

// The formats this package decodes.
const (
	PNM  Format = "pnm" // netpbm P2, P3, P5, P6
	PNG  Format = "png"
	JPEG Format = "jpeg"
)

// Sniff names the format of data from its first bytes, or returns "".
func Sniff(data []byte) Format {
	switch {
	case len(data) >= 2 && data[0] == 'P' && (data[1] == '2' || data[1] == '3' || data[1] == '5' || data[1] == '6'):
		return PNM
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		return JPEG
	}
	return ""
}

// Decode reads one image from r (at most MaxFileBytes).
func Decode(r io.Reader) (image.Image, Format, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > MaxFileBytes {
		return nil, "", fmt.Errorf("%w: more than %d bytes", ErrFormat, MaxFileBytes)
	}
	return DecodeBytes(data)
}

// DecodeBytes decodes the image held in data.
func DecodeBytes(data []byte) (image.Image, Format, error) {
	f := Sniff(data)
	var (
		img image.Image
		err error
	)
	switch f {
	case PNM:
		img, err = decodePNM(data)
	case PNG:
		img, err = decodeStd("png", data, png.DecodeConfig, png.Decode)
	case JPEG:
		img, err = decodeStd("jpeg", data, jpeg.DecodeConfig, jpeg.Decode)
	default:
		return nil, "", fmt.Errorf("%w: not PGM/PPM (P2, P3, P5, P6), PNG or JPEG", ErrFormat)
	}
	if err != nil {
		return nil, "", err
	}
	return img, f, nil
}

// decodeStd checks the declared size before the standard decoder
// allocates the pixels, and classifies its errors as ErrFormat.
func decodeStd(name string, data []byte, config func(io.Reader) (image.Config, error), decode func(io.Reader) (image.Image, error)) (image.Image, error) {
	c, err := config(bytes.NewReader(data))
	if err != nil {
		return nil, stdErr(name, err)
	}
	if err := checkSize(c.Width, c.Height); err != nil {
		return nil, err
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, stdErr(name, err)
	}
	return img, nil
}

// stdErr wraps an error of the standard decoders as ErrFormat, naming
// the format once ("png: invalid format: ...", "jpeg: unexpected EOF").
func stdErr(name string, err error) error {
	msg := err.Error()
	if !strings.HasPrefix(msg, name+":") {
		msg = name + ": " + msg
	}
	return fmt.Errorf("%w: %s", ErrFormat, msg)
}

func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: empty image (%d×%d)", ErrFormat, w, h)
	}
	if w > MaxPixels || h > MaxPixels || w*h > MaxPixels {
		return fmt.Errorf("%w: %d×%d is more than %d pixels", ErrFormat, w, h, MaxPixels)
	}
	return nil
}

// LoadFile reads and decodes the image file at path, which must be a
// regular file of at most MaxFileBytes. Errors name the path.
func LoadFile(path string) (image.Image, error) {
	// A regular file only (a FIFO without a writer would block, a device
	// never ends), its size checked before anything is read.
	data, err := safefile.ReadFile(path, MaxFileBytes)
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if err != nil {
		return nil, err
	}
	return decodeNamed(path, data)
}

// Load reads and decodes the image file name of fsys (a folder, a zip
// archive). Errors name the file.
func Load(fsys fs.FS, name string) (image.Image, error) {
	data, err := readFile(name, func() (fs.File, error) { return fsys.Open(name) })
	if err != nil {
		return nil, err
	}
	return decodeNamed(name, data)
}

// LoadGray reads the image file at path and converts it to grey (Go's
// luminance weights, 0.299 R + 0.587 G + 0.114 B).
func LoadGray(path string) (*image.Gray, error) {
	img, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	return Gray(img), nil
}

// Gray returns img as *image.Gray: img itself if it is one, otherwise a
// converted copy.
func Gray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

func readFile(name string, open func() (fs.File, error)) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", name)
	} else if err == nil && st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%s: %w: %d bytes is more than %d", name, ErrFormat, st.Size(), MaxFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", name, ErrFormat, MaxFileBytes)
	}
	return data, nil
}

func decodeNamed(name string, data []byte) (image.Image, error) {
	img, _, err := DecodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return img, nil
}
