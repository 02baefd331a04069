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
