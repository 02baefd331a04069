package eval

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"sort"
	"strings"
)

// The camera-like changes of the evaluation protocol (../shared/README.md,
// step 3b): each photo is changed once, with its own draw of the change's
// parameters, before it is embedded. They measure how a network holds up
// when the enrolment photo and the camera's frames differ in light,
// focus, compression, framing and sensor noise.
//
//	gamma   gamma log-uniform in [0.5, 2], then a gain uniform in [0.6, 1.2]
//	blur    Gaussian blur, σ = 1.5 pixels
//	jpeg    JPEG at quality 20
//	crop    a random square-proportioned crop of 85–100% of each side,
//	        resized back to the photo's size (bilinear)
//	noise   additive Gaussian noise, σ = 12 grey levels
//	mixed   all of them at once, milder: crop 92–100%, gamma [0.7, 1.4]
//	        with gain [0.8, 1.1], blur σ = 0.8, noise σ = 6, JPEG quality 50
//
// A grey photo stays grey (every change acts on each channel alike).
var changes = map[string]func(p *planes, r *rng) error{
	"gamma": func(p *planes, r *rng) error { p.gamma(r, 0.5, 2, 0.6, 1.2); return nil },
	"blur":  func(p *planes, r *rng) error { p.blur(1.5); return nil },
	"jpeg":  func(p *planes, r *rng) error { return p.jpeg(20) },
	"crop":  func(p *planes, r *rng) error { p.crop(r, 0.85); return nil },
	"noise": func(p *planes, r *rng) error { p.noise(r, 12); return nil },
	"mixed": func(p *planes, r *rng) error {
		p.crop(r, 0.92)
		p.gamma(r, 0.7, 1.4, 0.8, 1.1)
		p.blur(0.8)
		p.noise(r, 6)
		return p.jpeg(50)
	},
}

