package infer

import "github.com/edge-pi/edge/simd"

// matmulKernel is MatMul with numpy semantics: the last two dimensions
// are matrices, the ones before them broadcast, and a 1-D operand is a
// row (A) or column (B) vector whose unit dimension is dropped from the
// result.
//
// When B is a constant matrix (no batch dimensions other than 1s), every
// row of A meets the same weights, packed once: for a single row as W =
// Bᵀ (N × K), the threads sharing the N output features; for more, as
// simd.PackB of B, and Y = A·B over all rows of all batches at once: A's
// rows packed by the threads by blocks, then the product by columns
// (simd.GemmPackedBCols), each thread reading its part of the weights.
// (Computed as Yᵀ = W·Aᵀ, A and Y went through scalar transposes that
// cost more than the product: ConvNeXt-tiny's MLPs at 46 GFLOP/s.)
// Otherwise (both operands computed at run time, as attention's Q·Kᵀ and
// its weights times V) each batch is a packed GEMM reading B in place:
// its rows of A are packed by blocks of rb rows into the thread's
// scratch, the threads sharing the blocks of all batches. (A scalar
// loop there was 3 GFLOP/s: ViT-B/16's two batched products took 530 of
// its 937 ms.)
type matmulKernel struct {
	n         *node
	m, nn, kk int
	batches   int
	aOff      []int // per batch: offset of its A matrix
	bOff      []int // per batch: offset of its B matrix

	packedPath bool
	rows       int // rows of A over all batches, on the packed path
	packBuf    []float32
	packed     simd.PackedA // W = Bᵀ, for one row
	pb         simd.PackedB // B, for more
	cuts       []int        // the column pieces of the product, for more rows
	arows      int          // rows of A a thread packs at once
	packBody   func(lo, hi int)
	prodBody   func(lo, hi int)
	scratch    []float32 // A packed (more rows on the packed path); or a packed block of A per thread
	body       func(lo, hi int)

	rb, blocks int // rows of A per block and blocks per batch (batched path)
	batchBody  func(c, lo, hi int)

	bias []float32 // a constant added to every row (a Linear layer's bias, fuseBias); nil: none
}

func init() {
	register("MatMul", nil, buildMatMul)
}

func buildMatMul(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	a, bb := b.in(0), b.in(1)
	if a.dtype != bb.dtype {
		return nil, b.errf("input types differ: %v and %v", a.dtype, bb.dtype)
	}
	if a.dtype != Float32 && a.dtype != Int64 && a.dtype != Int32 {
		return nil, b.errf("data type %v is not supported by MatMul", a.dtype)
	}
	if len(a.shape) == 0 || len(bb.shape) == 0 {
		return nil, b.errf("operands %v and %v must have rank 1 or more", a.shape, bb.shape)
	}
	as, bs := a.shape, bb.shape
	aVec, bVec := len(as) == 1, len(bs) == 1
	if aVec {
		as = []int{1, as[0]}
	}
	if bVec {
		bs = []int{bs[0], 1}
	}
	k := &matmulKernel{n: b.n}
	k.m, k.kk = as[len(as)-2], as[len(as)-1]
	k.nn = bs[len(bs)-1]
	if bs[len(bs)-2] != k.kk {
		return nil, b.errf("inner dimensions differ: %v times %v", a.shape, bb.shape)
	}
	aBatch, bBatch := as[:len(as)-2], bs[:len(bs)-2]
	batch, err := broadcastShape(aBatch, bBatch)
	if err != nil {
		return nil, b.errf("batch dimensions %v and %v do not broadcast", aBatch, bBatch)
	}
	out := append([]int(nil), batch...)
	if !aVec {
		out = append(out, k.m)
	}
	if !bVec {
		out = append(out, k.nn)
	}
	if err := b.setOut(0, a.dtype, out); err != nil {
		return nil, err
	}
	if numel(out) == 0 {
		return k, nil // nothing to compute; batches stays 0
	}
	if bb.isConst && a.dtype == Float32 && numel(bBatch) == 1 {
		// A's batches are contiguous and the output keeps their order
		k.packedPath = true
		k.rows = numel(as[:len(as)-1])
		if k.rows > 1 {
			k.packBuf = make([]float32, simd.PackedBLen(k.kk, k.nn))
			k.pb = simd.PackB(k.packBuf, k.kk, k.nn, bb.t.F, k.nn)
			return k, nil
		}
		w := make([]float32, k.nn*k.kk)
		for j := 0; j < k.nn; j++ {
			for p := 0; p < k.kk; p++ {
				w[j*k.kk+p] = bb.t.F[p*k.nn+j]
			}
		}
		k.packBuf = make([]float32, simd.PackedLen(k.nn, k.kk))
		k.packed = simd.PackA(k.packBuf, k.nn, k.kk, w, k.kk)
		return k, nil
	}
	k.batches = numel(batch)
	k.aOff, k.bOff = make([]int, k.batches), make([]int, k.batches)
	sa, sb := bcastStrides(aBatch, batch), bcastStrides(bBatch, batch)
	for i := range k.batches {
		r := i
		for d := len(batch) - 1; d >= 0; d-- {
			c := r % batch[d]
			r /= batch[d]
			k.aOff[i] += c * sa[d] * k.m * k.kk
			k.bOff[i] += c * sb[d] * k.kk * k.nn
		}
	}
	return k, nil
}

