//go:build !purego

package simd

// biasClampNEON and biasAddClampNEON are BiasClamp and BiasAddClamp
// (epilogue_arm64.s); len(r) == len(x).
//
//go:noescape
func biasClampNEON(x []float32, bias, lo, hi float32)

//go:noescape
func biasAddClampNEON(x, r []float32, bias, lo, hi float32)
