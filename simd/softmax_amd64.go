//go:build !purego

package simd

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
