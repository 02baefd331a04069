//go:build !purego

package simd

// DepthwisePlane3, DepthwisePlane3Pool and StridedRows in NEON
// (dwplane_arm64.s). Maps narrower than one vector of outputs (ow < 4,
// pw < 2, n < 5) take the generic loops: the kernels never read past the
// last tap, and such rows have no room for a whole vector load.

//go:noescape
func dwPlane3NEON(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)

//go:noescape
func dwPlane3PoolNEON(dst *float32, ph, pw int, p *float32, wp int, w *float32, bias, lo, hi float32)

//go:noescape
func stride2RowsNEON(dst *float32, ldd int, src *float32, lds, rows, n int)

func dwPlaneNEON(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32) {
	if oh <= 0 || ow <= 0 {
		return
	}
	if ow < 4 || (s != 1 && s != 2) {
		dwPlaneGeneric(out, oh, ow, p, wp, s, w, bias, lo, hi)
		return
	}
	_ = w[8]
	_ = out[oh*ow-1]
	_ = p[((oh-1)*s+3)*wp-1]
	if wp < (ow-1)*s+3 {
		panic("simd: dwPlaneNEON row stride too small")
	}
	dwPlane3NEON(&out[0], oh, ow, &p[0], wp, s, &w[0], bias, lo, hi)
}

func dwPlanePoolNEON(out []float32, ph, pw int, p []float32, wp int, w []float32, bias, lo, hi float32) {
	if ph <= 0 || pw <= 0 {
		return
	}
	if pw < 2 {
		dwPlanePoolGeneric(out, ph, pw, p, wp, w, bias, lo, hi)
		return
	}
	_ = w[8]
	_ = out[ph*pw-1]
	_ = p[(2*ph+2)*wp-1]
	if wp < 2*pw+2 {
		panic("simd: dwPlanePoolNEON row stride too small")
	}
	dwPlane3PoolNEON(&out[0], ph, pw, &p[0], wp, &w[0], bias, lo, hi)
}

func stridedRowsNEON(dst []float32, ldd int, src []float32, lds, rows, n, s int) {
	if s != 2 || n < 5 || lds < 0 || rows <= 0 {
		stridedRowsGeneric(dst, ldd, src, lds, rows, n, s)
		return
	}
	_ = dst[(rows-1)*ldd+n-1]
	_ = src[(rows-1)*lds+2*(n-1)]
	stride2RowsNEON(&dst[0], ldd, &src[0], lds, rows, n)
}
