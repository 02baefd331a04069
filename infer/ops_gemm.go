package infer

import "github.com/edge-pi/edge/simd"

// gemmKernel is Gemm (Y = alpha·A'·B' + beta·C) and, through it, the
// fully connected layers of a network. With a constant B the weights are
// packed once as W = B'ᵀ (N × K) and the kernel computes Yᵀ = W·A'ᵀ,
// splitting the N output features over the threads: a batch of one is a
// matrix-vector product with no transposition at all.
type gemmKernel struct {
	n           *node
	transA      bool
	transB      bool
	alpha, beta float32
	m, nn, kk   int
	packedPath  bool
	w           []float32 // N × K, alpha folded in
	bias        []float32 // per output feature (beta·C folded in), or nil
	cGeom       *binGeom  // general C broadcast, when C is not a feature vector
	cIdx        int       // input index of a runtime or general C, or -1
	act         activation
	packBuf     []float32
	packed      simd.PackedA
	scratch     []float32
	body        func(lo, hi int)
}

func init() {
	register("Gemm", []string{"alpha", "beta", "transA", "transB", "broadcast"}, buildGemm)
}

func buildGemm(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 3); err != nil {
		return nil, err
	}
	for i := 0; i < 3; i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	k := &gemmKernel{n: b.n, cIdx: -1}
	k.alpha = b.a.float("alpha", 1)
	k.beta = b.a.float("beta", 1)
	k.transA = b.a.int("transA", 0) != 0
	k.transB = b.a.int("transB", 0) != 0
	b.a.ignore("broadcast") // opset < 7; broadcasting is always done
	a, bb := b.in(0), b.in(1)
	if len(a.shape) != 2 || len(bb.shape) != 2 {
		return nil, b.errf("A %v and B %v must be matrices", a.shape, bb.shape)
	}
	k.m, k.kk = a.shape[0], a.shape[1]
	if k.transA {
		k.m, k.kk = k.kk, k.m
	}
	kb, nb := bb.shape[0], bb.shape[1]
	if k.transB {
		kb, nb = nb, kb
	}
	if kb != k.kk {
		return nil, b.errf("inner dimensions differ: A %v, B %v (transA=%v, transB=%v)", a.shape, bb.shape, k.transA, k.transB)
	}
	k.nn = nb
	out := []int{k.m, k.nn}
	if c := b.in(2); c != nil {
		if _, err := broadcastShape(c.shape, out); err != nil || len(c.shape) > 2 {
			return nil, b.errf("C %v does not broadcast to %v", c.shape, out)
		}
		perFeature := numel(c.shape) == k.nn && (len(c.shape) == 1 || c.shape[0] == 1) || numel(c.shape) == 1
		if c.isConst && perFeature {
			k.bias = make([]float32, k.nn)
			for j := range k.bias {
				v := c.t.F[0]
				if len(c.t.F) > 1 {
					v = c.t.F[j]
				}
				k.bias[j] = k.beta * v
			}
		} else {
			g := newBinGeom(out, c.shape, out)
			k.cGeom = &g
			k.cIdx = 2
		}
	}
	if bb.isConst {
		k.packedPath = true
		k.w = make([]float32, k.nn*k.kk)
		for j := 0; j < k.nn; j++ {
			for p := 0; p < k.kk; p++ {
				var v float32
				if k.transB {
					v = bb.t.F[j*k.kk+p]
				} else {
					v = bb.t.F[p*k.nn+j]
				}
				k.w[j*k.kk+p] = k.alpha * v
			}
		}
		if k.bias == nil {
			k.bias = make([]float32, k.nn)
		}
	}
	return k, b.setOut(0, Float32, out)
}

func (k *gemmKernel) fuseAct(a *activation) bool {
	if k.act.kind != actNone || (a.channels() != 0 && a.channels() != k.nn) {
		return false
	}
	k.act = *a
	return true
}

func (k *gemmKernel) fuseAffine(scale, shift []float32) bool {
	if !k.packedPath || k.cIdx >= 0 || k.act.kind != actNone || len(scale) != k.nn {
		return false
	}
	for j := 0; j < k.nn; j++ {
		row := k.w[j*k.kk : (j+1)*k.kk]
		for p := range row {
			row[p] *= scale[j]
		}
		k.bias[j] = k.bias[j]*scale[j] + shift[j]
	}
	return true
}

