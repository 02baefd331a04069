//go:build !purego && noavx512

package simd

// Built with -tags noavx512, the AVX-512 GEMM is not registered: for
// comparing it with the AVX2 one end to end.
var _ = func() bool { hasAVX512 = false; return true }()
