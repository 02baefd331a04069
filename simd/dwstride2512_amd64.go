//go:build !purego

package simd

// dwStride2z is DepthwiseStride2 in AVX-512 (dwstride2512_amd64.s): masks
// from stride2Masks, zero the zero row, even the lane
// indices 0, 2, …, 30.
//
//go:noescape
func dwStride2z(dst, src *float32, ch, h, w, oh, ow, pt, pl int, masks *uint16, vecs int, zero *float32, even *int32, wt, bias *float32, lo, hi float32)

// evenLanes are the lane indices 0, 2, …, 30 of two vectors (VPERMT2PS).
var evenLanes = [16]int32{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}

func dwStride2AVX512(out, in []float32, ch, h, w, oh, ow, pt, pl int, wt, bias []float32, lo, hi float32) {
	var m [8 * Stride2MaxWidth / 16]uint16
	vecs := stride2Masks(&m, w, ow, pl)
	dwStride2z(&out[0], &in[0], ch, h, w, oh, ow, pt, pl, &m[0], vecs, &zeroRow[0], &evenLanes[0], &wt[0], &bias[0], lo, hi)
}
