package infer

import (
	"math"
	"slices"
)

// Resize (opsets 10–19): nearest, linear and cubic over the two spatial axes of
// an NCHW tensor (the batch and channel scales 1), the size from
// constant scales or sizes, the coordinate modes exporters use
// (half_pixel, pytorch_half_pixel, align_corners, asymmetric and, before
// opset 13, tf_half_pixel_for_nn) and the four nearest roundings. What
// the output's pixel reads is worked out per axis when the plan is made:
// a source index (nearest), or two clamped neighbours and the second's
// weight (linear, as the ONNX reference: the input padded by its edges),
// or four neighbours and their weights (cubic: Keys' kernel with
// cubic_coeff_a, the neighbours past the edges clamped to it or, with
// exclude_outside, weighted zero and the rest renormalised). The
// detectors' FPN upsamplings are its common use. Antialias,
// tf_crop_and_resize and the aspect-ratio policies are refused at load
// time.
type resizeKernel struct {
	n      *node
	linear bool
	h, w   int // input plane
	oh, ow int
	y0, y1 []int32 // per output row: source rows (y1 only when linear)
	wy     []float32
	x0, x1 []int32 // per output column
	wx     []float32
	// cubic: per output row and column, four source rows (columns) and
	// their weights
	cubic    bool
	cy, cx   [][4]int32
	cwy, cwx [][4]float32
	planes   int
	body     func(lo, hi int)
}

func init() {
	register("Resize", []string{"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
		"exclude_outside", "extrapolation_value", "antialias", "axes", "keep_aspect_ratio_policy"}, buildResize)
}

func buildResize(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 4); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	if len(x.shape) != 4 {
		return nil, unsupportedf("node %q (Resize): rank %d; only 4-D (NCHW) tensors are resized", b.n.name, len(x.shape))
	}
	if numel(x.shape) == 0 {
		return nil, b.errf("input %v is empty: there is nothing to resize from", x.shape)
	}
	mode := b.a.str("mode", "nearest")
	coord, nearest := "asymmetric", "floor" // opset 10
	if b.opset >= 11 {
		coord = b.a.str("coordinate_transformation_mode", "half_pixel")
		nearest = b.a.str("nearest_mode", "round_prefer_floor")
	}
	switch {
	case mode != "nearest" && mode != "linear" && mode != "cubic":
		return nil, unsupportedf("node %q (Resize): mode %q (nearest, linear and cubic are supported)", b.n.name, mode)
	case b.a.int("antialias", 0) != 0:
		return nil, unsupportedf("node %q (Resize): antialias", b.n.name)
	case b.a.has("axes"):
		return nil, unsupportedf("node %q (Resize): the axes attribute", b.n.name)
	case b.a.str("keep_aspect_ratio_policy", "stretch") != "stretch":
		return nil, unsupportedf("node %q (Resize): keep_aspect_ratio_policy", b.n.name)
	case !slices.Contains([]string{"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"}, coord),
		coord == "tf_half_pixel_for_nn" && b.opset >= 13:
		return nil, unsupportedf("node %q (Resize): coordinate_transformation_mode %q", b.n.name, coord)
	case mode == "nearest" && !slices.Contains([]string{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}, nearest):
		return nil, unsupportedf("node %q (Resize): nearest_mode %q", b.n.name, nearest)
	}
	cubicA := float64(b.a.float("cubic_coeff_a", -0.75))
	exclude := b.a.int("exclude_outside", 0) != 0
	b.a.ignore("extrapolation_value") // tf_crop_and_resize only
	// the scales and sizes: input 1 (opset 10) or inputs 2 and 3
	var scales []float32
	var sizes []int64
	si := 2
	if b.opset < 11 {
		si = 1
	}
	if v := b.in(si); v != nil && numel(v.shape) > 0 {
		if v.dtype != Float32 {
			return nil, b.errf("scales are %v, not float32", v.dtype)
		}
		if !v.isConst {
			return nil, b.needsConst(si, "a constant (the scales)")
		}
		scales = v.t.F
	}
	if b.opset >= 11 {
		var err error
		if sizes, err = b.constInts(3); err != nil {
			return nil, err
		}
	}
	if (scales == nil) == (sizes == nil) {
		return nil, b.errf("exactly one of scales and sizes must be given")
	}
	out := make([]int, 4)
	scale := make([]float64, 4)
	for d := range 4 {
		if sizes != nil {
			if len(sizes) != 4 || sizes[d] <= 0 || sizes[d] > 1<<20 {
				return nil, b.errf("sizes %v must be 4 positive sizes", sizes)
			}
			out[d] = int(sizes[d])
			scale[d] = float64(out[d]) / float64(x.shape[d])
			continue
		}
		if len(scales) != 4 || !(scales[d] > 0) || scales[d] > 1<<10 {
			return nil, b.errf("scales %v must be 4 positive scales", scales)
		}
		scale[d] = float64(scales[d])
		out[d] = int(math.Floor(float64(x.shape[d]) * scale[d]))
		if out[d] < 1 {
			return nil, b.errf("scale %v makes axis %d of size %d empty", scales[d], d, x.shape[d])
		}
	}
	if out[0] != x.shape[0] || out[1] != x.shape[1] {
		return nil, unsupportedf("node %q (Resize): the batch and channel axes must keep their sizes (%v → %v)", b.n.name, x.shape, out)
	}
	k := &resizeKernel{n: b.n, linear: mode == "linear", h: x.shape[2], w: x.shape[3], oh: out[2], ow: out[3], planes: out[0] * out[1]}
	if mode == "cubic" {
		k.cubic = true
		k.cy, k.cwy = cubicAxis(k.h, k.oh, scale[2], coord, cubicA, exclude)
		k.cx, k.cwx = cubicAxis(k.w, k.ow, scale[3], coord, cubicA, exclude)
		return k, b.setOut(0, Float32, out)
	}
	k.y0, k.y1, k.wy = resizeAxis(k.h, k.oh, scale[2], coord, nearest, k.linear)
	k.x0, k.x1, k.wx = resizeAxis(k.w, k.ow, scale[3], coord, nearest, k.linear)
	return k, b.setOut(0, Float32, out)
}

