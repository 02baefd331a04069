//go:build !purego

package simd

// dwSame3z is DepthwiseSame3 in AVX-512 (dwsame512_amd64.s): masks from
// sameMasks, zero a row of at least w zeros.
//
//go:noescape
func dwSame3z(dst, src *float32, ch, h, w int, masks *uint16, vecs int, zero, wt, bias *float32, lo, hi float32)

// zeroRow is the row above and below every map of dwSame3z and
// dwStride2z: as long as the longest row they read (a stride-2 kernel's
// last vector reads up to 34 floats past its first column).
var zeroRow [max(SameMaxWidth, 2*Stride2MaxWidth+34)]float32

func dwSameAVX512(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32) {
	var m [4 * SameMaxWidth / 16]uint16
	vecs := sameMasks(&m, w)
	dwSame3z(&out[0], &in[0], ch, h, w, &m[0], vecs, &zeroRow[0], &wt[0], &bias[0], lo, hi)
}
