package infer

import (
	"math"
	"slices"
)

// Resize (opsets 10–19): nearest and linear over the two spatial axes of
// an NCHW tensor (the batch and channel scales 1), the size from
// constant scales or sizes, the coordinate modes exporters use
// (half_pixel, pytorch_half_pixel, align_corners, asymmetric and, before
// opset 13, tf_half_pixel_for_nn) and the four nearest roundings. What
// the output's pixel reads is worked out per axis when the plan is made:
// a source index (nearest), or two clamped neighbours and the second's
// weight (linear, as the ONNX reference: the input padded by its edges).
// The detectors' FPN upsamplings are its common use. Cubic, antialias,
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
	planes int
	body   func(lo, hi int)
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
	case mode != "nearest" && mode != "linear":
		return nil, unsupportedf("node %q (Resize): mode %q (nearest and linear are supported)", b.n.name, mode)
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
	b.a.ignore("cubic_coeff_a", "exclude_outside", "extrapolation_value")
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
	k.y0, k.y1, k.wy = resizeAxis(k.h, k.oh, scale[2], coord, nearest, k.linear)
	k.x0, k.x1, k.wx = resizeAxis(k.w, k.ow, scale[3], coord, nearest, k.linear)
	return k, b.setOut(0, Float32, out)
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
		var x float64
		switch coord {
		case "half_pixel":
			x = (float64(o)+0.5)/s - 0.5
		case "pytorch_half_pixel":
			if mr > 1 {
				x = (float64(o)+0.5)/s - 0.5
			}
		case "align_corners":
			if mr > 1 {
				x = float64(o) * float64(n-1) / (mr - 1)
			}
		case "asymmetric":
			x = float64(o) / s
		case "tf_half_pixel_for_nn":
			x = (float64(o) + 0.5) / s
		}
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
