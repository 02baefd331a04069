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

// compactClampy is CompactBiasClamp with ordered bounds in AVX2
// (epilogue_amd64.s): the runs of kept columns walked in the kernel, each
// added to and clamped on its way to dst. It returns the floats written.
//
//go:noescape
func compactClampy(dst, src *float32, n, ox0, ow, wp int, bias, lo, hi float32) int

// compactClampAVX2 is CompactBiasClamp by compactClampy (CompactBiasClamp
// checked dst's room): squeezenet1_1's stem went through CompactRows,
// its closure a run, and BiasClamp, a third of the layer. compactClampy's
// last vector of a run re-reads floats that, in place, it has already
// written: where dst and src overlap, CompactRows (a memmove a run) then
// BiasClamp.
func compactClampAVX2(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
	if overlap(dst, src[:n]) {
		return compactClampOverlapAVX2(dst, src, n, ox0, ow, wp, bias, lo, hi)
	}
	return compactClampy(&dst[0], &src[0], n, ox0, ow, wp, bias, lo, hi)
}

var compactClampOverlapAVX2 = compactClampWith(biasClampAVX2)
