package eval

import (
	"fmt"
	"image"
	"math"
)

// Presentation attacks and genuine visits, drawn from face photos alone
// (there are no spoof recordings to test with): a sequence is the frames a
// door camera sees during one attempt.
//
//   - genuine: a person's photos in order, one a frame, each placed as a
//     live face would move (a drifting position, size and roll): pose and
//     expression change from frame to frame, which no plane explains.
//   - replay: one photo held to the camera by hand: the same picture in
//     every frame, seen through a perspective warp that drifts (yaw and
//     pitch within ±MaxTilt, roll, distance, position): planar motion.
//   - screen: the replay shown on a phone or tablet: a dark bezel around
//     it, the screen's own gamma and raised black level, a little blur,
//     and moiré (the screen's pixel grid beating with the sensor's) that
//     changes with the angle.
//   - print: the replay printed: reduced contrast (ink never black, paper
//     never white), paper grain fixed to the sheet, and a white margin or
//     none (borderless).
//
// Each sequence has one background and one light for all its frames
// (gain flickering ±2%), and fresh sensor noise each frame.

// SpoofKinds are the sequence kinds: the genuine one first, then the
// attacks.
var SpoofKinds = []string{"genuine", "replay", "screen", "print"}

// SequenceOptions shape the sequences; a zero field takes its default.
type SequenceOptions struct {
	Frames        int     // frames a sequence (default 5: the decision window)
	Width, Height int     // frame size (default 640×480)
	MaxTilt       float64 // an attack's yaw and pitch bound, degrees (default 15)
}

func (o SequenceOptions) withDefaults() SequenceOptions {
	if o.Frames <= 0 {
		o.Frames = 5
	}
	if o.Width <= 0 {
		o.Width = 640
	}
	if o.Height <= 0 {
		o.Height = 480
	}
	if o.MaxTilt <= 0 {
		o.MaxTilt = 15
	}
	return o
}

// Sequence is one attempt's frames; Frame.Face is where the photo's
// rectangle went (its bounding box, for an attack's warped one).
type Sequence struct {
	Kind   string
	Photos []int // which photo each frame shows (index into the photos given)
	Frames []Frame
}

