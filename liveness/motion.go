package liveness

import (
	"image"
	"math"
)

// The motion check: a photo or a screen held to the camera moves as a
// plane, so any two views of it are related by a homography (a 3×3
// projective map) of the image; a head that turns, nods or changes its
// expression is not a plane, and no homography maps one view onto the
// next. Motion measures, for two frames of a face, what is left after
// the best homography (and a gain and offset for the light) maps the
// second view onto the first: near the sensor noise for a plane, more
// for a live face.
//
// The views are the face boxes the detector found, each expanded by
// motionExpand about its centre, all of a chain at the size of its first
// box (the detector's box changes size by up to 15% from one frame to
// the next where the face did not, and views sampled at different scales
// differ in sharpness, which no homography explains), and resampled
// (area-averaged) to motionSize² grey levels, then normalised to zero
// mean and unit deviation over the template: the central motionInner of
// the first view's box, inside the face (a box that reaches past a held
// photo's edge would show the room behind it, which does not move with
// the photo). The homography is fitted by Gauss-Newton over a two-level
// pyramid from the best whole-pixel shifts and scales at the coarse
// level. The score is the RMS of the residual over the template (in
// units of the face's own contrast): 0 for views that a plane explains
// exactly. On the generated sequences of eval.MakeSequence (s1–s30 of
// ../shared, four seeds each, attacks held for ten frames), the second
// largest score of a window, the evidence the Checker weighs, was at
// most 0.080 for a planar attack and at least 0.124 for a genuine visit.
//
// A fit that fails to converge leaves a large residual, which reads as
// "live": so the fit starts from every shift of the coarse search that
// is within motionRestarts of the best and keeps the smallest residual,
// and the score is the minimum, never the maximum, of what was tried.

const (
	motionSize     = 64  // pixels a side of a view at the fine level
	motionExpand   = 1.5 // the view covers the box times this
	motionInner    = 0.5 // the template: the box's central part
	motionResize   = 1.3 // a box this much larger or smaller than the chain's starts a new size
	motionOverlap  = 0.4 // a box overlapping the previous one less (IoU) starts a new chain
	motionShift    = 3   // whole-pixel shifts searched at the coarse level, ±
	motionIters0   = 8   // Gauss-Newton steps at the fine level
	motionIters1   = 12  // at the coarse level
	motionRestarts = 3   // coarse starts fitted, best first
)

// motionScales are the scales of the second view searched at the coarse
// level with the shifts: the detector's box changes size from frame to
// frame by more than Gauss-Newton recovers from.
var motionScales = [...]float64{0.87, 1, 1.15}

// view is one frame's face at the two pyramid levels.
type view struct {
	fine, coarse []float32 // motionSize², (motionSize/2)², normalised
	gxf, gyf     []float32 // gradients of fine (per normalised unit)
	gxc, gyc     []float32
}

func newView() view {
	n, m := motionSize*motionSize, motionSize*motionSize/4
	return view{
		fine: make([]float32, n), coarse: make([]float32, m),
		gxf: make([]float32, n), gyf: make([]float32, n),
		gxc: make([]float32, m), gyc: make([]float32, m),
	}
}