// ChangeNames lists the camera-like changes, sorted.
func ChangeNames() []string {
	var n []string
	for k := range changes {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Changed is an Embedder that applies one camera-like change to each
// image before embedding it. The i-th image it is given draws its
// parameters from a generator seeded with (seed, i), so that a run over
// the same data in the same order sees the same changes.
type Changed struct {
	e    Embedder
	name string
	fn   func(*planes, *rng) error
	seed uint64
	n    uint64
}

// NewChanged wraps e with the change called name (ChangeNames).
func NewChanged(e Embedder, name string, seed uint64) (*Changed, error) {
	fn, ok := changes[name]
	if !ok {
		return nil, fmt.Errorf("no camera-like change %q (have %s)", name, strings.Join(ChangeNames(), ", "))
	}
	return &Changed{e: e, name: name, fn: fn, seed: seed}, nil
}

// Embed changes img and embeds the result.
func (c *Changed) Embed(img image.Image) ([]float32, error) {
	out, err := c.Apply(img)
	if err != nil {
		return nil, err
	}
	return c.e.Embed(out)
}

// Apply returns the next changed copy of img (img is not modified).
func (c *Changed) Apply(img image.Image) (image.Image, error) {
	r := &rng{s: c.seed*0x9e3779b97f4a7c15 + c.n*0xbf58476d1ce4e5b9 + 1}
	c.n++
	p := newPlanes(img)
	if p.w == 0 || p.h == 0 {
		return nil, fmt.Errorf("%s: empty image", c.name)
	}
	if err := c.fn(p, r); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	return p.image(), nil
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// normal is a standard normal draw (Box–Muller).
func (r *rng) normal() float64 {
	u := 1 - r.float() // (0, 1]
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// planes is an image as one (grey) or three (R, G, B) float planes of
// levels 0–255.
type planes struct {
	w, h int
	c    [][]float32
}

func newPlanes(img image.Image) *planes {
	b := img.Bounds()
	p := &planes{w: b.Dx(), h: b.Dy()}
	if g, ok := img.(*image.Gray); ok {
		pl := make([]float32, p.w*p.h)
		for y := 0; y < p.h; y++ {
			for x := 0; x < p.w; x++ {
				pl[y*p.w+x] = float32(g.GrayAt(b.Min.X+x, b.Min.Y+y).Y)
			}
		}
		p.c = [][]float32{pl}
		return p
	}
	p.c = [][]float32{make([]float32, p.w*p.h), make([]float32, p.w*p.h), make([]float32, p.w*p.h)}
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			i := y*p.w + x
			p.c[0][i], p.c[1][i], p.c[2][i] = float32(c.R), float32(c.G), float32(c.B)
		}
	}
	return p
}

func level(v float32) uint8 {
	return uint8(math.Round(float64(min(max(v, 0), 255))))
}

func (p *planes) image() image.Image {
	r := image.Rect(0, 0, p.w, p.h)
	if len(p.c) == 1 {
		g := image.NewGray(r)
		for i, v := range p.c[0] {
			g.Pix[i] = level(v)
		}
		return g
	}
	o := image.NewNRGBA(r)
	for i := 0; i < p.w*p.h; i++ {
		o.Pix[4*i], o.Pix[4*i+1], o.Pix[4*i+2], o.Pix[4*i+3] = level(p.c[0][i]), level(p.c[1][i]), level(p.c[2][i]), 255
	}
	return o
}

// gamma maps each level v to 255·gain·(v/255)^γ, γ log-uniform in
// [g0, g1] and gain uniform in [k0, k1].
func (p *planes) gamma(r *rng, g0, g1, k0, k1 float64) {
	g := math.Exp(math.Log(g0) + r.float()*(math.Log(g1)-math.Log(g0)))
	k := k0 + r.float()*(k1-k0)
	for _, pl := range p.c {
		for i, v := range pl {
			pl[i] = float32(255 * k * math.Pow(float64(max(v, 0))/255, g))
		}
	}
}

// blur convolves each plane with a Gaussian of standard deviation sigma,
// truncated at 3σ, edges clamped.
func (p *planes) blur(sigma float64) {
	rad := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*rad+1)
	var sum float64
	for i := range k {
		d := float64(i - rad)
		v := math.Exp(-d * d / (2 * sigma * sigma))
		k[i] = float32(v)
		sum += v
	}
	for i := range k {
		k[i] /= float32(sum)
	}
	tmp := make([]float32, p.w*p.h)
	for _, pl := range p.c {
		for y := 0; y < p.h; y++ {
			for x := 0; x < p.w; x++ {
				var s float32
				for j, kv := range k {
					xx := min(max(x+j-rad, 0), p.w-1)
					s += kv * pl[y*p.w+xx]
				}
				tmp[y*p.w+x] = s
			}
		}
		for y := 0; y < p.h; y++ {
			for x := 0; x < p.w; x++ {
				var s float32
				for j, kv := range k {
					yy := min(max(y+j-rad, 0), p.h-1)
					s += kv * tmp[yy*p.w+x]
				}
				pl[y*p.w+x] = s
			}
		}
	}
}

// noise adds Gaussian noise of standard deviation sigma to every sample.
func (p *planes) noise(r *rng, sigma float64) {
	for _, pl := range p.c {
		for i := range pl {
			pl[i] += float32(sigma * r.normal())
		}
	}
}

// crop keeps a random region of fraction f ∈ [lo, 1] of each side and
// resizes it back to the full size (bilinear, pixel centres at
// half-integers).
func (p *planes) crop(r *rng, lo float64) {
	f := lo + r.float()*(1-lo)
	cw, ch := f*float64(p.w), f*float64(p.h)
	x0, y0 := r.float()*(float64(p.w)-cw), r.float()*(float64(p.h)-ch)
	for ci, pl := range p.c {
		out := make([]float32, p.w*p.h)
		for y := 0; y < p.h; y++ {
			v := y0 + (float64(y)+0.5)*ch/float64(p.h) - 0.5
			for x := 0; x < p.w; x++ {
				u := x0 + (float64(x)+0.5)*cw/float64(p.w) - 0.5
				out[y*p.w+x] = p.sample(pl, u, v)
			}
		}
		p.c[ci] = out
	}
}

// sample reads plane pl at (u, v) bilinearly, clamped to the edges.
func (p *planes) sample(pl []float32, u, v float64) float32 {
	x0, y0 := math.Floor(u), math.Floor(v)
	fx, fy := float32(u-x0), float32(v-y0)
	at := func(x, y int) float32 {
		return pl[min(max(y, 0), p.h-1)*p.w+min(max(x, 0), p.w-1)]
	}
	xi, yi := int(x0), int(y0)
	top := at(xi, yi)*(1-fx) + at(xi+1, yi)*fx
	bot := at(xi, yi+1)*(1-fx) + at(xi+1, yi+1)*fx
	return top*(1-fy) + bot*fy
}

// jpeg passes the image through a JPEG encoder at quality q and back.
func (p *planes) jpeg(q int) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, p.image(), &jpeg.Options{Quality: q}); err != nil {
		return err
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		return err
	}
	*p = *newPlanes(img) // a grey image decodes as *image.Gray: one plane
	return nil
}
