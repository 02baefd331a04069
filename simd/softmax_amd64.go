//go:build !purego

package simd

import "math"

// softmaxz is SoftmaxRow in AVX-512 (softmax_amd64.s): the maximum, then
// the exponentials (exp32's reduction and series, 2^k by VSCALEFPS) stored
// and summed, then the scaling, 16 floats at a time, the last under an
// opmask.
//
//go:noescape
func softmaxz(y, x *float32, n int, c *[7]float32)

func softmaxAVX512(y, x []float32) {
	softmaxz(&y[0], &x[0], len(x), &expC)
}

// expTab8 is softmaxy's table, 8 copies of each constant: −Inf, log2e,
// ln2's two parts, 1, the least exponent argument −87.33, expC (1/i!,
// i = 0…6), then 127 as an int32 (the exponent's bias).
var expTab8 = func() (t [14][8]float32) {
	k := [14]float32{float32(math.Inf(-1)), expLog2e, expLn2Hi, expLn2Lo, 1, -87.33}
	copy(k[6:], expC[:])
	k[13] = math.Float32frombits(127)
	splat8(t[:], k[:])
	return t
}()

// softmaxy is SoftmaxRow in AVX2 (softmax_amd64.s); mask has the first
// n mod 8 lanes set (the tail's).
//
//go:noescape
func softmaxy(y, x *float32, n int, tab *[14][8]float32, mask *int32)

func softmaxAVX2(y, x []float32) {
	softmaxy(&y[0], &x[0], len(x), &expTab8, &packMask[nrAVX2-len(x)%8])
}
