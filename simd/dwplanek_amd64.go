//go:build !purego

package simd

// dwRows4Kz computes four output rows of DepthwisePlaneK (dwplanek_amd64.s):
// columns in vectors of 16, the last under an opmask, each tap's weight
// broadcast once for the four rows (four independent chains of FMAs).
//
//go:noescape
func dwRows4Kz(out *float32, ow int, p *float32, wp int, w *float32, kh, kw int, bias, lo, hi float32)

// dwPlaneKAVX512 is DepthwisePlaneK by four rows at a time; the last rows
// of a map of four or more are its last four (recomputing some), a map of
// fewer goes through the loop in Go.
func dwPlaneKAVX512(out []float32, oh, ow int, p []float32, wp, kh, kw int, w []float32, bias, lo, hi float32) {
	if oh < 4 {
		dwPlaneKGeneric(out, oh, ow, p, wp, kh, kw, w, bias, lo, hi)
		return
	}
	for y := 0; y < oh; y += 4 {
		y = min(y, oh-4)
		dwRows4Kz(&out[y*ow], ow, &p[y*wp], wp, &w[0], kh, kw, bias, lo, hi)
	}
}

// dwRows4Ky computes four output rows of DepthwisePlaneK in AVX2
// (dwplanek_amd64.s): nvec vectors of 8 columns, or with a mask one
// vector of the columns it sets.
//
//go:noescape
func dwRows4Ky(out *float32, ldo int, p *float32, wp int, w *float32, kh, kw int, bias, lo, hi float32, nvec int, mask *int32)

// dwPlaneKAVX2 is DepthwisePlaneK by four rows at a time as
// dwPlaneKAVX512, in vectors of 8 columns: the last 1–7 columns of a row
// of 8 or more are its last vector (recomputing some), a row of fewer is
// one masked vector (AMD's masked stores are slow, but only such maps
// have them); a map of fewer than four rows goes through the loop in Go.
func dwPlaneKAVX2(out []float32, oh, ow int, p []float32, wp, kh, kw int, w []float32, bias, lo, hi float32) {
	if oh < 4 {
		dwPlaneKGeneric(out, oh, ow, p, wp, kh, kw, w, bias, lo, hi)
		return
	}
	for y := 0; y < oh; y += 4 {
		y = min(y, oh-4)
		o, q := out[y*ow:], p[y*wp:]
		switch nv, r := ow/8, ow%8; {
		case nv == 0:
			dwRows4Ky(&o[0], ow, &q[0], wp, &w[0], kh, kw, bias, lo, hi, 1, &packMask[nrAVX2-ow])
		case r == 0:
			dwRows4Ky(&o[0], ow, &q[0], wp, &w[0], kh, kw, bias, lo, hi, nv, nil)
		default:
			dwRows4Ky(&o[0], ow, &q[0], wp, &w[0], kh, kw, bias, lo, hi, nv, nil)
			dwRows4Ky(&o[ow-8], ow, &q[ow-8], wp, &w[0], kh, kw, bias, lo, hi, 1, nil)
		}
	}
}
