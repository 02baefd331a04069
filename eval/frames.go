package eval

import (
	"image"
	"math"
)

// Camera-like frames for item 3(a) of the evaluation protocol: each face
// photo placed into a larger frame, as a door camera would see it. The
// frames are grey (the service's frames are, and the AT&T photos too)
// and drawn from nothing but a seed: no third-party images.

// FrameOptions shape the generated frames. A zero field takes its
// default.
type FrameOptions struct {
	// Width and Height are the frame's size (default 640×480).
	Width, Height int
	// MinScale and MaxScale bound the face photo's scale, drawn
	// uniformly (default 1 to 2.5).
	MinScale, MaxScale float64
	// MinGamma and MaxGamma bound the light change's gamma, drawn
	// log-uniformly (default 0.67 to 1.5); MinGain and MaxGain its gain,
	// drawn uniformly (default 0.7 to 1.2). Grey v becomes
	// 255·gain·(v/255)^gamma, times a side-light ramp of ±10% across the
	// frame.
	MinGamma, MaxGamma float64
	MinGain, MaxGain   float64
	// Noise is the standard deviation of the sensor noise added last
	// (default 2 grey levels; negative: none).
	Noise float64
	// MaxRoll turns each photo by an angle drawn uniformly within
	// ±MaxRoll degrees, a head tilted to the side (default 0: upright;
	// the frames of a seed are then those of earlier versions).
	MaxRoll float64
}

func (o FrameOptions) withDefaults() FrameOptions {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if o.Width <= 0 {
		o.Width = 640
	}
	if o.Height <= 0 {
		o.Height = 480
	}
	def(&o.MinScale, 1)
	def(&o.MaxScale, 2.5)
	def(&o.MinGamma, 0.67)
	def(&o.MaxGamma, 1.5)
	def(&o.MinGain, 0.7)
	def(&o.MaxGain, 1.2)
	def(&o.Noise, 2)
	return o
}

// Backgrounds are the names of the procedural backgrounds, in the order
// Frame.Background indexes them.
var Backgrounds = []string{"wall", "tiles", "bricks", "grain", "clutter"}

// Frame is a generated frame and where its face went.
type Frame struct {
	Image *image.Gray
	// Face is the rectangle the face photo was drawn into (the
	// ground-truth box: the photo is a face crop).
	Face image.Rectangle
	// Background indexes Backgrounds; Scale, Roll (degrees, clockwise
	// on screen), Gamma and Gain are the drawn values. With a roll, Face
	// is the photo's rectangle before it was turned about its centre.
	Background               int
	Scale, Roll, Gamma, Gain float64
}

// uniform returns a uniform float64 in [a, b).
func (r *rng) uniform(a, b float64) float64 { return a + (b-a)*r.float() }

// FrameSeed is the seed of frame i of a run seeded with seed, so that
// each frame can be made on its own.
func FrameSeed(seed uint64, i int) uint64 {
	r := rng{seed ^ 0x6a09e667f3bcc909*uint64(i+1)}
	r.next()
	return r.next()
}

