package twin

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// region is a crop in continuous image coordinates: pixel (x, y) covers
// [x, x+1) × [y, y+1).
type region struct{ x0, y0, w, h float64 }

// regionOf is the crop of img that Meta's policy takes, given the box a
// Locator found (nil: none, or no locator).
func (m *Meta) regionOf(b image.Rectangle, face *image.Rectangle) (region, error) {
	r := region{float64(b.Min.X), float64(b.Min.Y), float64(b.Dx()), float64(b.Dy())}
	switch m.Crop {
	case CropFixed:
		r = region{r.x0 + m.ROI.X*r.w, r.y0 + m.ROI.Y*r.h, m.ROI.W * r.w, m.ROI.H * r.h}
	case CropFace:
		if face != nil {
			fw, fh := float64(face.Dx()), float64(face.Dy())
			r = region{float64(face.Min.X) - m.CropMargin*fw, float64(face.Min.Y) - m.CropMargin*fh,
				fw * (1 + 2*m.CropMargin), fh * (1 + 2*m.CropMargin)}
		}
	}
	if b.Empty() || !(r.w > 0 && r.h > 0) {
		return r, fmt.Errorf("empty crop %v of a %v image", r, b)
	}
	// A face box must overlap the image and be of its order of size: the
	// resampling loops over the box, clamping into the image.
	if r.x0 >= float64(b.Max.X) || r.y0 >= float64(b.Max.Y) || r.x0+r.w <= float64(b.Min.X) || r.y0+r.h <= float64(b.Min.Y) ||
		r.w > 4*float64(b.Dx()) || r.h > 4*float64(b.Dy()) {
		return r, fmt.Errorf("crop %v does not fit a %v image", r, b)
	}
	return r, nil
}

// pixels reads the common concrete image types without the allocation
// of image.Image.At; other types go through At.
type pixels struct {
	img    image.Image
	gray   *image.Gray
	gray16 *image.Gray16
	rgba   *image.RGBA
	nrgba  *image.NRGBA
	ycc    *image.YCbCr
	b      image.Rectangle
	grey   bool // r = g = b always
}

func newPixels(img image.Image) pixels {
	p := pixels{img: img, b: img.Bounds()}
	switch m := img.(type) {
	case *image.Gray:
		p.gray, p.grey = m, true
	case *image.Gray16:
		p.gray16, p.grey = m, true
	case *image.RGBA:
		p.rgba = m
	case *image.NRGBA:
		p.nrgba = m
	case *image.YCbCr:
		p.ycc = m
	}
	return p
}

// Luminance weights of Go's color.GrayModel (and ITU-R BT.601).
const wR, wG, wB = 0.299, 0.587, 0.114

// at returns pixel (x, y), clamped into the image, as R, G, B in
// [0, 255] (premultiplied: a transparent pixel is black); grey images
// give r = g = b.
func (p *pixels) at(x, y int) (r, g, b float32) {
	x = min(max(x, p.b.Min.X), p.b.Max.X-1)
	y = min(max(y, p.b.Min.Y), p.b.Max.Y-1)
	switch {
	case p.gray != nil:
		v := float32(p.gray.Pix[p.gray.PixOffset(x, y)])
		return v, v, v
	case p.gray16 != nil:
		i := p.gray16.PixOffset(x, y)
		v := float32(uint16(p.gray16.Pix[i])<<8|uint16(p.gray16.Pix[i+1])) / 257
		return v, v, v
	case p.rgba != nil:
		s := p.rgba.Pix[p.rgba.PixOffset(x, y):]
		return float32(s[0]), float32(s[1]), float32(s[2])
	case p.nrgba != nil:
		s := p.nrgba.Pix[p.nrgba.PixOffset(x, y):]
		a := float32(s[3]) / 255
		return float32(s[0]) * a, float32(s[1]) * a, float32(s[2]) * a
	case p.ycc != nil:
		yy := p.ycc.Y[p.ycc.YOffset(x, y)]
		c := p.ycc.COffset(x, y)
		r8, g8, b8 := color.YCbCrToRGB(yy, p.ycc.Cb[c], p.ycc.Cr[c])
		return float32(r8), float32(g8), float32(b8)
	}
	r16, g16, b16, _ := p.img.At(x, y).RGBA()
	return float32(r16) / 257, float32(g16) / 257, float32(b16) / 257
}