// load fills v from the box of img: area-averaged samples (4×4 bilinear
// points a pixel), a binomial blur, normalisation over the box (the
// central 1/motionExpand), the coarse level and the gradients. It
// reports false for an empty box.
func (v *view) load(img *image.Gray, box image.Rectangle, size float64, tmp []float32) bool {
	if box.Dx() < 8 || box.Dy() < 8 {
		return false
	}
	side := motionExpand * size
	cx := float64(box.Min.X+box.Max.X) / 2
	cy := float64(box.Min.Y+box.Max.Y) / 2
	step := side / motionSize
	const sub = 4
	for y := 0; y < motionSize; y++ {
		for x := 0; x < motionSize; x++ {
			var s float64
			for j := 0; j < sub; j++ {
				for i := 0; i < sub; i++ {
					px := cx - side/2 + (float64(x)+(float64(i)+0.5)/sub)*step
					py := cy - side/2 + (float64(y)+(float64(j)+0.5)/sub)*step
					s += greyAt(img, px-0.5, py-0.5)
				}
			}
			tmp[y*motionSize+x] = float32(s / (sub * sub))
		}
	}
	// Two binomial passes (σ ≈ 1 pixel of the view, a few of the frame):
	// a screen's moiré, a print's grain and the sensor noise change from
	// frame to frame as a face does not, and are finer than its features.
	blur3(v.fine, tmp, motionSize)
	blur3(tmp, v.fine, motionSize)
	copy(v.fine, tmp[:len(v.fine)])
	normalise(v.fine, motionSize)
	for y := 0; y < motionSize/2; y++ {
		for x := 0; x < motionSize/2; x++ {
			i := 2*y*motionSize + 2*x
			tmp[y*motionSize/2+x] = (v.fine[i] + v.fine[i+1] + v.fine[i+motionSize] + v.fine[i+motionSize+1]) / 4
		}
	}
	copy(v.coarse, tmp[:len(v.coarse)])
	gradients(v.gxf, v.gyf, v.fine, motionSize)
	gradients(v.gxc, v.gyc, v.coarse, motionSize/2)
	return true
}

// greyAt is img's bilinear grey level at (x, y) in pixel-centre
// coordinates, the border repeated outside.
func greyAt(img *image.Gray, x, y float64) float64 {
	b := img.Rect
	x = math.Max(float64(b.Min.X), math.Min(float64(b.Max.X-1), x))
	y = math.Max(float64(b.Min.Y), math.Min(float64(b.Max.Y-1), y))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, b.Max.X-1), min(y0+1, b.Max.Y-1)
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(x, y int) float64 { return float64(img.Pix[img.PixOffset(x, y)]) }
	top := p(x0, y0) + (p(x1, y0)-p(x0, y0))*fx
	bot := p(x0, y1) + (p(x1, y1)-p(x0, y1))*fx
	return top + (bot-top)*fy
}

// blur3 is a 1-2-1 binomial blur of the n×n src into dst, the border
// repeated.
func blur3(dst, src []float32, n int) {
	at := func(x, y int) float32 { return src[min(n-1, max(0, y))*n+min(n-1, max(0, x))] }
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var s float32
			for j := -1; j <= 1; j++ {
				wy := float32(2 - j*j)
				s += wy * (at(x-1, y+j) + 2*at(x, y+j) + at(x+1, y+j))
			}
			dst[y*n+x] = s / 16
		}
	}
}

// normalise makes the n×n view zero-mean and of unit deviation over its
// central 1/motionExpand (the face box); a flat box is left at zero.
func normalise(p []float32, n int) {
	lo, hi := boxRange(n)
	var s, ss float64
	for y := lo; y < hi; y++ {
		for x := lo; x < hi; x++ {
			v := float64(p[y*n+x])
			s += v
			ss += v * v
		}
	}
	c := float64((hi - lo) * (hi - lo))
	mean := s / c
	sd := math.Sqrt(math.Max(0, ss/c-mean*mean))
	inv := 0.0
	if sd > 1e-3 {
		inv = 1 / sd
	}
	for i, v := range p {
		p[i] = float32((float64(v) - mean) * inv)
	}
}

// boxRange is the pixel range [lo, hi) of the face box in an n-pixel
// view (on both axes).
func boxRange(n int) (lo, hi int) {
	m := int(math.Round(float64(n) * (1 - motionInner/motionExpand) / 2))
	return m, n - m
}

// gradients are the central differences of the n×n p, per normalised
// unit (the view spans [-1, 1]).
func gradients(gx, gy, p []float32, n int) {
	half := float32(n) / 4 // d/du = (n/2)·d/dpixel, and the central difference halves it
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			xl, xr := max(0, x-1), min(n-1, x+1)
			yu, yd := max(0, y-1), min(n-1, y+1)
			gx[y*n+x] = (p[y*n+xr] - p[y*n+xl]) * half * 2 / float32(xr-xl)
			gy[y*n+x] = (p[yd*n+x] - p[yu*n+x]) * half * 2 / float32(yd-yu)
		}
	}
}

