package simd

// PackedB is a k×n matrix rearranged once to be the right-hand operand of
// GemmPackedB: the weights, where the activations are the packed left one
// (a convolution over a small map computed transposed, so that its many
// output channels, not its few pixels, fill the vector lanes). Its layout
// belongs to the implementation.
type PackedB struct {
	K, N int
	data []float32
	impl *impl // the implementation that packed it
}

// PackedBLen is the number of floats PackB needs for a k×n matrix.
func PackedBLen(k, n int) int { return active.packedBLen(k, n) }

// PackB packs the k×n row-major matrix b (row stride ldb) into dst, which
// must hold PackedBLen(k, n) floats.
func PackB(dst []float32, k, n int, b []float32, ldb int) PackedB {
	if k < 0 || n < 0 || (k > 0 && n > 0 && (ldb < n || len(b) < (k-1)*ldb+n)) {
		panic("simd: PackB arguments out of range")
	}
	l := active.packedBLen(k, n)
	active.packB(dst[:l], k, n, b, ldb)
	return PackedB{K: k, N: n, data: dst[:l], impl: active}
}

// PackedBNative reports whether PackB has a layout of its own here (so
// that GemmPackedB skips the per-call packing GemmPacked does), rather than
// a row-major copy.
func PackedBNative() bool { return active.packedBNative }

// GemmColumns is what a product of n columns costs the GEMM in use, in
// columns of its widest kernel's cost per column (≥ n): the columns
// rounded up to the kernels' vectors, or the finer cut of the AVX-512
// drivers (gemvTail512, avx2Strip512). Convolutions compare their ways of
// computing by it.
func GemmColumns(n int) int {
	return active.gemmColumns(n)
}

func roundUpQ(n, q int) int { return (n + q - 1) / q * q }

// GemmOffsetsSplit is where a GemmOffsets product of n columns is best cut
// in two (columns [0, s) and [s, n), each its own call), or 0 where one call
// is best: the AVX-512 drivers gather a last strip of 9–16 columns for
// their 16-lane kernel, one copy of every B row per call, where two strips
// of 25–32 columns of the same lanes read B in place through the offsets
// (112 columns, a stem's output row at 224²: 48 + 32 and 32, rather than
// 48 + 48 + 16 gathered).
func GemmOffsetsSplit(n int) int {
	return active.offsetsSplit(n)
}

// GemmPackedB computes rows [r0, r1) of C = A·B (n = b.N columns), both
// operands packed by the same implementation, C row i (from r0) at
// c[(i-r0)·ldc]. C is overwritten.
func GemmPackedB(a PackedA, r0, r1 int, b PackedB, c []float32, ldc int) {
	if r0 < 0 || r1 > a.M || r0 > r1 || a.K != b.K || ldc < b.N {
		panic("simd: GemmPackedB arguments out of range")
	}
	if a.impl != b.impl {
		panic("simd: GemmPackedB operands packed by different implementations")
	}
	if r0 == r1 || b.N == 0 {
		return
	}
	_ = c[(r1-r0-1)*ldc+b.N-1]
	a.impl.gemmB(a, r0, r1, b, 0, b.N, c, ldc)
}

// GemmPackedBCols is GemmPackedB on columns [j0, j1) of C only (the
// others are not written), each of j0 and j1 a cut of b (PackedBCut):
// threads that share a product by its columns each read only their part
// of B, where sharing it by rows each would read all of it. Columns are
// computed as GemmPackedB computes them, bit for bit where B has a layout
// of its own (PackedBNative), within rounding elsewhere.
func GemmPackedBCols(a PackedA, r0, r1 int, b PackedB, j0, j1 int, c []float32, ldc int) {
	if r0 < 0 || r1 > a.M || r0 > r1 || a.K != b.K || ldc < b.N || j0 < 0 || j1 > b.N || j0 > j1 {
		panic("simd: GemmPackedBCols arguments out of range")
	}
	if PackedBCut(b, j0) != j0 || PackedBCut(b, j1) != j1 {
		panic("simd: GemmPackedBCols columns not at cuts of B")
	}
	if a.impl != b.impl {
		panic("simd: GemmPackedBCols operands packed by different implementations")
	}
	if r0 == r1 || j0 == j1 {
		return
	}
	_ = c[(r1-r0-1)*ldc+j1-1]
	b.impl.gemmB(a, r0, r1, b, j0, j1, c, ldc)
}

// PackedBCut is the largest column ≤ j (0 ≤ j ≤ b.N) at which
// GemmPackedBCols may start or end a range: the packed strips' edges, and
// b.N.
func PackedBCut(b PackedB, j int) int {
	if j >= b.N {
		return b.N
	}
	if b.impl.bCut == nil {
		return max(j, 0)
	}
	return b.impl.bCut(b.N, max(j, 0))
}