// resizeCoord is output index o's position on an axis of n inputs resized
// by s (resized length mr = n·s) in the coordinate mode.
func resizeCoord(o, n int, s, mr float64, coord string) float64 {
	switch coord {
	case "half_pixel":
		return (float64(o)+0.5)/s - 0.5
	case "pytorch_half_pixel":
		if mr > 1 {
			return (float64(o)+0.5)/s - 0.5
		}
	case "align_corners":
		if mr > 1 {
			return float64(o) * float64(n-1) / (mr - 1)
		}
	case "asymmetric":
		return float64(o) / s
	case "tf_half_pixel_for_nn":
		return (float64(o) + 0.5) / s
	}
	return 0
}

// cubicAxis gives each output index of an axis its four neighbours and
// their weights, as the ONNX reference: the neighbours of position x are
// ⌊x⌋-1 … ⌊x⌋+2 at ratio t = x-⌊x⌋ (at a whole x, x-2 … x+1 at t = 1),
// weighted by Keys' cubic with coefficient a; past the edges the index is
// clamped to them, or with exclude the weight is zero and the others are
// scaled to sum to one.
func cubicAxis(n, m int, s float64, coord string, a float64, exclude bool) ([][4]int32, [][4]float32) {
	mr := float64(n) * s
	idx, wt := make([][4]int32, m), make([][4]float32, m)
	for o := range m {
		x := resizeCoord(o, n, s, mr, coord)
		f := math.Floor(x)
		t := x - f
		if t == 0 {
			f, t = f-1, 1
		}
		c := [4]float64{
			((a*(t+1)-5*a)*(t+1)+8*a)*(t+1) - 4*a,
			((a+2)*t-(a+3))*t*t + 1,
			((a+2)*(1-t)-(a+3))*(1-t)*(1-t) + 1,
			((a*(2-t)-5*a)*(2-t)+8*a)*(2-t) - 4*a,
		}
		sum := 0.0
		for j := range 4 {
			i := int(f) - 1 + j
			if exclude && (i < 0 || i >= n) {
				c[j] = 0
			}
			sum += c[j]
			idx[o][j] = int32(min(max(i, 0), n-1))
		}
		// (a sum of 0, all four neighbours outside, cannot happen: a
		// position of the coordinate modes lies within a pixel of the axis)
		for j := range 4 {
			if exclude && sum != 0 {
				c[j] /= sum
			}
			wt[o][j] = float32(c[j])
		}
	}
	return idx, wt
}