// MakeFrame draws a frame holding face, from seed alone: a background
// (one of Backgrounds), the face photo scaled by a factor in [MinScale,
// MaxScale] (bilinear) at a uniform position where it fits whole, its
// border blended over 3 pixels, then a light change and sensor noise
// over the whole frame.
func MakeFrame(face image.Image, seed uint64, o FrameOptions) Frame {
	o = o.withDefaults()
	r := rng{seed}
	w, h := o.Width, o.Height
	f := Frame{Image: image.NewGray(image.Rect(0, 0, w, h))}
	f.Background = r.intn(len(Backgrounds))
	bg := make([]float64, w*h)
	background(bg, w, h, f.Background, &r)

	fb := face.Bounds()
	f.Scale = r.uniform(o.MinScale, o.MaxScale)
	fw := min(w, max(1, int(math.Round(float64(fb.Dx())*f.Scale))))
	fh := min(h, max(1, int(math.Round(float64(fb.Dy())*f.Scale))))
	// The turned photo's bounding box, bw × bh, must fit the frame.
	bw, bh := fw, fh
	cos, sin := 1.0, 0.0
	if o.MaxRoll > 0 {
		f.Roll = r.uniform(-o.MaxRoll, o.MaxRoll)
		cos, sin = math.Cos(f.Roll*math.Pi/180), math.Sin(f.Roll*math.Pi/180)
		bw = min(w, int(math.Ceil(float64(fw)*math.Abs(cos)+float64(fh)*math.Abs(sin))))
		bh = min(h, int(math.Ceil(float64(fw)*math.Abs(sin)+float64(fh)*math.Abs(cos))))
	}
	x0, y0 := r.intn(w-bw+1), r.intn(h-bh+1)
	cx, cy := float64(x0)+float64(bw)/2, float64(y0)+float64(bh)/2
	f.Face.Min = image.Pt(int(math.Round(cx-float64(fw)/2)), int(math.Round(cy-float64(fh)/2)))
	f.Face.Max = f.Face.Min.Add(image.Pt(fw, fh))
	src := greyOf(face)
	sx, sy := float64(fb.Dx())/float64(fw), float64(fb.Dy())/float64(fh)
	const feather = 3.0
	for y := y0; y < y0+bh; y++ {
		for x := x0; x < x0+bw; x++ {
			// The point of the upright scaled photo this pixel shows.
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			px, py := cos*dx+sin*dy+float64(fw)/2, -sin*dx+cos*dy+float64(fh)/2
			edge := math.Min(math.Min(px, float64(fw)-px), math.Min(py, float64(fh)-py))
			if edge <= 0 {
				continue
			}
			v := src.bilinear(px*sx-0.5, py*sy-0.5)
			a := math.Min(1, edge/feather)
			i := y*w + x
			bg[i] = a*v + (1-a)*bg[i]
		}
	}

	f.Gamma = math.Exp(r.uniform(math.Log(o.MinGamma), math.Log(o.MaxGamma)))
	f.Gain = r.uniform(o.MinGain, o.MaxGain)
	side := r.uniform(-0.1, 0.1) // light from one side
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 255 * f.Gain * (1 + side*(2*float64(x)/float64(w)-1)) * math.Pow(math.Max(0, bg[y*w+x])/255, f.Gamma)
			if o.Noise > 0 {
				v += o.Noise * r.normal()
			}
			f.Image.Pix[y*f.Image.Stride+x] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
	return f
}

// greyImage is an image's grey levels as floats.
type greyImage struct {
	pix  []float64
	w, h int
}

func greyOf(img image.Image) greyImage {
	b := img.Bounds()
	g := greyImage{pix: make([]float64, b.Dx()*b.Dy()), w: b.Dx(), h: b.Dy()}
	gi, _ := img.(*image.Gray)
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			if gi != nil {
				g.pix[y*g.w+x] = float64(gi.Pix[gi.PixOffset(b.Min.X+x, b.Min.Y+y)])
				continue
			}
			cr, cg, cb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			g.pix[y*g.w+x] = (0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)) / 257
		}
	}
	return g
}

// bilinear interpolates at (u, v) in pixel-index coordinates, the border
// replicated.
func (g greyImage) bilinear(u, v float64) float64 {
	fx, fy := math.Floor(u), math.Floor(v)
	ax, ay := u-fx, v-fy
	at := func(x, y int) float64 {
		return g.pix[min(g.h-1, max(0, y))*g.w+min(g.w-1, max(0, x))]
	}
	x, y := int(fx), int(fy)
	top := at(x, y) + (at(x+1, y)-at(x, y))*ax
	bot := at(x, y+1) + (at(x+1, y+1)-at(x, y+1))*ax
	return top + (bot-top)*ay
}

// valueNoise is smooth noise: random values on a lattice of the given
// cell size, interpolated with a smoothstep.
type valueNoise struct {
	cell    float64
	nx, ny  int
	lattice []float64
}

func newValueNoise(w, h int, cell float64, r *rng) valueNoise {
	n := valueNoise{cell: cell, nx: int(float64(w)/cell) + 2, ny: int(float64(h)/cell) + 2}
	n.lattice = make([]float64, n.nx*n.ny)
	for i := range n.lattice {
		n.lattice[i] = r.float()*2 - 1
	}
	return n
}

