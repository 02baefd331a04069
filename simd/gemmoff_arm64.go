//go:build !purego

package simd

// gemm8x8off is gemm8x8 with row p of the B strip at b + offs[p] floats
// (gemm_arm64.s).
//
//go:noescape
func gemm8x8off(a, b *float32, offs *int32, c *float32, ldc, k, acc int)

// gemmOffNEON is GemmOffsets for the out-of-order cores: gemmDrive's
// blocking (k blocks of kcNEON, 8-column strips, down the panels of A)
// with the strips read in place through the offsets by gemm8x8off. The
// last n mod 8 columns are gathered into col (K × 8; n ≥ 8 here, so it
// fits) and go through gemmDrive.
func gemmOffNEON(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int) {
	k := a.K
	full := n &^ (nrNEON - 1)
	if k == 0 || full == 0 {
		gemmOffGather(a, r0, r1, n, b, offs, col, c, ldc)
		return
	}
	_ = c[(r1-r0-1)*ldc+n-1]
	_ = a.data[packedLenNEON(a.M, k)-1]
	_ = offs[k-1]
	for k0 := 0; k0 < k; k0 += kcNEON {
		kb := min(kcNEON, k-k0)
		for j := 0; j < full; j += nrNEON {
			tiles(false, a, r0, r1, k0, kb, &b[j], 0, &offs[k0], c[j:], ldc, nrNEON)
		}
	}
	if w := n - full; w > 0 {
		// row stride 8, not w: gemmDrive then sums in GemmPacked's order
		// (a contiguous single column would skip its k blocking)
		for p := 0; p < k; p++ {
			o := int(offs[p]) + full
			copy(col[p*nrNEON:p*nrNEON+w], b[o:o+w])
		}
		gemmDrive(false, a, r0, r1, w, col, nrNEON, c[full:], ldc)
	}
}
