//go:build !purego

package simd

// erfz is Erf in AVX-512 (erf_amd64.s): 16 floats at a time, the last
// under an opmask, the polynomials by FMAs.
//
//go:noescape
func erfz(dst, src *float32, n int, p, q *[6]float32)

func erfAVX512(dst, src []float32) {
	erfz(&dst[0], &src[0], len(src), &erfP, &erfQ)
}

// geluz is GELU in AVX-512 (erf_amd64.s): erfz's body between a division
// by c and the sum with a, products by x and h.
//
//go:noescape
func geluz(dst, src *float32, n int, p, q *[6]float32, c, a, h float32)

func geluAVX512(dst, src []float32, c, a, h float32) {
	geluz(&dst[0], &src[0], len(src), &erfP, &erfQ, c, a, h)
}