// output writes pixels into a model's normalised planar input (C × H × W
// floats): input = (v/255 − mean)/std = v·scale + shift, with v ← 255 − v
// first when inverting; a grey model takes the luminance, or the level of
// a grey image as it is.
type output struct {
	dst          []float32
	plane        int
	scale, shift float32
	rgb          bool
	wr, wg, wb   float32 // a grey model's weights of R, G, B: 1, 0, 0 on a grey image (exact)
}

func (m *Meta) output(dst []float32, grey bool) output {
	o := output{dst: dst, plane: m.InputH * m.InputW, rgb: m.InputC != 1,
		scale: 1 / (255 * m.Std), shift: -m.Mean / m.Std, wr: wR, wg: wG, wb: wB}
	if grey {
		o.wr, o.wg, o.wb = 1, 0, 0
	}
	if m.Invert {
		o.shift += 255 * o.scale
		o.scale = -o.scale
	}
	return o
}

// put writes input pixel i from its R, G, B levels.
func (o *output) put(i int, cr, cg, cb float32) {
	if !o.rgb {
		o.dst[i] = (o.wr*cr+o.wg*cg+o.wb*cb)*o.scale + o.shift
		return
	}
	o.dst[i] = cr*o.scale + o.shift
	o.dst[o.plane+i] = cg*o.scale + o.shift
	o.dst[2*o.plane+i] = cb*o.scale + o.shift
}

// fill resamples region r of img to the model's input size and writes
// the normalised planar input (C × H × W floats) to dst.
func (m *Meta) fill(dst []float32, img image.Image, r region) {
	p := newPixels(img)
	h, w := m.InputH, m.InputW
	o := m.output(dst, p.grey)
	sx, sy := r.w/float64(w), r.h/float64(h)
	for oy := 0; oy < h; oy++ {
		for ox := 0; ox < w; ox++ {
			var cr, cg, cb float32
			if m.Resize == ResizeArea {
				cr, cg, cb = p.area(r.x0+float64(ox)*sx, r.y0+float64(oy)*sy, sx, sy)
			} else {
				cr, cg, cb = p.bilinear(r.x0+(float64(ox)+0.5)*sx-0.5, r.y0+(float64(oy)+0.5)*sy-0.5)
			}
			o.put(oy*w+ox, cr, cg, cb)
		}
	}
}

// bilinear interpolates at (u, v) in pixel-index coordinates (pixel
// (x, y)'s centre is (x, y)), replicating the border.
func (p *pixels) bilinear(u, v float64) (r, g, b float32) {
	fx, fy := math.Floor(u), math.Floor(v)
	x0, y0 := int(fx), int(fy)
	ax, ay := float32(u-fx), float32(v-fy)
	r00, g00, b00 := p.at(x0, y0)
	r01, g01, b01 := p.at(x0+1, y0)
	r10, g10, b10 := p.at(x0, y0+1)
	r11, g11, b11 := p.at(x0+1, y0+1)
	lerp := func(a, b, t float32) float32 { return a + (b-a)*t }
	r = lerp(lerp(r00, r01, ax), lerp(r10, r11, ax), ay)
	g = lerp(lerp(g00, g01, ax), lerp(g10, g11, ax), ay)
	b = lerp(lerp(b00, b01, ax), lerp(b10, b11, ax), ay)
	return r, g, b
}

