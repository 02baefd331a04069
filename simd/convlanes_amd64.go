//go:build !purego

package simd

// convLanes14x32 computes one run of LanesRun pixels by one group of
// LanesGroup output channels of Lanes.Run (convlanes_amd64.s), taps ≥ 1.
//
//go:noescape
func convLanes14x32(x *float32, offs *int32, taps int, w *float32, dst *float32, ldd int)

// convLanesAVX512 is Lanes.Run over whole runs with the AVX-512 kernel.
func convLanesAVX512(dst []float32, ldd int, x []float32, offs []int32, w []float32, g0, g1, runs int) {
	taps := len(offs)
	for g := g0; g < g1; g++ {
		wg := &w[g*taps*LanesGroup]
		for run := 0; run < runs; run++ {
			convLanes14x32(&x[run*LanesRun], &offs[0], taps, wg, &dst[run*LanesRun*ldd+(g-g0)*LanesGroup], ldd)
		}
	}
}

// transposeBiasClampz is TransposeBiasClamp with ordered bounds
// (convlanes_amd64.s): each row of dst 16 floats at a time, gathered from
// a column of src.
//
//go:noescape
func transposeBiasClampz(dst *float32, ldd int, src *float32, lds, rows, cols int, bias, res *float32, lo, hi float32)

func transposeBiasClampAVX512(dst []float32, ldd int, src []float32, lds, rows, cols int, bias, res []float32, lo, hi float32) {
	var r *float32
	if res != nil {
		r = &res[0]
	}
	transposeBiasClampz(&dst[0], ldd, &src[0], lds, rows, cols, &bias[0], r, lo, hi)
}
