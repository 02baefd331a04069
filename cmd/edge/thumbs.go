package main

// Thumbnails of enrolled people for the web page, kept only where the
// owner turns them on ([web] thumbnails): a small JPEG of the face each
// enrolment from the page saw, in thumbs/ in the state directory, named
// by a hash of the name (a name never becomes a path).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/edge-pi/edge/internal/safefile"
)

// thumbSide is a thumbnail's height in pixels.
const thumbSide = 96

func (b *webBackend) thumbPath(name string) string {
	h := sha256.Sum256([]byte(name))
	return filepath.Join(b.stateDir, "thumbs", hex.EncodeToString(h[:16])+".jpg")
}

// saveThumb keeps the face of img (the box the page's network found in
// it, else the whole image) as name's thumbnail, if thumbnails are on.
func (b *webBackend) saveThumb(name string, img image.Image, box image.Rectangle) error {
	if !b.thumbs {
		return nil
	}
	r := box.Intersect(img.Bounds())
	if r.Empty() {
		r = img.Bounds()
	}
	w := max(1, r.Dx()*thumbSide/max(1, r.Dy()))
	dst := image.NewRGBA(image.Rect(0, 0, w, thumbSide))
	for y := 0; y < thumbSide; y++ { // nearest neighbour: once per enrolment
		sy := r.Min.Y + y*r.Dy()/thumbSide
		for x := 0; x < w; x++ {
			dst.Set(x, y, img.At(r.Min.X+x*r.Dx()/w, sy))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return err
	}
	p := b.thumbPath(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(p, buf.Bytes())
}

// Thumb returns name's thumbnail.
func (b *webBackend) Thumb(name string) ([]byte, error) {
	if !b.thumbs {
		return nil, fs.ErrNotExist
	}
	return safefile.ReadFile(b.thumbPath(name), 1<<20)
}

func (b *webBackend) hasThumb(name string) bool {
	if !b.thumbs {
		return false
	}
	_, err := os.Stat(b.thumbPath(name))
	return err == nil
}

// moveThumb follows a rename or a removal (new == "").
func (b *webBackend) moveThumb(old, new string) error {
	var err error
	if new == "" {
		err = os.Remove(b.thumbPath(old))
	} else {
		err = os.Rename(b.thumbPath(old), b.thumbPath(new))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