// MakeSequence draws a sequence of kind (SpoofKinds) from photos (one
// person's, in order) and seed alone.
func MakeSequence(photos []image.Image, kind string, seed uint64, o SequenceOptions) (Sequence, error) {
	o = o.withDefaults()
	if len(photos) == 0 {
		return Sequence{}, fmt.Errorf("eval: a sequence needs at least one photo")
	}
	known := false
	for _, k := range SpoofKinds {
		known = known || k == kind
	}
	if !known {
		return Sequence{}, fmt.Errorf("eval: unknown sequence kind %q (have %v)", kind, SpoofKinds)
	}
	r := rng{seed}
	w, h := o.Width, o.Height
	bgKind := r.intn(len(Backgrounds))
	bg := make([]float64, w*h)
	background(bg, w, h, bgKind, &r)
	light := sceneLight{gamma: math.Exp(r.uniform(math.Log(0.75), math.Log(1.33))), gain: r.uniform(0.8, 1.15), side: r.uniform(-0.1, 0.1)}

	s := Sequence{Kind: kind}
	greys := make([]greyImage, len(photos))
	for i, p := range photos {
		greys[i] = greyOf(p)
	}
	first := r.intn(len(photos))
	// The pose: centre, scale (frame pixels per photo pixel), roll, yaw,
	// pitch; attacks add a distance factor through the scale.
	ph := greys[first]
	scale := r.uniform(1.5, 2.3)
	cx := r.uniform(0.35, 0.65) * float64(w)
	cy := r.uniform(0.4, 0.6) * float64(h)
	roll := r.uniform(-4, 4)
	yaw, pitch := r.uniform(-o.MaxTilt, o.MaxTilt)/2, r.uniform(-o.MaxTilt, o.MaxTilt)/2
	var obj object
	if kind != "genuine" {
		obj = newObject(ph, kind, &r)
	}
	work := make([]float64, w*h)
	for i := 0; i < o.Frames; i++ {
		copy(work, bg)
		// drift of the pose from the previous frame
		cx += r.uniform(-10, 10)
		cy += r.uniform(-8, 8)
		scale *= r.uniform(0.96, 1.04)
		roll += r.uniform(-2, 2)
		var box image.Rectangle
		if kind == "genuine" {
			k := (first + i) % len(photos)
			s.Photos = append(s.Photos, k)
			g := greys[k]
			m := placement(g.w, g.h, scale, roll, 0, 0, cx, cy)
			box = paste(work, w, h, m, g.w, g.h, func(x, y float64) float64 { return g.bilinear(x-0.5, y-0.5) })
		} else {
			s.Photos = append(s.Photos, first)
			yaw = clamp(yaw+r.uniform(-4, 4), -o.MaxTilt, o.MaxTilt)
			pitch = clamp(pitch+r.uniform(-4, 4), -o.MaxTilt, o.MaxTilt)
			m := placement(obj.w, obj.h, scale*float64(ph.w)/float64(obj.inner), roll, yaw, pitch, cx, cy)
			box = paste(work, w, h, m, obj.w, obj.h, obj.at)
			if kind == "screen" {
				obj.moire(work, w, h, box, &r)
			}
		}
		f := Frame{Image: image.NewGray(image.Rect(0, 0, w, h)), Face: box, Background: bgKind, Scale: scale, Roll: roll, Gamma: light.gamma, Gain: light.gain}
		light.render(f.Image, work, w, h, &r)
		s.Frames = append(s.Frames, f)
	}
	return s, nil
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// sceneLight is a sequence's light: grey v becomes
// 255·gain·(v/255)^gamma, times a side ramp, with sensor noise.
type sceneLight struct{ gamma, gain, side float64 }

func (l sceneLight) render(dst *image.Gray, src []float64, w, h int, r *rng) {
	gain := l.gain * r.uniform(0.98, 1.02)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 255 * gain * (1 + l.side*(2*float64(x)/float64(w)-1)) * math.Pow(math.Max(0, src[y*w+x])/255, l.gamma)
			v += 2 * r.normal()
			dst.Pix[y*dst.Stride+x] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
}

// homography is a 3×3 projective map, row-major.
type homography [9]float64

func (m *homography) apply(x, y float64) (float64, float64, float64) {
	w := m[6]*x + m[7]*y + m[8]
	return (m[0]*x + m[1]*y + m[2]) / w, (m[3]*x + m[4]*y + m[5]) / w, w
}

func (m *homography) inverse() homography {
	a, b, c, d, e, f, g, h, i := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	det := a*(e*i-f*h) - b*(d*i-f*g) + c*(d*h-e*g)
	return homography{
		(e*i - f*h) / det, (c*h - b*i) / det, (b*f - c*e) / det,
		(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det,
		(d*h - e*g) / det, (b*g - a*h) / det, (a*e - b*d) / det,
	}
}

// placement maps a flat ow×oh picture (its pixel coordinates) into the
// frame: scaled by s, turned by roll, tilted by yaw and pitch (degrees)
// in front of a camera of focal length 800 pixels, its centre at (cx, cy).
func placement(ow, oh int, s, roll, yaw, pitch, cx, cy float64) homography {
	const f = 800.0
	rad := math.Pi / 180
	cr, sr := math.Cos(roll*rad), math.Sin(roll*rad)
	cyw, syw := math.Cos(yaw*rad), math.Sin(yaw*rad)
	cp, sp := math.Cos(pitch*rad), math.Sin(pitch*rad)
	// R = Rz(roll)·Rx(pitch)·Ry(yaw); only its first two columns matter
	// for points on the plane z = 0.
	ry := [9]float64{cyw, 0, syw, 0, 1, 0, -syw, 0, cyw}
	rx := [9]float64{1, 0, 0, 0, cp, -sp, 0, sp, cp}
	rz := [9]float64{cr, -sr, 0, sr, cr, 0, 0, 0, 1}
	rot := mul3(rz, mul3(rx, ry))
	// plane point (X, Y) = s·(x − ow/2, y − oh/2) at depth f: camera
	// point R·(X, Y, 0) + (0, 0, f), projected by f/z and moved to (cx, cy).
	k := [9]float64{f, 0, cx, 0, f, cy, 0, 0, 1}
	rt := [9]float64{rot[0], rot[1], 0, rot[3], rot[4], 0, rot[6], rot[7], f}
	sc := [9]float64{s, 0, -s * float64(ow) / 2, 0, s, -s * float64(oh) / 2, 0, 0, 1}
	return homography(mul3(k, mul3(rt, sc)))
}

func mul3(a, b [9]float64) [9]float64 {
	var c [9]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				c[i*3+j] += a[i*3+k] * b[k*3+j]
			}
		}
	}
	return c
}

