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

// erfTab8 is erfy's and geluy's table, 8 copies of each constant: the
// clamps ±erfClamp and ±1, then erfP, then erfQ.
var erfTab8 = func() (t [16][8]float32) {
	k := [16]float32{erfClamp, -erfClamp, 1, -1}
	copy(k[4:], erfP[:])
	copy(k[10:], erfQ[:])
	splat8(t[:], k[:])
	return t
}()

// splat8 fills row i of t with 8 copies of k[i]: the tables the AVX2
// kernels read their constants from, a vector each.
func splat8(t [][8]float32, k []float32) {
	for i, v := range k {
		for j := range t[i] {
			t[i][j] = v
		}
	}
}

// erfy is Erf in AVX2 (erf_amd64.s) over n floats, a multiple of 8: the
// AVX-512 kernel's operations in the same order, the constants read from
// erfTab8.
//
//go:noescape
func erfy(dst, src *float32, n int, tab *[16][8]float32)

// geluy is GELU in AVX2 (erf_amd64.s) over n floats, a multiple of 8.
//
//go:noescape
func geluy(dst, src *float32, n int, tab *[16][8]float32, c, a, h float32)

// erfAVX2 is Erf by erfy, the last 1–7 floats through a vector on the
// stack (AMD's masked stores are microcoded; dst may be src).
func erfAVX2(dst, src []float32) {
	n := len(src) &^ 7
	if n > 0 {
		erfy(&dst[0], &src[0], n, &erfTab8)
	}
	if r := len(src) - n; r > 0 {
		var v [8]float32
		copy(v[:], src[n:])
		erfy(&v[0], &v[0], 8, &erfTab8)
		copy(dst[n:], v[:r])
	}
}

// geluAVX2 is GELU by geluy, the last 1–7 floats as erfAVX2's.
func geluAVX2(dst, src []float32, c, a, h float32) {
	n := len(src) &^ 7
	if n > 0 {
		geluy(&dst[0], &src[0], n, &erfTab8, c, a, h)
	}
	if r := len(src) - n; r > 0 {
		var v [8]float32
		copy(v[:], src[n:])
		geluy(&v[0], &v[0], 8, &erfTab8, c, a, h)
		copy(dst[n:], v[:r])
	}
}