// sample is p's bilinear value at normalised (u, v) ∈ [-1, 1]², and
// false outside.
func sample(p []float32, n int, u, v float64) (float32, bool) {
	x := (u+1)*float64(n)/2 - 0.5
	y := (v+1)*float64(n)/2 - 0.5
	if !(x >= 0 && y >= 0 && x <= float64(n-1) && y <= float64(n-1)) {
		return 0, false
	}
	x0, y0 := min(int(x), n-2), min(int(y), n-2)
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	i := y0*n + x0
	top := p[i] + (p[i+1]-p[i])*fx
	bot := p[i+n] + (p[i+n+1]-p[i+n])*fx
	return top + (bot-top)*fy, true
}

// fit holds the parameters of a fit: the homography h (h[8] = 1) as
// 8 values, the gain and the offset.
type fit [10]float64

func identityFit() fit { return fit{0, 0, 0, 0, 0, 0, 0, 0, 1, 0} }

// warp maps normalised (u, v) of the template to the other view.
func (p *fit) warp(u, v float64) (x, y, w float64) {
	w = p[6]*u + p[7]*v + 1
	x = ((1+p[0])*u + p[1]*v + p[2]) / w
	y = (p[3]*u + (1+p[4])*v + p[5]) / w
	return x, y, w
}

// gnStep runs one Gauss-Newton step of the fit of view b onto the
// template a at one level (n pixels a side), and returns the RMS
// residual before the step and whether enough of the template landed
// inside b to fit.
func gnStep(p *fit, a, b, gx, gy []float32, n int, solve bool) (float64, bool) {
	var jtj [10][10]float64
	var jtr [10]float64
	var ss float64
	cnt := 0
	lo, hi := boxRange(n)
	for y := lo; y < hi; y++ {
		v := (2*float64(y)+1)/float64(n) - 1
		for x := lo; x < hi; x++ {
			u := (2*float64(x)+1)/float64(n) - 1
			wx, wy, w := p.warp(u, v)
			bv, ok := sample(b, n, wx, wy)
			if !ok || w <= 0 {
				continue
			}
			r := float64(a[y*n+x]) - (p[8]*float64(bv) + p[9])
			ss += r * r
			cnt++
			if !solve {
				continue
			}
			bx, _ := sample(gx, n, wx, wy)
			by, _ := sample(gy, n, wx, wy)
			g := p[8]
			dx, dy := g*float64(bx)/w, g*float64(by)/w
			var j [10]float64
			j[0], j[1], j[2] = dx*u, dx*v, dx
			j[3], j[4], j[5] = dy*u, dy*v, dy
			j[6] = -(dx*wx + dy*wy) * u
			j[7] = -(dx*wx + dy*wy) * v
			j[8], j[9] = float64(bv), 1
			for k := 0; k < 10; k++ {
				jtr[k] += j[k] * r
				for l := 0; l <= k; l++ {
					jtj[k][l] += j[k] * j[l]
				}
			}
		}
	}
	total := (hi - lo) * (hi - lo)
	if cnt < total/2 {
		return math.Inf(1), false
	}
	rms := math.Sqrt(ss / float64(cnt))
	if !solve {
		return rms, true
	}
	for k := 0; k < 10; k++ {
		for l := k + 1; l < 10; l++ {
			jtj[k][l] = jtj[l][k]
		}
		jtj[k][k] *= 1 + 1e-3 // a little damping
		jtj[k][k] += 1e-9
	}
	var d [10]float64
	if !solve10(&jtj, &jtr, &d) {
		return rms, false
	}
	for k := range p {
		p[k] += d[k]
	}
	return rms, true
}

// solve10 solves m·x = r by Gaussian elimination with partial pivoting
// (m and r are destroyed); false when m is singular.
func solve10(m *[10][10]float64, r, x *[10]float64) bool {
	for c := 0; c < 10; c++ {
		piv := c
		for i := c + 1; i < 10; i++ {
			if math.Abs(m[i][c]) > math.Abs(m[piv][c]) {
				piv = i
			}
		}
		if math.Abs(m[piv][c]) < 1e-12 {
			return false
		}
		m[c], m[piv] = m[piv], m[c]
		r[c], r[piv] = r[piv], r[c]
		for i := c + 1; i < 10; i++ {
			f := m[i][c] / m[c][c]
			for k := c; k < 10; k++ {
				m[i][k] -= f * m[c][k]
			}
			r[i] -= f * r[c]
		}
	}
	for c := 9; c >= 0; c-- {
		s := r[c]
		for k := c + 1; k < 10; k++ {
			s -= m[c][k] * x[k]
		}
		x[c] = s / m[c][c]
	}
	return true
}

