//go:build !purego

package simd

// gatherPlanes16 is GatherPlanes (gather_amd64.s) for planes of hw ≤ 16
// floats and rows of n ≤ 16: plane in a register under hwMask, each tap's
// n indices loaded under nMask and the plane permuted by them under
// keep[t] (the lanes whose index is not negative), stored under nMask.
//
//go:noescape
func gatherPlanes16(dst, src *float32, hw, channels int, idx *int32, keep *uint16, taps, n int, hwMask, nMask uint16)

func gatherPlanesAVX512(dst, src []float32, hw, channels int, idx []int32, n int) {
	taps := len(idx) / n
	var keep [64]uint16
	if hw > 16 || n > 16 || taps > len(keep) {
		gatherPlanesGeneric(dst, src, hw, channels, idx, n)
		return
	}
	for t := range taps {
		for i, o := range idx[t*n : (t+1)*n] {
			if o >= 0 {
				keep[t] |= 1 << i
			}
		}
	}
	gatherPlanes16(&dst[0], &src[0], hw, channels, &idx[0], &keep[0], taps, n, uint16(1<<hw-1), uint16(1<<n-1))
}
