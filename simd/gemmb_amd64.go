//go:build !purego

package simd

// The AVX2 layout of PackedB: strips of nrAVX2 (24) columns, each k rows
// of 24 floats (zero past the last column), strip s at 24·k·s — the layout
// gemmAVX2Buf packs each K block of B into on the fly, made once for a
// constant B (the weights of a convolution computed transposed, a MatMul's
// right operand). A K block of a strip is then contiguous, and the
// kernels read it in place.

func packedBLenAVX2(k, n int) int { return (n + nrAVX2 - 1) / nrAVX2 * nrAVX2 * k }

func packBAVX2(dst []float32, k, n int, b []float32, ldb int) {
	for jc := 0; jc < n; jc += nrAVX2 {
		w := min(nrAVX2, n-jc)
		strip := dst[jc*k : (jc+nrAVX2)*k]
		for p := 0; p < k; p++ {
			row := strip[p*nrAVX2 : (p+1)*nrAVX2]
			copy(row, b[p*ldb+jc:][:w])
			clear(row[w:])
		}
	}
}

// bCutAVX2 is PackedBCut for j < n: the strips' edges.
func bCutAVX2(n, j int) int { return j / nrAVX2 * nrAVX2 }

// gemvColsB is how many of a packed B's n columns gemmBAVX2 takes by
// matrix-vector products, as gemmAVX2 does: all of them up to gemvMaxN,
// else gemvTail's.
func gemvColsB(n int) int {
	if n <= gemvMaxN {
		return n
	}
	return gemvTail(n)
}

// gemmBAVX2 is GemmPackedBCols: gemmAVX2Buf's loops over the packed
// strips of columns [j0, j1), read in place, and the columns it takes by
// matrix-vector products likewise (a packed column is a vector of stride
// 24), so that each column is summed as GemmPacked sums it.
func gemmBAVX2(a PackedA, r0, r1 int, b PackedB, j0, j1 int, c []float32, ldc int) {
	k, n := a.K, b.N
	if k == 0 {
		for i := 0; i < r1-r0; i++ {
			clear(c[i*ldc+j0 : i*ldc+j1])
		}
		return
	}
	end := j1
	if j1 == n {
		end = n - gemvColsB(n)
		for j := end; j < n; j++ {
			gemvAVX2(a, r0, r1, b.data[j/nrAVX2*nrAVX2*k+j%nrAVX2:], nrAVX2, c[j:], ldc)
		}
	}
	if end <= j0 {
		return
	}
	kb := kBlocks(k, kcAVX2)
	first, last := r0/mrAVX2, (r1-1)/mrAVX2
	for ib := first; ib <= last; ib += mcAVX2 {
		ie := min(last+1, ib+mcAVX2)
		for pc := 0; pc < k; pc += kb {
			s := stripAVX2{a: a, r0: r0, r1: r1, pc: pc, kc: min(kb, k-pc), c: c, ldc: ldc, ldb: nrAVX2}
			for s.jc = j0; s.jc < end; s.jc += nrAVX2 {
				s.w = min(nrAVX2, end-s.jc)
				s.b = &b.data[s.jc*k+pc*nrAVX2]
				s.panels(ib, ie)
			}
		}
	}
}
