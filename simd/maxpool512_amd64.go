//go:build !purego

package simd

// maxPool3x3s2Planez is MaxPool3x3s2Plane in AVX-512 (maxpool512_amd64.s),
// src at the plane's column x0, oh and ow ≥ 1.
//
//go:noescape
func maxPool3x3s2Planez(dst *float32, oh, ow int, src *float32, w int)

func maxPool3x3s2PlaneAVX512(dst []float32, oh, ow int, src []float32, w, x0 int) {
	maxPool3x3s2Planez(&dst[0], oh, ow, &src[x0], w)
}
