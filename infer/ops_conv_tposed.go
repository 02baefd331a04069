package infer

import "github.com/edge-pi/edge/simd"

// The transposed path (tposed): on a small map, C = W·X has few columns
// (pixels) and many rows (output channels), and the GEMM kernels, which
// put columns in vector lanes, waste the lanes past the last pixel: 36
// pixels (squeezenet1_1's 6×6 maps) fill 3 vectors of 16 to 75%, 49 (7×7)
// fill 4 to 77%. Computed as Cᵀ = Xᵀ·Wᵀ, the output channels fill the
// lanes and the pixels the rows: the im2col matrix (the input itself, for
// a 1×1 convolution) is packed transposed as the left operand each run,
// the weights once as the packed right one (simd.PackB, so no per-call
// packing of B), and the pixels × channels result is transposed into the
// output with the bias, residual and activation.

// tposedMaxCols bounds the pixels of a map taking the transposed path (its
// left operand, pixels × K, is packed per run in each thread's scratch).
const tposedMaxCols = 256

// tposedMinDepth is the fewest taps (K) and output channels of the
// transposed path: packing the left operand costs about N·K and
// transposing the result N·cout against the N·K·cout of the product, so
// both must be deep for the lanes saved to show (measured: mobilenet_v2's
// 7×7 pointwise layers, K or cout 64–96, got slower; squeezenet1_1's
// classifier, 512 → 1000 on 6×6, faster).
const tposedMinDepth = 256

// tposedGain is how much cheaper (in lanes computed) the transposed
// product must be to be chosen over the plain one, or Winograd's.
const tposedGain = 1.15

func roundUp(x, q int) int { return (x + q - 1) / q * q }

// tposedNative says whether simd has what the transposed path needs to
// pay: a packed right operand of its own layout and a transposing kernel.
func tposedNative() bool { return simd.PackedBNative() && simd.TransposeNative() }

// tposedOff turns the transposed path off (tests compare with it);
// tposedOn forces it where it applies (tests exercise it).
var tposedOff, tposedOn = false, false

// chooseTposed decides the transposed path by what each product costs
// the GEMM (simd.GemmColumns: columns rounded up to the kernels' vectors,
// or the AVX-512 drivers' finer cut): the plain one cout × K × cost(N)
// (N over the padded width when shifted), the transposed ⌈N⌉₄ × K ×
// cost(cout), Winograd (where it applies) 16 products of cout × cin ×
// cost(tiles), plus a third for its transforms.
func (k *convKernel) chooseTposed() bool {
	if tposedOff || k.pool || k.groups != 1 || k.depthwise || k.single || !k.wConst || !tposedNative() {
		return false
	}
	n := k.oh * k.ow
	if n > tposedMaxCols || n < 4 {
		return false
	}
	if tposedOn {
		return true
	}
	if k.k < tposedMinDepth || k.cout < tposedMinDepth {
		return false
	}
	cols := n
	if k.shifted {
		cols = k.oh * k.wp // the padded width's columns are computed too
	}
	plain := float64(k.cout) * float64(k.k) * float64(simd.GemmColumns(cols))
	if k.wino {
		tiles := ((k.oh + 1) / 2) * ((k.ow + 1) / 2)
		plain = 16 * float64(roundUp(k.cout, 4)) * float64(k.cin) * float64(simd.GemmColumns(tiles)) * 4 / 3
	}
	t := float64(roundUp(n, 4)) * float64(k.k) * float64(simd.GemmColumns(k.cout))
	return t*tposedGain <= plain
}

// prepareTposed packs the weights transposed (K × cout) and sizes the
// units of the two loops of a run: the left operand packed by rows of
// pixels (a share per thread, in whole panels), then the product by
// columns, the output channels (tCuts), so that each thread streams its
// part of the weights only. Shared by pixels, each thread read all of
// them: resnet18's 512-channel 3×3 layers on 4×4 maps (9.4 MB of weights
// each) took as long on two threads as on one.
func (k *convKernel) prepareTposed(threads int) {
	wt := make([]float32, k.k*k.cout)
	for co := 0; co < k.cout; co++ {
		for q := 0; q < k.k; q++ {
			wt[q*k.cout+co] = k.weights[co*k.k+q]
		}
	}
	k.tPBBuf = make([]float32, simd.PackedBLen(k.k, k.cout))
	k.tPB = simd.PackB(k.tPBBuf, k.k, k.cout, wt, k.cout)
	n := k.oh * k.ow
	k.tRows = roundUp((n+threads-1)/threads, simd.PackedPanelRows())
	k.tUnits = (n + k.tRows - 1) / k.tRows
	k.tCuts = simd.PackedBCuts(k.tPB, tposedColsUnit)
	k.tPackBody, k.tProdBody = k.tposedPack, k.tposedProd
	if !k.pointwise {
		k.tIdx = make([][]int32, k.tUnits)
		for t := range k.tUnits {
			for ky := 0; ky < k.kh; ky++ {
				for kx := 0; kx < k.kw; kx++ {
					for p := t * k.tRows; p < min(n, (t+1)*k.tRows); p++ {
						iy, ix := p/k.ow*k.sh+ky*k.dh-k.pt, p%k.ow*k.sw+kx*k.dw-k.pl
						o := int32(-1)
						if iy >= 0 && iy < k.h && ix >= 0 && ix < k.w {
							o = int32(iy*k.w + ix)
						}
						k.tIdx[t] = append(k.tIdx[t], o)
					}
				}
			}
		}
	}
}

