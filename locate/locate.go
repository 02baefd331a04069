// Package locate finds the face in a frame with pigo
// (github.com/esimov/pigo), a pure-Go pixel-intensity-comparison cascade,
// and implements twin.Locator: the box it returns is what twin crops and
// resamples straight into the model's input tensor. As a twin.FaceLocator
// it also places the eyes, with pigo's pupil localisation cascade (for
// crops aligned on the eyes), and refuses faces too small, dark, blurred
// or turned to be matched (Gate).
//
// Pigo's boxes are squares. On the AT&T faces (92×112 crops, padded as
// below) the box is about 91 px on a side, centred at (43, 58): it spans
// the whole face with the hair line and the chin, about the width of the
// crop itself.
//
// A Locator reuses its buffers: after the first call on a given image size
// it allocates only what pigo itself does per run (its list of raw
// detections). It is not safe for concurrent use; the cascade it holds is
// read-only, so goroutines can each build their own from the same bytes.
package locate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"sort"

	pigo "github.com/esimov/pigo/core"

	"github.com/edge-pi/edge/twin"
)

// ErrNoFace is what Locate returns when the image holds no face. It is
// twin.ErrNotFound itself, so that errors.Is works against either name.
var ErrNoFace = twin.ErrNotFound

// ErrManyFaces is what Locate returns when the image holds more than one
// face. Faces lists them; the caller decides (the largest, or none). It
// is twin.ErrManyFaces itself.
var ErrManyFaces = twin.ErrManyFaces

// ErrCascade is wrapped by New's errors about the cascade's bytes.
var ErrCascade = errors.New("locate: invalid cascade")

// Options tune detection. The zero value of a field takes its default; the
// defaults find every face of the 300 AT&T images once (see the tests).
type Options struct {
	// MinSize is the side, in pixels, of the smallest face searched for
	// (default 64, or the gate's MinSide where that is smaller: smaller
	// faces would be refused as "small" anyway). It sets most of the cost:
	// the small windows are the many. On a generated 640×480 frame Detect
	// took 16.4 ms at 40 and 5.5 ms at 64 (one Zen 5 core); both found 299
	// or 300 of the faces of eval's 300 generated frames.
	MinSize int
	// MaxSize is the side of the largest face searched for (default: the
	// shorter side of the image, padding included).
	MaxSize int
	// Shift is the step of the detection window, as a fraction of its
	// size (default 0.1).
	Shift float64
	// Scale is the ratio of one window size to the next (default 1.1).
	Scale float64
	// IoU is the intersection over union above which pigo merges two raw
	// detections into one (default 0.2). Merged boxes that still overlap
	// (one more than half inside another) are then suppressed, the one of
	// lower quality going.
	IoU float64
	// Quality is the score a merged detection must exceed to count as a
	// face (default 5, pigo's own; a clear face scores 50 to 400).
	Quality float32
	// Ratio drops the detections that score less than the best one's
	// score divided by Ratio (default 8) as background texture. A clear
	// face scores 50 to 400, and some textures (tiles, a wall's plaster)
	// 5 to 10 beside it, which made a frame with one face "many faces";
	// a second real face scores near the first. Negative: keep all.
	Ratio float32
	// Pad is the border added around small images before detection, as a
	// fraction of each side (default 0.25, black): a face crop (the AT&T
	// images, enrolment photos) fills the image, and pigo's windows cannot
	// reach a face that touches the border. Negative: never pad.
	Pad float64
	// PadBelow is the size under which an image counts as small: images
	// whose shorter side is below it are padded (default 256; camera
	// frames, 320×240 and up, are not).
	PadBelow int
	// Pupils is pigo's pupil cascade, with which LocateFace places the
	// eyes: nil takes the one PuplocCascade finds (built in), and none
	// found leaves the eyes unplaced (Locator.Eyes).
	Pupils []byte
	// NoEyes never places eyes.
	NoEyes bool
	// Gate is LocateFace's quality check.
	Gate Gate
	// Threads is the goroutines the window sizes are searched on
	// (default 1). The faces found are the same for any number.
	Threads int
}