// resizeAxis maps each output index of an axis of n inputs resized to m
// (the scale s) to its source: the index (nearest), or the two
// neighbours, clamped to the axis, and the second's weight (linear). The
// resized length in the coordinate modes is n·s, not rounded down to m
// (the ONNX reference: 4 columns at scale 0.6 are 2, aligned as if 2.4).
func resizeAxis(n, m int, s float64, coord, nearest string, linear bool) (i0, i1 []int32, w []float32) {
	mr := float64(n) * s
	i0 = make([]int32, m)
	if linear {
		i1, w = make([]int32, m), make([]float32, m)
	}
	clamp := func(i int) int32 { return int32(min(max(i, 0), n-1)) }
	for o := range m {
		x := resizeCoord(o, n, s, mr, coord)
		if linear {
			f := math.Floor(x)
			i0[o], i1[o], w[o] = clamp(int(f)), clamp(int(f)+1), float32(x-f)
			continue
		}
		var r float64
		switch nearest {
		case "round_prefer_floor":
			if x-math.Floor(x) == 0.5 {
				r = math.Floor(x)
			} else {
				r = math.Round(x)
			}
		case "round_prefer_ceil":
			r = math.Floor(x + 0.5)
		case "floor":
			r = math.Floor(x)
		case "ceil":
			r = math.Ceil(x)
		}
		i0[o] = clamp(int(r))
	}
	return i0, i1, w
}

func (k *resizeKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *resizeKernel) run(p *workers) {
	p.parallel(k.planes*k.oh, max(1, 4096/max(k.ow, 1)), k.body)
}

// chunk computes output rows [lo, hi) over planes × output rows.
func (k *resizeKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	for r := lo; r < hi; r++ {
		pl, oy := r/k.oh, r%k.oh
		src := x[pl*k.h*k.w : (pl+1)*k.h*k.w]
		dst := y[r*k.ow : (r+1)*k.ow]
		if k.cubic {
			k.cubicRow(dst, src, oy)
			continue
		}
		a := src[int(k.y0[oy])*k.w : (int(k.y0[oy])+1)*k.w]
		if !k.linear {
			for ox, i := range k.x0 {
				dst[ox] = a[i]
			}
			continue
		}
		bb := src[int(k.y1[oy])*k.w : (int(k.y1[oy])+1)*k.w]
		wy := k.wy[oy]
		for ox := range dst {
			i0, i1, wx := k.x0[ox], k.x1[ox], k.wx[ox]
			top := a[i0] + wx*(a[i1]-a[i0])
			bot := bb[i0] + wx*(bb[i1]-bb[i0])
			dst[ox] = top + wy*(bot-top)
		}
	}
}

// cubicRow computes output row oy of a plane src into dst: each column
// the weighted sum of its four columns in the row's four rows.
func (k *resizeKernel) cubicRow(dst, src []float32, oy int) {
	var rows [4][]float32
	for j, i := range k.cy[oy] {
		rows[j] = src[int(i)*k.w : (int(i)+1)*k.w]
	}
	wy := k.cwy[oy]
	for ox := range dst {
		xi, wx := k.cx[ox], k.cwx[ox]
		var v float32
		for j, r := range rows {
			v += wy[j] * (wx[0]*r[xi[0]] + wx[1]*r[xi[1]] + wx[2]*r[xi[2]] + wx[3]*r[xi[3]])
		}
		dst[ox] = v
	}
}
