//go:build !purego

package simd

// biasClampAVX2 and biasAddClampAVX2 are BiasClamp and BiasAddClamp
// (epilogue_amd64.s); len(r) == len(x).
//
//go:noescape
func biasClampAVX2(x []float32, bias, lo, hi float32)

//go:noescape
func biasAddClampAVX2(x, r []float32, bias, lo, hi float32)

// preluAVX2 is PRelu (epilogue_amd64.s): a compare, a multiply and a
// blend per 8 elements.
//
//go:noescape
func preluAVX2(x []float32, slope float32)