func (o Options) withDefaults() Options {
	if o.MinSize <= 0 {
		o.MinSize = min(64, o.Gate.Limits().MinSide)
	}
	if o.Shift <= 0 {
		o.Shift = 0.1
	}
	if o.Scale <= 1 {
		o.Scale = 1.1
	}
	if o.IoU <= 0 {
		o.IoU = 0.2
	}
	if o.Quality <= 0 {
		o.Quality = 5
	}
	if o.Ratio == 0 {
		o.Ratio = 8
	}
	if o.Pad == 0 {
		o.Pad = 0.25
	}
	if o.PadBelow <= 0 {
		o.PadBelow = 256
	}
	return o
}

// Face is one detected face.
type Face struct {
	// Box is the face's square in the image's coordinates. It can reach
	// past the image's bounds when the face touches an edge.
	Box image.Rectangle
	// Q is pigo's score for it, summed over the merged detections.
	Q float32
}

// Locator finds faces with a pigo cascade.
type Locator struct {
	cascade *pigo.Pigo
	o       Options
	grey    *image.Gray // conversion of images that are not grey
	canvas  *image.Gray // padded copy of small images
	dets    []pigo.Detection
	faces   []Face
	sizes   []int                        // the window sizes of the last search
	bySize  [][]pigo.Detection           // their raw detections, when searched apart
	raw     []pigo.Detection             // the raw detections, smallest windows first
	pupils  *pupils                      // nil: eyes are not located
	gate    Gate                         // the quality gate of LocateFace
	seen    grey                         // the pixels the last Detect searched
	off     image.Point                  // the image coordinates of seen's first pixel
	crop    [cropSide * cropSide]float32 // LocateFace's grey crop
}

