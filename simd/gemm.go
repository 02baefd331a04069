package simd

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is X or its transpose. op(A) is m×k, op(B) is k×n and C is
// m×n; lda, ldb and ldc are the row strides of A, B and C as stored. When
// beta is 0, C is not read (NaNs in it do not propagate).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
		for p := 0; p < k; p++ {
			var av float32
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			av *= alpha
			if av == 0 {
				continue
			}
			if transB {
				for j := range row {
					row[j] += av * b[j*ldb+p]
				}
			} else {
				br := b[p*ldb : p*ldb+n]
				for j := range row {
					row[j] += av * br[j]
				}
			}
		}
	}
}

// PackedA is an m×k matrix rearranged once for repeated multiplication
// (the weights of a convolution or fully connected layer). Its layout
// belongs to the implementation.
type PackedA struct {
	M, K int
	data []float32
	impl *impl // the implementation that packed it
}

// PackedLen is the number of floats PackA needs for an m×k matrix.
func PackedLen(m, k int) int { return active.packedLen(m, k) }

// PackA packs the m×k row-major matrix a (row stride lda) into dst, which
// must hold PackedLen(m, k) floats, and returns the packed matrix. dst may
// be reused for another PackA of the same size later (weights that change
// between runs).
func PackA(dst []float32, m, k int, a []float32, lda int) PackedA {
	n := active.packedLen(m, k)
	active.packA(dst[:n], m, k, a, lda)
	return PackedA{M: m, K: k, data: dst[:n], impl: active}
}

// GemmPacked computes rows [r0, r1) of C = A·B, where A is packed, B is
// k×n row-major with row stride ldb, and C row i (i from r0) starts at
// c[(i-r0)·ldc]. C is overwritten.
func GemmPacked(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	if r0 < 0 || r1 > a.M || r0 > r1 || n < 0 {
		panic("simd: GemmPacked rows out of range")
	}
	if r0 == r1 || n == 0 {
		return
	}
	a.impl.gemm(a, r0, r1, n, b, ldb, c, ldc)
}

// GemmPackedBiasClamp is GemmPacked followed by BiasClampRows(c, ldc,
// r1-r0, n, bias, lo, hi) (bias[i] is row r0+i's), the result the same
// bit for bit; where the implementation can, the bias and clamp are
// applied as the kernels store C, not in a pass over it after (a
// convolution's output tile with its activation fused).
func GemmPackedBiasClamp(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int, bias []float32, lo, hi float32) {
	if r0 < 0 || r1 > a.M || r0 > r1 || n < 0 || len(bias) < r1-r0 {
		panic("simd: GemmPackedBiasClamp arguments out of range")
	}
	if r0 == r1 || n == 0 {
		return
	}
	if lo != lo || hi != hi || len(c) < (r1-r0-1)*ldc+n {
		gemmBiasClampTwoPass(a, r0, r1, n, b, ldb, c, ldc, bias, lo, hi)
		return
	}
	a.impl.gemmBiasClamp(a, r0, r1, n, b, ldb, c, ldc, bias, lo, hi)
}

// GemmOffsets computes rows [r0, r1) of C = A·B like GemmPacked, where row
// p of B (p < A's K) is b[offs[p] : offs[p]+n]: an indirect GEMM. For a
// stride-1 convolution over zero-padded input planes, b starts at a tile's
// first output column and offs[p] is the distance of tap p, so the im2col
// matrix is read in place. col must hold K·n floats: implementations that
// multiply a copied B (the im2col tile, row stride n) write it there. Every
// offset must keep its row inside b.
func GemmOffsets(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int) {
	if r0 < 0 || r1 > a.M || r0 > r1 || n < 0 || len(offs) < a.K || len(col) < a.K*n {
		panic("simd: GemmOffsets arguments out of range")
	}
	if r0 == r1 || n == 0 {
		return
	}
	for _, o := range offs[:a.K] {
		if o < 0 || int(o)+n > len(b) {
			panic("simd: GemmOffsets offset outside b")
		}
	}
	a.impl.gemmOff(a, r0, r1, n, b, offs, col, c, ldc)
}

// GemmOffsetsBiasClamp is GemmOffsets followed by BiasClampRows(c, ldc,
// r1-r0, n, bias, lo, hi), bit for bit, where the implementation may
// apply the bias and clamp as it stores C (AVX-512): one pass over C
// instead of two. bias[i] is row r0+i's.
func GemmOffsetsBiasClamp(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int, bias []float32, lo, hi float32) {
	if r0 < 0 || r1 > a.M || r0 > r1 || n < 0 || len(offs) < a.K || len(col) < a.K*n || len(bias) < r1-r0 {
		panic("simd: GemmOffsetsBiasClamp arguments out of range")
	}
	if r0 == r1 || n == 0 {
		return
	}
	for _, o := range offs[:a.K] {
		if o < 0 || int(o)+n > len(b) {
			panic("simd: GemmOffsetsBiasClamp offset outside b")
		}
	}
	if lo != lo || hi != hi {
		gemmOffBiasClampTwoPass(a, r0, r1, n, b, offs, col, c, ldc, bias, lo, hi)
		return
	}
	a.impl.gemmOffBiasClamp(a, r0, r1, n, b, offs, col, c, ldc, bias, lo, hi)
}

func gemmOffBiasClampTwoPass(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int, bias []float32, lo, hi float32) {
	a.impl.gemmOff(a, r0, r1, n, b, offs, col, c, ldc)
	BiasClampRows(c, ldc, r1-r0, n, bias, lo, hi)
}

// gemmOffGather is GemmOffsets through a copy: B gathered into col, then
// the implementation's GemmPacked. It is the reference, and the
// implementation of architectures without an indirect kernel.
func gemmOffGather(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int) {
	for p := 0; p < a.K; p++ {
		o := int(offs[p])
		copy(col[p*n:(p+1)*n], b[o:o+n])
	}
	a.impl.gemm(a, r0, r1, n, col, n, c, ldc)
}
