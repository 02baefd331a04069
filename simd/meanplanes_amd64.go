//go:build !purego

package simd

// meanPlanesAVX2 is MeanPlanes (meanplanes_amd64.s) for planes ≥ 1 planes
// of n ≥ 1 floats at src.
//
//go:noescape
func meanPlanesAVX2(dst, src *float32, planes, n int)

func meanPlanesAVX2Slices(dst, src []float32, n int) {
	if n == 0 { // no floats to point at: 0/0 each
		meanPlanesGeneric(dst, src, n)
		return
	}
	meanPlanesAVX2(&dst[0], &src[0], len(dst), n) // MeanPlanes checked the lengths
}