// PackAT packs the m×k matrix A given transposed, A[i][p] = at[p·ldat+i]
// (at is k×m, row stride ldat), as PackA packs A: the im2col matrix of a
// convolution (taps × pixels) as the left operand of GemmPackedB.
func PackAT(dst []float32, m, k int, at []float32, ldat int) PackedA {
	if m < 0 || k < 0 || (m > 0 && k > 0 && (ldat < m || len(at) < (k-1)*ldat+m)) {
		panic("simd: PackAT arguments out of range")
	}
	n := active.packedLen(m, k)
	active.packAT(dst[:n], m, k, at, ldat)
	return PackedA{M: m, K: k, data: dst[:n], impl: active}
}

// packATPanels is PackAT for layouts of panels of mr rows, k-major within
// a panel (element (r, q) of the panel at q·mr + r), rows past m zero: the
// generic row-major layout is the case mr = 1.
func packATPanels(dst []float32, m, k int, at []float32, ldat, mr int) {
	if mr == 4 {
		packAT4(dst, m, k, at, ldat)
		return
	}
	for p0 := 0; p0 < m; p0 += mr {
		panel := dst[p0*k : (p0+mr)*k]
		rows := min(mr, m-p0)
		for q := 0; q < k; q++ {
			src := at[q*ldat+p0 : q*ldat+p0+rows]
			d := panel[q*mr : q*mr+mr]
			copy(d, src)
			clear(d[rows:])
		}
	}
}

func packATGeneric(dst []float32, m, k int, at []float32, ldat int) {
	for i := 0; i < m; i++ {
		row := dst[i*k : (i+1)*k]
		for q := range row {
			row[q] = at[q*ldat+i]
		}
	}
}

func packedBLenRowMajor(k, n int) int { return k * n }

func packBRowMajor(dst []float32, k, n int, b []float32, ldb int) {
	for p := 0; p < k; p++ {
		copy(dst[p*n:(p+1)*n], b[p*ldb:])
	}
}

// gemmBRowMajor is GemmPackedBCols for a row-major PackedB: the
// implementation's GemmPacked on the columns.
func gemmBRowMajor(a PackedA, r0, r1 int, b PackedB, j0, j1 int, c []float32, ldc int) {
	a.impl.gemm(a, r0, r1, j1-j0, b.data[j0:], b.N, c[j0:], ldc)
}

// packAT4 is packATPanels for panels of 4 rows: whole panels four floats
// at a time, a last partial one through packATPanels' general loop.
func packAT4(dst []float32, m, k int, at []float32, ldat int) {
	whole := m / 4 * 4
	for p0 := 0; p0 < whole; p0 += 4 {
		panel := dst[p0*k : (p0+4)*k]
		for q := 0; q < k; q++ {
			s := at[q*ldat+p0 : q*ldat+p0+4 : q*ldat+p0+4]
			d := panel[4*q : 4*q+4 : 4*q+4]
			d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
		}
	}
	if whole < m {
		rows := m - whole
		panel := dst[whole*k : (whole+4)*k]
		for q := 0; q < k; q++ {
			d := panel[4*q : 4*q+4]
			copy(d, at[q*ldat+whole:q*ldat+whole+rows])
			clear(d[rows:])
		}
	}
}

// PackedBCuts cuts b's columns into pieces of about width columns at
// cuts of b (PackedBCut): the first 0, the last b.N, each piece at most
// width columns unless no cut lies within width of its start (then the
// next cut). Threads that share a product by its columns take the pieces.
func PackedBCuts(b PackedB, width int) []int {
	cuts := []int{}
	for j := 0; j < b.N; {
		next := PackedBCut(b, j+width)
		if next <= j { // a cut further than width away
			next = j + 1
			for PackedBCut(b, next) != next {
				next++
			}
		}
		cuts = append(cuts, j)
		j = next
	}
	return append(cuts, b.N)
}

// PackedPanelRows is how many rows of A one packed panel holds: PackA or
// PackAT of rows [p0, p0+m) of a matrix, p0 a multiple of it, into
// dst[PackedLen(p0, k):] writes there what packing the whole matrix
// writes, so that threads can pack one matrix in parts (PackedAIn).
func PackedPanelRows() int { return active.packedLen(1, 1) }

// PackedAIn is the m×k packed matrix that PackA or PackAT calls wrote into
// dst by parts of whole panels (see PackedPanelRows).
func PackedAIn(dst []float32, m, k int) PackedA {
	n := active.packedLen(m, k)
	if m < 0 || k < 0 || len(dst) < n {
		panic("simd: PackedAIn arguments out of range")
	}
	return PackedA{M: m, K: k, data: dst[:n], impl: active}
}