// nonPlanar is the motion score of two views: the smallest RMS residual
// left by a homography (and gain and offset) fitted from the best
// coarse starts, in units of the face's contrast. NaN when no fit kept
// half the template inside the second view: no evidence either way.
func nonPlanar(a, b *view) float64 {
	n1 := motionSize / 2
	type start struct {
		p   fit
		ssd float64
	}
	var best [motionRestarts]start
	for i := range best {
		best[i].ssd = math.Inf(1)
	}
	for _, sc := range motionScales {
		for dy := -motionShift; dy <= motionShift; dy++ {
			for dx := -motionShift; dx <= motionShift; dx++ {
				p := identityFit()
				p[0], p[4] = sc-1, sc-1
				p[2], p[5] = 2*float64(dx)/float64(n1), 2*float64(dy)/float64(n1)
				r, ok := gnStep(&p, a.coarse, b.coarse, nil, nil, n1, false)
				if !ok {
					continue
				}
				for i := range best {
					if r < best[i].ssd {
						copy(best[i+1:], best[i:len(best)-1])
						best[i] = start{p, r}
						break
					}
				}
			}
		}
	}
	score := math.Inf(1)
	for _, s := range best {
		if math.IsInf(s.ssd, 1) {
			continue
		}
		p := s.p
		ok := true
		for it := 0; it < motionIters1 && ok; it++ {
			_, ok = gnStep(&p, a.coarse, b.coarse, b.gxc, b.gyc, n1, true)
		}
		for it := 0; it < motionIters0 && ok; it++ {
			_, ok = gnStep(&p, a.fine, b.fine, b.gxf, b.gyf, motionSize, true)
		}
		if r, fine := gnStep(&p, a.fine, b.fine, nil, nil, motionSize, false); fine {
			score = math.Min(score, r)
		}
	}
	if math.IsInf(score, 1) {
		return math.NaN()
	}
	return score
}

// Motion scores consecutive faces of one person: Next takes a frame and
// the face's box and returns the score against the face given before
// (see the top of this file). It allocates nothing after NewMotion.
type Motion struct {
	prev, cur view
	tmp       []float32
	have      bool
	size      float64         // the side of the chain's views' boxes
	box       image.Rectangle // the previous face's box
}

// iou is the area of a ∩ b over that of a ∪ b.
func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	ia := float64(in.Dx() * in.Dy())
	ua := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia
	if ua <= 0 {
		return 0
	}
	return ia / ua
}

// NewMotion returns a Motion with no face before.
func NewMotion() *Motion {
	return &Motion{prev: newView(), cur: newView(), tmp: make([]float32, motionSize*motionSize)}
}

// Next returns the motion score between the face in box of img and the
// previous face given, and makes this face the previous one: NaN for the
// first face (or after Reset), and when the box is too small (under 8
// pixels) to say or overlaps the previous one by less than motionOverlap
// (intersection over union: another detection, not the same face moved;
// the face starts a new chain).
func (m *Motion) Next(img *image.Gray, box image.Rectangle) float64 {
	if img == nil {
		m.have = false
		return math.NaN()
	}
	box = box.Intersect(img.Rect)
	if m.have && iou(box, m.box) < motionOverlap {
		m.have = false // not where the face was: another detection, not a move
	}
	m.box = box
	size := float64(max(box.Dx(), box.Dy()))
	if m.have && size > m.size/motionResize && size < m.size*motionResize {
		size = m.size // the chain's size: the detector's box jitters more than faces move
	}
	if !m.cur.load(img, box, size, m.tmp) {
		m.have = false
		return math.NaN()
	}
	m.size = size
	score := math.NaN()
	if m.have {
		score = nonPlanar(&m.prev, &m.cur)
	}
	m.prev, m.cur = m.cur, m.prev
	m.have = true
	return score
}

// Reset forgets the previous face.
func (m *Motion) Reset() { m.have = false }
