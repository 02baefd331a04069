package infer

import "github.com/edge-pi/edge/simd"

// convTransposeKernel is ConvTranspose over one or two spatial
// dimensions (the upsampling of segmentation and detection heads; one
// runs as two of height 1): for each image and
// group, the columns C = Wᵀ·X (the weights transposed, Mg·kh·kw × Cg,
// packed once; X the group's Cg × H·W input read in place) by the packed
// GEMM, then each column's products added into the output pixels its taps
// reach (col2im), over the bias.
type convTransposeKernel struct {
	n              *node
	batch, groups  int
	cin, cout      int // channels; per group cin/groups and cout/groups
	h, w, oh, ow   int
	kh, kw         int
	sh, sw, dh, dw int
	pt, pl         int
	bias           []float32 // nil: none
	wt             []simd.PackedA
	wtBuf          []float32
	scratch        []float32
	mrows, mblocks int // output channels of a group per unit, and the units of a group
	body           func(c, lo, hi int)
}

func init() {
	register("ConvTranspose", []string{"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads", "strides"}, buildConvTranspose)
}

func buildConvTranspose(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 3); err != nil {
		return nil, err
	}
	for i := 0; i < 3; i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	x, w := b.in(0), b.in(1)
	oneD := len(x.shape) == 3 && len(w.shape) == 3
	if !oneD && (len(x.shape) != 4 || len(w.shape) != 4) {
		return nil, unsupportedf("node %q (ConvTranspose): input %v, weights %v; one or two spatial dimensions are supported", b.n.name, x.shape, w.shape)
	}
	if !w.isConst {
		return nil, b.needsConst(1, "a constant (the weights)")
	}
	xs, ws := x.shape, w.shape
	if oneD { // N C W as N C 1 W, the attributes' height 1 (pads and output padding 0)
		xs, ws = []int{xs[0], xs[1], 1, xs[2]}, []int{ws[0], ws[1], 1, ws[2]}
	}
	k := &convTransposeKernel{n: b.n, batch: xs[0], cin: xs[1], h: xs[2], w: xs[3],
		groups: int(b.a.int("group", 1)), kh: ws[2], kw: ws[3]}
	if k.groups < 1 || k.cin%k.groups != 0 || w.shape[0] != k.cin {
		return nil, b.errf("group %d does not fit %d input channels, weights %v", k.groups, k.cin, w.shape)
	}
	k.cout = w.shape[1] * k.groups
	// lift reads an attribute of one value a spatial axis as two (the
	// height's first, hv, where the tensors are 1-D)
	lift := func(name string, hv int64) []int64 {
		v := b.a.ints(name, nil)
		if !oneD || v == nil {
			return v
		}
		if len(v) == 2 && name == "pads" { // begin, end
			return []int64{hv, v[0], hv, v[1]}
		}
		if len(v) == 3 && name == "output_shape" { // N, C, W
			return []int64{hv, v[2]}
		}
		return append([]int64{hv}, v...)
	}
	pair := func(name string, def int) ([2]int, error) {
		v := lift(name, int64(def))
		switch {
		case v == nil:
			return [2]int{def, def}, nil
		case len(v) != 2:
			return [2]int{}, b.errf("%s %v must have a value a spatial axis", name, b.a.ints(name, nil))
		}
		return [2]int{int(v[0]), int(v[1])}, nil
	}
	if ks := lift("kernel_shape", 1); ks != nil && (len(ks) != 2 || int(ks[0]) != k.kh || int(ks[1]) != k.kw) {
		return nil, b.errf("kernel_shape %v does not match the weights %v", b.a.ints("kernel_shape", nil), w.shape)
	}
	st, err := pair("strides", 1)
	if err != nil {
		return nil, err
	}
	dil, err := pair("dilations", 1)
	if err != nil {
		return nil, err
	}
	op, err := pair("output_padding", 0)
	if err != nil {
		return nil, err
	}
	k.sh, k.sw, k.dh, k.dw = st[0], st[1], dil[0], dil[1]
	if k.sh < 1 || k.sw < 1 || k.dh < 1 || k.dw < 1 || k.sh > 64 || k.sw > 64 || k.dh > 64 || k.dw > 64 {
		return nil, b.errf("strides %v and dilations %v must be 1–64", st, dil)
	}
	if op[0] < 0 || op[1] < 0 || op[0] >= max(k.sh, k.dh) || op[1] >= max(k.sw, k.dw) {
		return nil, b.errf("output_padding %v must be below the stride or the dilation", op)
	}
	// the full output before padding is taken off, per axis
	full := [2]int{k.sh*(k.h-1) + op[0] + (k.kh-1)*k.dh + 1, k.sw*(k.w-1) + op[1] + (k.kw-1)*k.dw + 1}
	var pads [4]int
	autoPad := b.a.str("auto_pad", "NOTSET")
	outShape := lift("output_shape", 1)
	switch {
	case outShape != nil || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER":
		want := [2]int{k.h * k.sh, k.w * k.sw}
		if outShape != nil {
			if len(outShape) != 2 && len(outShape) != 4 {
				return nil, b.errf("output_shape %v must have 2 (or 4) values", outShape)
			}
			outShape = outShape[len(outShape)-2:]
			want = [2]int{int(outShape[0]), int(outShape[1])}
		}
		for d := 0; d < 2; d++ {
			// a negative total (an output_shape past the full output)
			// extends the output at the end, as output_padding would:
			// halves rounded down, as the ONNX reference's floor division
			total := full[d] - want[d]
			if total < -full[d] || want[d] < 1 || want[d] > 1<<20 {
				return nil, b.errf("output_shape %v does not fit the convolution's output %v", want, full)
			}
			half := total >> 1
			if autoPad == "SAME_UPPER" {
				pads[d], pads[d+2] = half, total-half
			} else {
				pads[d], pads[d+2] = total-half, half
			}
		}
	case autoPad == "NOTSET":
		if p := lift("pads", 0); p != nil {
			if len(p) != 4 {
				return nil, b.errf("pads %v must have 4 values", p)
			}
			for i, v := range p {
				if v < 0 {
					return nil, b.errf("pads %v must not be negative", p)
				}
				pads[i] = int(v)
			}
		}
	case autoPad == "VALID":
	default:
		return nil, b.errf("auto_pad %q is not supported", autoPad)
	}
	k.pt, k.pl = pads[0], pads[1]
	k.oh, k.ow = full[0]-pads[0]-pads[2], full[1]-pads[1]-pads[3]
	if k.oh < 1 || k.ow < 1 {
		return nil, b.errf("the output would be %d×%d", k.oh, k.ow)
	}
	if v := b.in(2); v != nil {
		if !v.isConst {
			return nil, b.needsConst(2, "a constant (the bias)")
		}
		if numel(v.shape) != k.cout {
			return nil, b.errf("the bias must be a constant of %d values", k.cout)
		}
		k.bias = v.t.F
	}
	// Wᵀ per group: rows (m, ky, kx), columns c
	cg, mg, taps := k.cin/k.groups, k.cout/k.groups, k.kh*k.kw
	per := simd.PackedLen(mg*taps, cg)
	k.wtBuf = make([]float32, per*k.groups)
	t := make([]float32, mg*taps*cg)
	for g := 0; g < k.groups; g++ {
		for c := 0; c < cg; c++ {
			for m := 0; m < mg; m++ {
				for q := 0; q < taps; q++ {
					t[(m*taps+q)*cg+c] = w.t.F[((g*cg+c)*mg+m)*taps+q]
				}
			}
		}
		k.wt = append(k.wt, simd.PackA(k.wtBuf[g*per:(g+1)*per], mg*taps, cg, t, cg))
	}
	if oneD {
		return k, b.setOut(0, Float32, []int{k.batch, k.cout, k.ow})
	}
	return k, b.setOut(0, Float32, []int{k.batch, k.cout, k.oh, k.ow})
}