func (n valueNoise) at(x, y float64) float64 {
	u, v := x/n.cell, y/n.cell
	i, j := int(u), int(v)
	fu, fv := u-float64(i), v-float64(j)
	fu, fv = fu*fu*(3-2*fu), fv*fv*(3-2*fv)
	i, j = min(i, n.nx-2), min(j, n.ny-2)
	l := n.lattice
	a := l[j*n.nx+i] + (l[j*n.nx+i+1]-l[j*n.nx+i])*fu
	b := l[(j+1)*n.nx+i] + (l[(j+1)*n.nx+i+1]-l[(j+1)*n.nx+i])*fu
	return a + (b-a)*fv
}

// background fills bg (w×h grey levels) with background kind k.
func background(bg []float64, w, h, k int, r *rng) {
	base := r.uniform(70, 190)
	// Two octaves of noise for texture, and a large-scale light falloff.
	fine := newValueNoise(w, h, r.uniform(3, 8), r)
	coarse := newValueNoise(w, h, r.uniform(60, 160), r)
	grain := r.uniform(4, 14)
	switch Backgrounds[k] {
	case "wall":
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				bg[y*w+x] = base + 25*coarse.at(float64(x), float64(y)) + grain*fine.at(float64(x), float64(y))
			}
		}
	case "tiles", "bricks":
		size := r.uniform(30, 90)
		tw, th := size, size
		if Backgrounds[k] == "bricks" {
			tw, th = size*2, size*0.75
		}
		grout, contrast := r.uniform(2, 5), r.uniform(10, 40)
		groutLevel := base + r.uniform(-60, 60)
		shade := newValueNoise(int(float64(w)/tw)+2, int(float64(h)/th)+2, 1, r)
		for y := 0; y < h; y++ {
			row := math.Floor(float64(y) / th)
			xo := 0.0
			if Backgrounds[k] == "bricks" && int(row)%2 == 1 {
				xo = tw / 2
			}
			for x := 0; x < w; x++ {
				col := math.Floor((float64(x) + xo) / tw)
				in := math.Min(float64(x)+xo-col*tw, float64(y)-row*th)
				v := base + contrast*shade.lattice[min(len(shade.lattice)-1, int(row)*shade.nx+int(col))]
				if in < grout {
					v = groutLevel
				}
				bg[y*w+x] = v + 15*coarse.at(float64(x), float64(y)) + grain*fine.at(float64(x), float64(y))
			}
		}
	case "grain": // wood or a curtain: warped stripes
		period, warp := r.uniform(8, 40), r.uniform(10, 60)
		contrast := r.uniform(15, 45)
		vertical := r.intn(2) == 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				a, b := float64(x), float64(y)
				if !vertical {
					a, b = b, a
				}
				s := math.Sin(2 * math.Pi * (a + warp*coarse.at(float64(x), float64(y))) / period)
				bg[y*w+x] = base + contrast*s + grain*fine.at(float64(x), float64(y)) + 10*coarse.at(b, a)
			}
		}
	case "clutter": // shelves, posters, a lamp: rectangles and discs
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				bg[y*w+x] = base + 20*coarse.at(float64(x), float64(y))
			}
		}
		for n := 8 + r.intn(20); n > 0; n-- {
			cx, cy := r.uniform(0, float64(w)), r.uniform(0, float64(h))
			rw, rh := r.uniform(10, 160), r.uniform(10, 160)
			v := r.uniform(20, 235)
			disc := r.intn(3) == 0
			for y := max(0, int(cy-rh)); y < min(h, int(cy+rh)); y++ {
				for x := max(0, int(cx-rw)); x < min(w, int(cx+rw)); x++ {
					dx, dy := (float64(x)-cx)/rw, (float64(y)-cy)/rh
					if disc && dx*dx+dy*dy > 1 {
						continue
					}
					bg[y*w+x] = v + 0.5*grain*fine.at(float64(x), float64(y))
				}
			}
		}
	}
}