// tposedColsUnit is about the columns of a unit of the product: the
// AVX-512 kernels' strip of 48 (PackedBCut).
const tposedColsUnit = 48

// gather is im2col for the transposed path through tIdx: rows (c, ky,
// kx) of unit t's pixels, one indexed load each (simd.GatherPlanes; a
// register's permutation on planes of up to 16 floats). On small maps the
// im2col path's clear and copy calls for a few floats at a time cost
// more than the loads (resnet18's 4×4 maps at 112²: a third of a layer).
func (k *convKernel) gather(in, col []float32, t, n int) {
	simd.GatherPlanes(col, in, k.h*k.w, k.cg, k.tIdx[t], n)
}

// The scratch of the transposed path: per image the packed left operand
// (all pixels × K) and the pixels × channels product, then per thread,
// unless pointwise, an im2col matrix of tRows pixels.
func (k *convKernel) tposedImage() int {
	n := k.oh * k.ow
	return simd.PackedLen(n, k.k) + n*k.cout
}

func (k *convKernel) tposedLen(threads int) int {
	l := k.batch * k.tposedImage()
	if !k.pointwise {
		l = slotsAt(l) + threads*slotStride(k.k*k.tRows)
	}
	return l
}

// tposedPack packs units [lo, hi) (over batch × tUnits) of the left
// operands: pixels [s0, s0+tRows) of one image, whole panels of its
// packing, so that the units together write what packing all the
// pixels at once would.
func (k *convKernel) tposedPack(slot, lo, hi int) {
	x := k.n.in[0].t.F
	cols, hw := k.oh*k.ow, k.h*k.w
	for u := lo; u < hi; u++ {
		b, t := u/k.tUnits, u%k.tUnits
		s0 := t * k.tRows
		n := min(k.tRows, cols-s0)
		dst := k.scratch[b*k.tposedImage()+simd.PackedLen(s0, k.k):]
		in := x[b*k.cin*hw:]
		if k.pointwise {
			simd.PackAT(dst, n, k.k, in[s0:], hw)
			continue
		}
		col := k.scratch[slotsAt(k.batch*k.tposedImage())+slot*slotStride(k.k*k.tRows):][:k.k*n]
		k.gather(in, col, t, n)
		simd.PackAT(dst, n, k.k, col, n)
	}
}

// tposedProd computes units [lo, hi) (over batch × the pieces of tCuts):
// output channels [j0, j1) of one image, all pixels, transposed into the
// output with the bias, residual and activation.
func (k *convKernel) tposedProd(lo, hi int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	n := k.oh * k.ow
	pieces := len(k.tCuts) - 1
	for u := lo; u < hi; u++ {
		b, q := u/pieces, u%pieces
		j0, j1 := k.tCuts[q], k.tCuts[q+1]
		img := k.scratch[b*k.tposedImage():]
		pl := simd.PackedLen(n, k.k)
		pa := simd.PackedAIn(img[:pl], n, k.k)
		ct := img[pl : pl+n*k.cout]
		simd.GemmPackedBCols(pa, 0, n, k.tPB, j0, j1, ct, k.cout)
		base := b*k.cout*n + j0*n
		var rr []float32
		if res != nil {
			rr = res[base:]
		}
		k.transposeOut(y[base:], n, ct[j0:], k.cout, n, j0, j1-j0, rr)
	}
}

// transposeOut writes the pixels × channels matrix src (npix rows of
// stride lds, nc channels from co0) into the channel planes at y (row
// stride ldd), with the bias, the residual res (laid out as y; nil: none)
// and the activation: in the transposition itself where the activation
// is a clamp (or none with a residual), else transposed and then, plane
// by plane, finished (finish, whose result it is in every case). The
// transposed and lanes paths end with it.
func (k *convKernel) transposeOut(y []float32, ldd int, src []float32, lds, npix, co0, nc int, res []float32) {
	if lo, hi, clamp := k.act.clampBounds(); clamp && (k.act.kind != actNone || res != nil) {
		simd.TransposeBiasClamp(y, ldd, src, lds, npix, nc, k.bias[co0:], res, lo, hi)
		return
	}
	transposeInto(y, ldd, src, lds, npix, nc)
	for c := 0; c < nc; c++ {
		var rr []float32
		if res != nil {
			rr = res[c*ldd : c*ldd+npix]
		}
		k.finish(y[c*ldd:c*ldd+npix], rr, co0+c)
	}
}

// transposeInto writes the rows × cols matrix src (row stride lds)
// transposed into dst (row stride ldd): dst[j·ldd+i] = src[i·lds+j], in
// blocks of 8 × 8 so that both sides stay in cache.
func transposeInto(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	const bs = 8
	for j0 := 0; j0 < cols; j0 += bs {
		j1 := min(cols, j0+bs)
		for i0 := 0; i0 < rows; i0 += bs {
			i1 := min(rows, i0+bs)
			for j := j0; j < j1; j++ {
				d := dst[j*ldd+i0 : j*ldd+i1]
				for ii := range d {
					d[ii] = src[(i0+ii)*lds+j]
				}
			}
		}
	}
}
