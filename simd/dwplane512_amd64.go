//go:build !purego

package simd

// dwPlane3z and copyRowsz are DepthwisePlane3 and CopyRows in AVX-512
// (dwplane512_amd64.s): rows in vectors of 16 with the last one under an
// opmask, so that small maps (a 7×7 plane is a masked vector per row) cost
// no scalar tails and no VMASKMOVPS.
//
//go:noescape
func dwPlane3z(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)

//go:noescape
func copyRowsz(dst *float32, ldd int, src *float32, lds, rows, cols int)

func dwPlaneAVX512(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32) {
	dwPlane3z(&out[0], oh, ow, &p[0], wp, s, &w[0], bias, lo, hi)
}

func copyRowsAVX512(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	copyRowsz(&dst[0], ldd, &src[0], lds, rows, cols)
}

//go:noescape
func stride2Rowsz(dst *float32, ldd int, src *float32, lds, rows, n int)

func stridedRowsAVX512(dst []float32, ldd int, src []float32, lds, rows, n, s int) {
	if s != 2 {
		stridedRowsGeneric(dst, ldd, src, lds, rows, n, s)
		return
	}
	stride2Rowsz(&dst[0], ldd, &src[0], lds, rows, n)
}

//go:noescape
func dwPlane3Poolz(dst *float32, ph, pw int, p *float32, wp int, w *float32, bias, lo, hi float32)

func dwPlanePoolAVX512(out []float32, ph, pw int, p []float32, wp int, w []float32, bias, lo, hi float32) {
	dwPlane3Poolz(&out[0], ph, pw, &p[0], wp, &w[0], bias, lo, hi)
}

// dwChannelsAVX512 is DepthwiseChannels3's loop with the kernels called
// directly: two assembly calls a channel and nothing else.
func dwChannelsAVX512(out []float32, outCh int, in []float32, inCh, ldIn, rows, cols int, plane []float32, at, wp, oh, ow, s int, w, bias []float32, lo, hi float32) {
	copyIn := rows > 0 && cols > 0
	for c := range bias {
		if copyIn && (c == 0 || inCh != 0) {
			copyRowsz(&plane[at], wp, &in[c*inCh], ldIn, rows, cols)
		}
		dwPlane3z(&out[c*outCh], oh, ow, &plane[0], wp, s, &w[9*c], bias[c], lo, hi)
	}
}

//go:noescape
func compactClampz(dst *float32, src *float32, n, ox0, ow, wp int, bias, lo, hi float32) int

func compactClampAVX512(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
	return compactClampz(&dst[0], &src[0], n, ox0, ow, wp, bias, lo, hi) // CompactBiasClamp checked dst's room
}

//go:noescape
func biasClampRowsz(x *float32, ld, rows, n int, bias *float32, lo, hi float32)

func biasClampRowsAVX512(x []float32, ld, rows, n int, bias []float32, lo, hi float32) {
	biasClampRowsz(&x[0], ld, rows, n, &bias[0], lo, hi)
}
