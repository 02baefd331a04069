package locate

import (
	"image"
	"math"

	"github.com/edge-pi/edge/twin"
)

// cropSide is the side of the grey crop LocateFace measures a face's
// quality on: the box's centre resampled to 64×64, so that the measures do not
// depend on the face's size in pixels.
const cropSide = 64

// cropInner is the part of the box's side that the quality is measured
// on: the central 60%, from the brows to the mouth.
const cropInner = 0.6

// Gate holds the limits of the quality check LocateFace makes before a
// face is embedded and matched. A zero field takes its default. The
// defaults pass every one of the 300 faces found in eval's generated
// frames of AT&T s1–s30 (seed 0: photos at 1–2.5× in 640×480 frames,
// gamma 0.67–1.5, gain 0.7–1.2), whose measures span: side 80–238 px,
// mean 79–232, 95th percentile 114–255, sharpness 62–1164, tilt
// −9.1–11.1°, eye offset −0.031–0.071, eye distance 0.31–0.47. The
// margins to the limits leave room for real cameras while refusing what
// the recognition was not measured on (a face of σ = 4 px blur on a
// 92-pixel photo scores under 40).
type Gate struct {
	// Off turns the check off.
	Off bool
	// MinSide is the smallest box side, in pixels (default 64): smaller
	// faces carry too few pixels for the model's 224×224 input.
	MinSide int
	// MinMean and MinBright refuse dark faces: the mean grey level of
	// the crop (default 30) and its 95th percentile (default 60), 0–255.
	MinMean, MinBright float64
	// MinSharpness is the smallest variance of the Laplacian (4-neighbour)
	// of the 64×64 crop (default 40): lower is blurred.
	MinSharpness float64
	// MaxTilt is the largest angle of the eye line from level, in
	// degrees (default 25); MaxEyeOffset the largest distance of the
	// eyes' midpoint from the box's vertical centre line, as a fraction
	// of the box side (default 0.12): more is a face turned aside;
	// MinEyeDistance and MaxEyeDistance bound the eye distance as a
	// fraction of the box side (defaults 0.22 and 0.55). The eye checks
	// apply when the eyes were located.
	MaxTilt, MaxEyeOffset          float64
	MinEyeDistance, MaxEyeDistance float64
}

// Limits is g with its zero fields set to their defaults: the limits
// Check applies.
func (g Gate) Limits() Gate { return g.withDefaults() }

func (g Gate) withDefaults() Gate {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	if g.MinSide <= 0 {
		g.MinSide = 64
	}
	def(&g.MinMean, 30)
	def(&g.MinBright, 60)
	def(&g.MinSharpness, 40)
	def(&g.MaxTilt, 25)
	def(&g.MaxEyeOffset, 0.12)
	def(&g.MinEyeDistance, 0.22)
	def(&g.MaxEyeDistance, 0.55)
	return g
}

// Quality is what the gate measures of a face.
type Quality struct {
	Side         int     // box side, pixels
	Mean, Bright float64 // mean and 95th percentile grey of the crop
	Sharpness    float64 // variance of the crop's Laplacian
	Tilt         float64 // eye line from level, degrees (with eyes)
	EyeOffset    float64 // eyes' midpoint from the centre line / side
	EyeDistance  float64 // eye distance / side
	HasEyes      bool
}

// Check returns nil if q passes g, else the *twin.QualityError of the
// first failed test in the order small, dark, blurred, turned.
func (g Gate) Check(q Quality) error {
	if g.Off {
		return nil
	}
	g = g.withDefaults()
	fail := func(reason string, v, limit float64) error {
		return &twin.QualityError{Reason: reason, Value: v, Limit: limit}
	}
	switch {
	case q.Side < g.MinSide:
		return fail("small", float64(q.Side), float64(g.MinSide))
	case q.Mean < g.MinMean:
		return fail("dark", q.Mean, g.MinMean)
	case q.Bright < g.MinBright:
		return fail("dark", q.Bright, g.MinBright)
	case q.Sharpness < g.MinSharpness:
		return fail("blurred", q.Sharpness, g.MinSharpness)
	case !q.HasEyes:
	case math.Abs(q.Tilt) > g.MaxTilt:
		return fail("turned", math.Abs(q.Tilt), g.MaxTilt)
	case math.Abs(q.EyeOffset) > g.MaxEyeOffset:
		return fail("turned", math.Abs(q.EyeOffset), g.MaxEyeOffset)
	case q.EyeDistance < g.MinEyeDistance:
		return fail("turned", q.EyeDistance, g.MinEyeDistance)
	case q.EyeDistance > g.MaxEyeDistance:
		return fail("turned", q.EyeDistance, g.MaxEyeDistance)
	}
	return nil
}

