//go:build !purego

package simd

// prefetchw is PrefetchStore by PREFETCHW (prefetch_amd64.s). The
// "avx512" table uses it: every CPU with AVX-512 has the instruction
// (AMD since the K6-2, Intel since Broadwell).
//
//go:noescape
func prefetchw(p *float32, n int)

func prefetchStoreAVX512(dst []float32) { prefetchw(&dst[0], len(dst)) }