// area averages the pixels under [x, x+sx) × [y, y+sy) in continuous
// coordinates, each weighted by the area it covers, replicating the
// border.
func (p *pixels) area(x, y, sx, sy float64) (r, g, b float32) {
	var sr, sg, sb float64
	for iy := int(math.Floor(y)); float64(iy) < y+sy; iy++ {
		wy := math.Min(y+sy, float64(iy+1)) - math.Max(y, float64(iy))
		if wy <= 0 {
			continue
		}
		for ix := int(math.Floor(x)); float64(ix) < x+sx; ix++ {
			wx := math.Min(x+sx, float64(ix+1)) - math.Max(x, float64(ix))
			if wx <= 0 {
				continue
			}
			pr, pg, pb := p.at(ix, iy)
			wt := wx * wy
			sr += wt * float64(pr)
			sg += wt * float64(pg)
			sb += wt * float64(pb)
		}
	}
	n := sx * sy
	return float32(sr / n), float32(sg / n), float32(sb / n)
}

// alignment maps the model's input pixels onto the image for a crop
// aligned on the eyes: output pixel centre (ox+0.5, oy+0.5) goes to
// (mx, my) + R(θ)·s·(ox+0.5 − W/2, oy+0.5 − EyeRow·H), where (mx, my) is
// the eyes' midpoint, θ the eye line's angle and s the image pixels per
// input pixel that put the eyes EyeDistance·W apart.
type alignment struct {
	mx, my, cos, sin, s float64
}

// alignmentOf is the similarity transform that takes the eyes at left
// and right (image coordinates) to their places in the model's input.
func (m *Meta) alignmentOf(b image.Rectangle, left, right Point) (alignment, error) {
	dx, dy := right.X-left.X, right.Y-left.Y
	d := math.Hypot(dx, dy)
	a := alignment{mx: (left.X + right.X) / 2, my: (left.Y + right.Y) / 2}
	if b.Empty() || !(d > 0) || math.IsInf(d, 0) || !(m.EyeDistance > 0) {
		return a, fmt.Errorf("eyes at %v and %v of a %v image cannot be aligned", left, right, b)
	}
	a.cos, a.sin = dx/d, dy/d
	a.s = d / (m.EyeDistance * float64(m.InputW))
	// As for a box: the eyes must lie in the image, and the crop must be
	// of the image's order of size.
	if a.mx < float64(b.Min.X) || a.mx >= float64(b.Max.X) || a.my < float64(b.Min.Y) || a.my >= float64(b.Max.Y) ||
		a.s*float64(m.InputW) > 4*float64(b.Dx()) || a.s*float64(m.InputH) > 4*float64(b.Dy()) {
		return a, fmt.Errorf("eyes at %v and %v do not fit a %v image", left, right, b)
	}
	return a, nil
}

// at maps input coordinates (continuous, not pixel indices) to the image.
func (a *alignment) at(u, v float64) (x, y float64) {
	return a.mx + a.s*(a.cos*u-a.sin*v), a.my + a.s*(a.sin*u+a.cos*v)
}

// fillAligned writes the normalised planar input of the crop that a
// maps, sampling the image bilinearly. Where an input pixel covers more
// than one image pixel (s > 1), it averages k×k bilinear samples spread
// over its footprint, k = ⌈s⌉ up to 4, so that a large face is not
// aliased (the area filter's intent for a rotated crop).
func (m *Meta) fillAligned(dst []float32, img image.Image, a alignment) {
	p := newPixels(img)
	h, w := m.InputH, m.InputW
	o := m.output(dst, p.grey)
	k := min(4, max(1, int(math.Ceil(a.s-1e-9))))
	inv := 1 / float32(k*k)
	cx, cy := float64(w)/2, m.EyeRow*float64(h)
	for oy := 0; oy < h; oy++ {
		for ox := 0; ox < w; ox++ {
			var cr, cg, cb float32
			for j := 0; j < k; j++ {
				v := float64(oy) + (float64(j)+0.5)/float64(k) - cy
				for i := 0; i < k; i++ {
					u := float64(ox) + (float64(i)+0.5)/float64(k) - cx
					x, y := a.at(u, v)
					r, g, b := p.bilinear(x-0.5, y-0.5)
					cr, cg, cb = cr+r, cg+g, cb+b
				}
			}
			cr, cg, cb = cr*inv, cg*inv, cb*inv
			o.put(oy*w+ox, cr, cg, cb)
		}
	}
}