// prepare sizes the units: a block of mrows output channels of one image
// and group, blocks enough for two units a thread (one image and one
// group, a detector's upsampling, would otherwise run on one thread).
func (k *convTransposeKernel) prepare(threads int) error {
	k.body = k.units
	mg := k.cout / k.groups
	k.mblocks = 1
	if threads > 1 {
		k.mblocks = max(1, min(mg, (2*threads+k.batch*k.groups-1)/(k.batch*k.groups)))
	}
	k.mrows = (mg + k.mblocks - 1) / k.mblocks
	k.mblocks = (mg + k.mrows - 1) / k.mrows
	return nil
}

// scratchLen: each thread's columns of one block.
func (k *convTransposeKernel) scratchLen(threads int) int {
	return threads * slotStride(k.mrows*k.kh*k.kw*k.h*k.w)
}

func (k *convTransposeKernel) setScratch(s []float32) { k.scratch = s }

func (k *convTransposeKernel) run(p *workers) {
	p.parallelChunks(k.batch*k.groups*k.mblocks, 1, k.body)
}

// units computes units [lo, hi) over images × groups × blocks of output
// channels with thread slot c's columns: the block's rows of Wᵀ·X, then
// col2im into its channels.
func (k *convTransposeKernel) units(c, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	cg, mg, taps, hw, ohw := k.cin/k.groups, k.cout/k.groups, k.kh*k.kw, k.h*k.w, k.oh*k.ow
	col := k.scratch[c*slotStride(k.mrows*taps*hw):][:k.mrows*taps*hw]
	for u := lo; u < hi; u++ {
		bg, blk := u/k.mblocks, u%k.mblocks
		b, g := bg/k.groups, bg%k.groups
		m0, m1 := blk*k.mrows, min(mg, (blk+1)*k.mrows)
		simd.GemmPacked(k.wt[g], m0*taps, m1*taps, hw, x[(b*k.cin+g*cg)*hw:], hw, col, hw)
		for m := m0; m < m1; m++ {
			co := g*mg + m
			out := y[(b*k.cout+co)*ohw : (b*k.cout+co+1)*ohw]
			v := float32(0)
			if k.bias != nil {
				v = k.bias[co]
			}
			for i := range out {
				out[i] = v
			}
			for q := 0; q < taps; q++ {
				ky, kx := q/k.kw, q%k.kw
				src := col[((m-m0)*taps+q)*hw : ((m-m0)*taps+q+1)*hw]
				for iy := 0; iy < k.h; iy++ {
					oy := iy*k.sh - k.pt + ky*k.dh
					if oy < 0 || oy >= k.oh {
						continue
					}
					row, srow := out[oy*k.ow:(oy+1)*k.ow], src[iy*k.w:(iy+1)*k.w]
					for ix, v := range srow {
						if ox := ix*k.sw - k.pl + kx*k.dw; ox >= 0 && ox < k.ow {
							row[ox] += v
						}
					}
				}
			}
		}
	}
}