func (k *gemmKernel) prepare(int) error {
	k.body = k.rows
	if k.packedPath {
		k.packBuf = make([]float32, simd.PackedLen(k.nn, k.kk))
		k.packed = simd.PackA(k.packBuf, k.nn, k.kk, k.w, k.kk)
	}
	return nil
}

// scratch holds Aᵀ (K × M) and Yᵀ (N × M) for batches above one.
func (k *gemmKernel) scratchLen(int) int {
	if !k.packedPath || (k.m == 1 && !k.transA) {
		return 0
	}
	return k.kk*k.m + k.nn*k.m
}

func (k *gemmKernel) setScratch(s []float32) { k.scratch = s }

func (k *gemmKernel) run(p *workers) {
	a, y := k.n.in[0].t.F, k.n.out[0].t.F
	if !k.packedPath {
		bb := k.n.in[1].t.F
		lda, ldb := k.kk, k.nn
		if k.transA {
			lda = k.m
		}
		if k.transB {
			ldb = k.kk
		}
		simd.Sgemm(k.transA, k.transB, k.m, k.nn, k.kk, k.alpha, a, lda, bb, ldb, 0, y, k.nn)
		k.epilogue(y)
		return
	}
	if k.m == 1 && !k.transA {
		p.parallel(k.nn, 64, k.body)
		k.epilogue(y)
		return
	}
	at := k.scratch[:k.kk*k.m]
	if k.transA {
		copy(at, a) // A is stored K × M already
	} else {
		for i := 0; i < k.m; i++ {
			for q := 0; q < k.kk; q++ {
				at[q*k.m+i] = a[i*k.kk+q]
			}
		}
	}
	p.parallel(k.nn, 64, k.body)
	yt := k.scratch[k.kk*k.m:]
	for j := 0; j < k.nn; j++ {
		for i := 0; i < k.m; i++ {
			y[i*k.nn+j] = yt[j*k.m+i]
		}
	}
	k.epilogue(y)
}

// rows computes output features [lo, hi) of Yᵀ.
func (k *gemmKernel) rows(lo, hi int) {
	if k.m == 1 && !k.transA {
		simd.GemmPacked(k.packed, lo, hi, 1, k.n.in[0].t.F, 1, k.n.out[0].t.F[lo:], 1)
		return
	}
	at := k.scratch[:k.kk*k.m]
	yt := k.scratch[k.kk*k.m:]
	simd.GemmPacked(k.packed, lo, hi, k.m, at, k.m, yt[lo*k.m:], k.m)
}

// epilogue adds the bias or C and applies the activation.
func (k *gemmKernel) epilogue(y []float32) {
	if lo, hi, ok := k.act.clampBounds(); ok && k.bias != nil && k.cIdx < 0 {
		// the bias row as BiasAddClamp's residual: (y + -0) + bias is y + bias
		for i := 0; i < k.m; i++ {
			simd.BiasAddClamp(y[i*k.nn:(i+1)*k.nn], k.bias, negZero, lo, hi)
		}
		return
	}
	if k.bias != nil {
		for i := 0; i < k.m; i++ {
			row := y[i*k.nn : (i+1)*k.nn]
			for j := range row {
				row[j] += k.bias[j]
			}
		}
	}
	if k.cIdx >= 0 {
		c := k.n.in[k.cIdx].t.F
		g := k.cGeom
		for r := 0; r < g.rows(); r++ {
			_, ob := g.offsets(r)
			dst := y[r*g.n : (r+1)*g.n]
			for i := range dst {
				dst[i] += k.beta * c[ob+i*g.sb]
			}
		}
	}
	if k.act.kind == actNone {
		return
	}
	if k.act.channels() == 0 {
		k.act.apply(y, 0)
		return
	}
	for i := 0; i < k.m; i++ {
		for j := 0; j < k.nn; j++ {
			k.act.apply(y[i*k.nn+j:i*k.nn+j+1], j)
		}
	}
}

func (k *gemmKernel) flops() int64 { return 2 * int64(k.m) * int64(k.nn) * int64(k.kk) }

// path names the way the product is computed, for StepInfo.
func (k *gemmKernel) path() string { return "gemm" }
