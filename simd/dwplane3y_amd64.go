//go:build !purego

package simd

// dwPlane3y is DepthwisePlane3 in AVX2 (dwplane3y_amd64.s) for ow ≥ 8:
// the bias, the nine taps in order and the clamp in one pass.
//
//go:noescape
func dwPlane3y(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)

// dwPlane3ys is dwPlane3y for 1–7 outputs a row (dwplane3y_amd64.s): a
// masked vector a row, the masks from masks (smallMasks[ow]).
//
//go:noescape
func dwPlane3ys(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32, masks *[5][8]int32)

// smallMasks[ow] are dwPlane3ys's load masks for rows of ow outputs: the
// lanes of the outputs, then (stride 2) those of columns 0–7, 8–15, 1–8
// and 9–16 below the 2·ow+1 the taps read.
var smallMasks = func() (t [8][5][8]int32) {
	for ow := 1; ow < 8; ow++ {
		for j, c0 := range [5]int{0, 0, 8, 1, 9} {
			n := ow
			if j > 0 {
				n = 2*ow + 1
			}
			for l := range 8 {
				if c0+l < n {
					t[ow][j][l] = -1
				}
			}
		}
	}
	return t
}()

// dwPlaneAVX2 is DepthwisePlane3: dwPlane3y, or for rows of fewer than 8
// outputs (MobileNet's 7×7 and 4×4 maps) dwPlane3ys.
func dwPlaneAVX2(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32) {
	if ow >= 8 {
		dwPlane3y(&out[0], oh, ow, &p[0], wp, s, &w[0], bias, lo, hi)
		return
	}
	dwPlane3ys(&out[0], oh, ow, &p[0], wp, s, &w[0], bias, lo, hi, &smallMasks[ow])
}