// measure computes f's Quality on the pixels the last Detect searched.
func (l *Locator) measure(f twin.Face) Quality {
	side := f.Box.Dx()
	q := Quality{Side: side, HasEyes: f.HasEyes}
	if f.HasEyes {
		dx, dy := f.RightEye.X-f.LeftEye.X, f.RightEye.Y-f.LeftEye.Y
		q.Tilt = math.Atan2(dy, dx) * 180 / math.Pi
		q.EyeDistance = math.Hypot(dx, dy) / float64(side)
		q.EyeOffset = ((f.LeftEye.X+f.RightEye.X)/2 - float64(f.Box.Min.X+f.Box.Max.X)/2) / float64(side)
	}
	// The box's central part (the face without hair, background and
	// the edges of whatever the face is in), in seen's coordinates,
	// area-averaged to cropSide².
	b := f.Box.Sub(l.off)
	inner := int(cropInner*float64(side) + 0.5)
	b.Min = b.Min.Add(image.Pt((side-inner)/2, (side-inner)/2))
	c := &l.crop
	step := float64(inner) / cropSide
	var hist [256]int
	var sum float64
	for j := 0; j < cropSide; j++ {
		y0 := b.Min.Y + int(math.Floor(float64(j)*step))
		y1 := max(y0+1, b.Min.Y+int(math.Floor(float64(j+1)*step)))
		for i := 0; i < cropSide; i++ {
			x0 := b.Min.X + int(math.Floor(float64(i)*step))
			x1 := max(x0+1, b.Min.X+int(math.Floor(float64(i+1)*step)))
			var s, n int
			for y := y0; y < y1; y++ {
				row := min(l.seen.rows-1, max(0, y)) * l.seen.dim
				for x := x0; x < x1; x++ {
					s += int(l.seen.pix[row+min(l.seen.cols-1, max(0, x))])
					n++
				}
			}
			v := float32(s) / float32(n)
			c[j*cropSide+i] = v
			sum += float64(v)
			hist[int(v)]++
		}
	}
	q.Mean = sum / (cropSide * cropSide)
	for v, n := 0, 0; v < 256; v++ {
		if n += hist[v]; n >= cropSide*cropSide*95/100 {
			q.Bright = float64(v)
			break
		}
	}
	var ls, ls2 float64
	for j := 1; j < cropSide-1; j++ {
		for i := 1; i < cropSide-1; i++ {
			k := j*cropSide + i
			v := float64(4*c[k] - c[k-1] - c[k+1] - c[k-cropSide] - c[k+cropSide])
			ls += v
			ls2 += v * v
		}
	}
	n := float64((cropSide - 2) * (cropSide - 2))
	q.Sharpness = ls2/n - (ls/n)*(ls/n)
	return q
}

// eyes places the pupils of the face in box b (image coordinates), as
// pigo's own command starts them: a window of a quarter of the box's
// side, 0.075 of it above the centre and 0.175 (left) or 0.185 (right)
// to the side. Eyes that land outside the box's upper two thirds are
// taken as not found.
func (l *Locator) eyes(b image.Rectangle) (left, right twin.Point, ok bool) {
	s := float32(b.Dx())
	bb := b.Sub(l.off)
	cr, cc := float32(bb.Min.Y+bb.Max.Y)/2, float32(bb.Min.X+bb.Max.X)/2
	lr, lc := l.pupils.find(&l.seen, cr-0.075*s, cc-0.175*s, 0.25*s, false)
	rr, rc := l.pupils.find(&l.seen, cr-0.075*s, cc+0.185*s, 0.25*s, true)
	o := l.off
	left = twin.Point{X: float64(lc) + float64(o.X), Y: float64(lr) + float64(o.Y)}
	right = twin.Point{X: float64(rc) + float64(o.X), Y: float64(rr) + float64(o.Y)}
	in := func(p twin.Point) bool {
		return p.X >= float64(b.Min.X) && p.X < float64(b.Max.X) && p.Y >= float64(b.Min.Y) && p.Y < float64(b.Min.Y)+float64(b.Dy())*2/3
	}
	return left, right, in(left) && in(right) && left.X < right.X
}

// LocateFace is Locate with the face's eyes (when the Locator has the
// pupil cascade) and its quality checked (Options.Gate): a face that
// fails comes back with a *twin.QualityError, which twin.Net returns
// instead of embedding it.
func (l *Locator) LocateFace(img image.Image) (twin.Face, error) {
	box, err := l.Locate(img)
	if err != nil {
		return twin.Face{}, err
	}
	f := twin.Face{Box: box}
	if l.pupils != nil {
		f.LeftEye, f.RightEye, f.HasEyes = l.eyes(box)
	}
	if l.gate.Off {
		return f, nil
	}
	return f, l.gate.Check(l.measure(f))
}

// Measure locates the one face of img as LocateFace does and returns its
// quality measures, for choosing the gate's limits.
func (l *Locator) Measure(img image.Image) (twin.Face, Quality, error) {
	box, err := l.Locate(img)
	if err != nil {
		return twin.Face{}, Quality{}, err
	}
	f := twin.Face{Box: box}
	if l.pupils != nil {
		f.LeftEye, f.RightEye, f.HasEyes = l.eyes(box)
	}
	return f, l.measure(f), nil
}

// Eyes reports whether the Locator places eyes (it has the pupil
// cascade).
func (l *Locator) Eyes() bool { return l.pupils != nil }