// New returns a Locator for a pigo cascade file's bytes (Cascade reads
// the face cascade). The bytes are checked before pigo reads them, since
// pigo's reader panics on a short file.
func New(cascade []byte, o Options) (*Locator, error) {
	if err := checkCascade(cascade); err != nil {
		return nil, err
	}
	p, err := pigo.NewPigo().Unpack(cascade)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCascade, err)
	}
	l := &Locator{cascade: p, o: o.withDefaults(), gate: o.Gate}
	if !o.NoEyes {
		b := o.Pupils
		if b == nil {
			b, _ = PuplocCascade("")
		}
		if b != nil {
			if l.pupils, err = newPupils(b); err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

// Load reads the cascade as Cascade does and returns a Locator for it.
func Load(path string, o Options) (*Locator, error) {
	b, err := Cascade(path)
	if err != nil {
		return nil, err
	}
	return New(b, o)
}

// checkCascade checks the layout pigo's Unpack reads: 8 bytes skipped,
// the tree depth d and the number of trees n (uint32, little-endian),
// then per tree 4·2^d − 4 bytes of node codes, 2^d float32 leaf values
// and a float32 threshold.
func checkCascade(b []byte) error {
	if len(b) < 16 {
		return fmt.Errorf("%w: %d bytes", ErrCascade, len(b))
	}
	depth := binary.LittleEndian.Uint32(b[8:])
	trees := binary.LittleEndian.Uint32(b[12:])
	if depth < 1 || depth > 16 || trees < 1 || trees > 1<<16 {
		return fmt.Errorf("%w: %d trees of depth %d", ErrCascade, trees, depth)
	}
	per := uint64(8) << depth // (4·2^d − 4) + 4·2^d + 4
	if need := 16 + uint64(trees)*per; uint64(len(b)) < need {
		return fmt.Errorf("%w: %d trees of depth %d need %d bytes, have %d", ErrCascade, trees, depth, need, len(b))
	}
	return nil
}

// Locate returns the box of the one face in img. No face gives
// ErrNoFace, several give ErrManyFaces (Faces then lists them).
func (l *Locator) Locate(img image.Image) (image.Rectangle, error) {
	faces := l.Detect(img)
	switch len(faces) {
	case 0:
		return image.Rectangle{}, ErrNoFace
	case 1:
		return faces[0].Box, nil
	}
	return image.Rectangle{}, ErrManyFaces
}

// Faces returns the faces the last Detect or Locate found, best first.
// The slice belongs to the Locator and is overwritten by its next call.
func (l *Locator) Faces() []Face { return l.faces }

// Detect returns every face in img, best first. The slice belongs to the
// Locator and is overwritten by its next call.
func (l *Locator) Detect(img image.Image) []Face {
	l.faces = l.faces[:0]
	b := img.Bounds()
	if b.Empty() {
		return l.faces
	}
	pix, stride := l.pixels(img)
	off := b.Min // image coordinates of pix's first pixel
	w, h := b.Dx(), b.Dy()
	if l.o.Pad > 0 && min(w, h) < l.o.PadBelow {
		px, py := int(l.o.Pad*float64(w)+0.5), int(l.o.Pad*float64(h)+0.5)
		c := reuse(&l.canvas, w+2*px, h+2*py)
		clear(c.Pix)
		for y := 0; y < h; y++ {
			copy(c.Pix[(y+py)*c.Stride+px:][:w], pix[y*stride:][:w])
		}
		pix, stride, w, h = c.Pix, c.Stride, c.Rect.Dx(), c.Rect.Dy()
		off = off.Sub(image.Pt(px, py))
	}
	l.seen, l.off = grey{pix: pix, rows: h, cols: w, dim: stride}, off
	maxSize := min(w, h)
	if l.o.MaxSize > 0 {
		maxSize = min(maxSize, l.o.MaxSize)
	}
	if l.o.MinSize > maxSize {
		return l.faces
	}
	p := pigo.CascadeParams{
		MinSize: l.o.MinSize, MaxSize: maxSize, ShiftFactor: l.o.Shift, ScaleFactor: l.o.Scale,
		ImageParams: pigo.ImageParams{Pixels: pix, Rows: h, Cols: w, Dim: stride},
	}
	dets := l.cascade.ClusterDetections(l.search(p), l.o.IoU)
	// Best first, then suppress what overlaps a better one: pigo's greedy
	// clustering leaves nested boxes of one face apart now and then.
	l.dets = append(l.dets[:0], dets...)
	sort.Slice(l.dets, func(i, j int) bool { return l.dets[i].Q > l.dets[j].Q })
	for _, d := range l.dets {
		if d.Q <= l.o.Quality || l.o.Ratio > 0 && d.Q*l.o.Ratio < l.dets[0].Q {
			break
		}
		r := image.Rect(d.Col-d.Scale/2, d.Row-d.Scale/2, d.Col-d.Scale/2+d.Scale, d.Row-d.Scale/2+d.Scale).Add(off)
		keep := true
		for _, f := range l.faces {
			if insideMore(r, f.Box) {
				keep = false
				break
			}
		}
		if keep {
			l.faces = append(l.faces, Face{Box: r, Q: d.Q})
		}
	}
	return l.faces
}

// insideMore reports whether more than half of the smaller of a and b
// lies inside the other.
func insideMore(a, b image.Rectangle) bool {
	in := a.Intersect(b)
	area := func(r image.Rectangle) int { return r.Dx() * r.Dy() }
	return 2*area(in) > min(area(a), area(b))
}

// pixels returns img's grey levels from its first pixel, row after row
// stride bytes apart: the image's own for *image.Gray, and the luma plane
// for *image.YCbCr (JPEG's Y is the same BT.601 luma), otherwise a
// conversion into the Locator's buffer.
func (l *Locator) pixels(img image.Image) ([]uint8, int) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride
	case *image.YCbCr:
		return m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride
	}
	g := reuse(&l.grey, b.Dx(), b.Dy())
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g.Pix, g.Stride
}

// reuse returns *p resized to w × h at the origin, reallocating only when
// its buffer is too small.
func reuse(p **image.Gray, w, h int) *image.Gray {
	g := *p
	if g == nil || cap(g.Pix) < w*h {
		g = image.NewGray(image.Rect(0, 0, w, h))
		*p = g
		return g
	}
	g.Pix, g.Stride, g.Rect = g.Pix[:w*h], w, image.Rect(0, 0, w, h)
	return g
}
