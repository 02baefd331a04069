//go:build !purego

package simd

// biasClampAVX2 and biasAddClampAVX2 are BiasClamp and BiasAddClamp
// (epilogue_amd64.s); len(r) == len(x).
//
//go:noescape
func biasClampAVX2(x []float32, bias, lo, hi float32)

//go:noescape
func biasAddClampAVX2(x, r []float32, bias, lo, hi float32)