// paste draws the ow×oh picture at (picture coordinates, pixel edges at
// integers) into dst through m, its edge blended over 1.5 pixels, and
// returns the bounding box it covers.
func paste(dst []float64, w, h int, m homography, ow, oh int, at func(x, y float64) float64) image.Rectangle {
	inv := m.inverse()
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range [][2]float64{{0, 0}, {float64(ow), 0}, {0, float64(oh)}, {float64(ow), float64(oh)}} {
		x, y, _ := m.apply(c[0], c[1])
		x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
	}
	box := image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1))).Intersect(image.Rect(0, 0, w, h))
	const feather = 1.5
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			px, py, pw := inv.apply(float64(x)+0.5, float64(y)+0.5)
			if pw <= 0 {
				continue
			}
			edge := math.Min(math.Min(px, float64(ow)-px), math.Min(py, float64(oh)-py))
			if edge <= 0 {
				continue
			}
			// the picture's scale here, for the feather in frame pixels
			a := math.Min(1, edge*m[0]/m[8]/feather)
			if a < 0 || math.IsNaN(a) {
				a = 1
			}
			i := y*w + x
			dst[i] = a*at(px, py) + (1-a)*dst[i]
		}
	}
	return box
}

// object is the thing an attacker holds up: the photo on a screen or on
// paper, with its surround, in its own pixel coordinates (inner: the
// photo's width there).
type object struct {
	kind        string
	photo       greyImage
	w, h, inner int
	margin      int     // the bezel's or the paper margin's width
	lo, hi      float64 // the photo's grey range as shown
	surround    float64 // the bezel's or the margin's grey
	grain       valueNoise
	blur        float64
	// moiré: period (frame pixels), angle, strength
	period, angle, amp float64
}

func newObject(ph greyImage, kind string, r *rng) object {
	o := object{kind: kind, photo: ph, inner: ph.w, lo: 0, hi: 255}
	switch kind {
	case "screen":
		o.margin = int(math.Round(r.uniform(0.06, 0.15) * float64(ph.w)))
		o.surround = r.uniform(5, 30)
		o.lo, o.hi = r.uniform(12, 35), r.uniform(215, 255) // emissive: never black
		o.blur = r.uniform(0.3, 0.8)
		o.period, o.angle, o.amp = r.uniform(3, 7), r.uniform(0, math.Pi), r.uniform(3, 10)
	case "print":
		if r.intn(2) == 0 { // a white margin; else borderless
			o.margin = int(math.Round(r.uniform(0.05, 0.12) * float64(ph.w)))
		}
		o.lo, o.hi = r.uniform(25, 60), r.uniform(195, 240)
		o.surround = o.hi
		o.grain = newValueNoise(ph.w+2*o.margin, ph.h+2*o.margin, r.uniform(0.7, 1.5), r)
	}
	o.w, o.h = ph.w+2*o.margin, ph.h+2*o.margin
	return o
}

// at is the object's grey level at (x, y) in its coordinates.
func (o *object) at(x, y float64) float64 {
	px, py := x-float64(o.margin), y-float64(o.margin)
	var v float64
	if px < 0 || py < 0 || px >= float64(o.photo.w) || py >= float64(o.photo.h) {
		v = o.surround
	} else {
		if o.blur > 0 { // a five-tap blur of the screen's picture
			d := o.blur
			v = (2*o.photo.bilinear(px-0.5, py-0.5) + o.photo.bilinear(px-0.5-d, py-0.5) + o.photo.bilinear(px-0.5+d, py-0.5) +
				o.photo.bilinear(px-0.5, py-0.5-d) + o.photo.bilinear(px-0.5, py-0.5+d)) / 6
		} else {
			v = o.photo.bilinear(px-0.5, py-0.5)
		}
		v = o.lo + v*(o.hi-o.lo)/255
	}
	if o.kind == "print" {
		v *= 1 + 0.06*o.grain.at(x, y)
	}
	return v
}

// moire adds the screen's moiré inside box: a beat of period, angle and
// strength that change a little with every frame (the screen moved).
func (o *object) moire(dst []float64, w, h int, box image.Rectangle, r *rng) {
	o.period *= r.uniform(0.9, 1.1)
	o.angle += r.uniform(-0.2, 0.2)
	kx, ky := math.Cos(o.angle)*2*math.Pi/o.period, math.Sin(o.angle)*2*math.Pi/o.period
	phase := r.uniform(0, 2*math.Pi)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			dst[y*w+x] += o.amp * math.Sin(kx*float64(x)+ky*float64(y)+phase)
		}
	}
}
