package simd

// The generic packing is plain row-major; the generic multiply works on
// four rows of A at a time so that each row of B is read once per four
// output rows.

func packedLenGeneric(m, k int) int { return m * k }

func packAGeneric(dst []float32, m, k int, a []float32, lda int) {
	for i := 0; i < m; i++ {
		copy(dst[i*k:(i+1)*k], a[i*lda:i*lda+k])
	}
}

// gemmPackedGeneric is the reference for GemmPacked.
func gemmPackedGeneric(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	k := a.K
	i := r0
	for ; i+4 <= r1; i += 4 {
		a0 := a.data[i*k : (i+1)*k]
		a1 := a.data[(i+1)*k : (i+2)*k]
		a2 := a.data[(i+2)*k : (i+3)*k]
		a3 := a.data[(i+3)*k : (i+4)*k]
		c0 := c[(i-r0)*ldc : (i-r0)*ldc+n]
		c1 := c[(i-r0+1)*ldc : (i-r0+1)*ldc+n]
		c2 := c[(i-r0+2)*ldc : (i-r0+2)*ldc+n]
		c3 := c[(i-r0+3)*ldc : (i-r0+3)*ldc+n]
		clear(c0)
		clear(c1)
		clear(c2)
		clear(c3)
		for p := 0; p < k; p++ {
			br := b[p*ldb : p*ldb+n]
			v0, v1, v2, v3 := a0[p], a1[p], a2[p], a3[p]
			for j, bv := range br {
				c0[j] += v0 * bv
				c1[j] += v1 * bv
				c2[j] += v2 * bv
				c3[j] += v3 * bv
			}
		}
	}
	for ; i < r1; i++ {
		ar := a.data[i*k : (i+1)*k]
		cr := c[(i-r0)*ldc : (i-r0)*ldc+n]
		clear(cr)
		for p, v := range ar {
			br := b[p*ldb : p*ldb+n]
			for j, bv := range br {
				cr[j] += v * bv
			}
		}
	}
}