func (k *matmulKernel) prepare(threads int) error {
	k.body = k.features
	k.batchBody = k.blocksOf
	k.packBody, k.prodBody = k.packRows, k.product
	if k.packedPath && k.rows > 1 {
		k.arows = roundUp((k.rows+2*threads-1)/(2*threads), simd.PackedPanelRows())
		k.cuts = simd.PackedBCuts(k.pb, tposedColsUnit)
		return nil
	}
	// whole matrices where the batches alone give each thread two;
	// else blocks of rows, a multiple of the packed panels
	k.rb = k.m
	if k.batches < 2*threads {
		k.rb = roundUp((k.m+2*threads-1)/(2*threads), simd.PackedPanelRows())
	}
	k.rb = max(1, min(k.rb, k.m))
	k.blocks = (k.m + k.rb - 1) / k.rb
	return nil
}

func (k *matmulKernel) scratchLen(threads int) int {
	if !k.packedPath {
		if k.batches == 0 || k.n.out[0].dtype != Float32 {
			return 0
		}
		return threads * slotStride(simd.PackedLen(k.rb, k.kk))
	}
	if k.rows == 1 {
		return 0
	}
	return simd.PackedLen(k.rows, k.kk)
}

func (k *matmulKernel) setScratch(s []float32) { k.scratch = s }

func (k *matmulKernel) run(p *workers) {
	if !k.packedPath {
		if k.n.out[0].t.DType.isInt() {
			k.runInt()
			return
		}
		p.parallelChunks(k.batches*k.blocks, 1, k.batchBody)
		return
	}
	if k.rows == 1 {
		p.parallel(k.nn, max(1, 16384/max(k.kk, 1)), k.body)
		return
	}
	p.parallel((k.rows+k.arows-1)/k.arows, 1, k.packBody)
	p.parallel(len(k.cuts)-1, 1, k.prodBody)
}

// packRows packs blocks [lo, hi) of arows rows of A into the scratch,
// whole panels each (simd.PackedPanelRows), as one packing of all rows.
func (k *matmulKernel) packRows(lo, hi int) {
	a := k.n.in[0].t.F
	for blk := lo; blk < hi; blk++ {
		r0 := blk * k.arows
		r1 := min(k.rows, r0+k.arows)
		simd.PackA(k.scratch[simd.PackedLen(r0, k.kk):], r1-r0, k.kk, a[r0*k.kk:], k.kk)
	}
}

// product computes column pieces [lo, hi) of Y = A·B, all rows, and adds
// the bias to each piece while it is in cache.
func (k *matmulKernel) product(lo, hi int) {
	pa := simd.PackedAIn(k.scratch, k.rows, k.kk)
	y := k.n.out[0].t.F
	for q := lo; q < hi; q++ {
		c0, c1 := k.cuts[q], k.cuts[q+1]
		simd.GemmPackedBCols(pa, 0, k.rows, k.pb, c0, c1, y, k.nn)
		if k.bias != nil {
			for r := 0; r < k.rows; r++ {
				simd.AddRows(y[r*k.nn+c0:r*k.nn+c1], k.bias[c0:c1])
			}
		}
	}
}

// features computes output features [lo, hi) of the packed path's
// single row.
func (k *matmulKernel) features(lo, hi int) {
	y := k.n.out[0].t.F
	simd.GemmPacked(k.packed, lo, hi, 1, k.n.in[0].t.F, 1, y[lo:], 1)
	if k.bias != nil {
		simd.AddRows(y[lo:hi], k.bias[lo:hi])
	}
}

// fuseBias takes v, a constant Add after the product, where it is one
// value a column (a Linear layer's bias, exported as MatMul then Add):
// added to each piece of columns as it is computed, not in a pass of its
// own over Y (ConvNeXt-tiny's 36 at 112²: 1.3 ms against ONNX Runtime's
// fused 0.1). Only the packed path (B constant) takes it.
func (k *matmulKernel) fuseBias(v *value) bool {
	r := len(v.shape)
	if !k.packedPath || k.bias != nil || !v.isConst || v.dtype != Float32 || r == 0 || v.shape[r-1] != k.nn || numel(v.shape) != k.nn {
		return false
	}
	k.bias = v.t.F
	return true
}

// blocksOf computes blocks [lo, hi) (over batches × blocks) of the
// batched path: rows [r0, r1) of one batch's result, its rows of A packed
// into participant c's scratch, B read in place.
func (k *matmulKernel) blocksOf(c, lo, hi int) {
	a, bb, y := k.n.in[0].t.F, k.n.in[1].t.F, k.n.out[0].t.F
	buf := k.scratch[c*slotStride(simd.PackedLen(k.rb, k.kk)):]
	for u := lo; u < hi; u++ {
		bi, r0 := u/k.blocks, u%k.blocks*k.rb
		r1 := min(k.m, r0+k.rb)
		pa := simd.PackA(buf, r1-r0, k.kk, a[k.aOff[bi]+r0*k.kk:], k.kk)
		simd.GemmPacked(pa, 0, r1-r0, k.nn, bb[k.bOff[bi]:], k.nn, y[(bi*k.m+r0)*k.nn:], k.nn)
	}
}

// runInt multiplies integer matrices (constant folding only).
func (k *matmulKernel) runInt() {
	a, bb, y := k.n.in[0].t.I, k.n.in[1].t.I, k.n.out[0].t.I
	for bi := 0; bi < k.batches; bi++ {
		for i := 0; i < k.m; i++ {
			row := y[(bi*k.m+i)*k.nn : (bi*k.m+i+1)*k.nn]
			clear(row)
			for p := 0; p < k.kk; p++ {
				av := a[k.aOff[bi]+i*k.kk+p]
				br := bb[k.bOff[bi]+p*k.nn : k.bOff[bi]+(p+1)*k.nn]
				for j, bv := range br {
					row[j] += av * bv
				}
			}
		}
	}
}
