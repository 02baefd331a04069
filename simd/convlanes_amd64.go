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

// transpose16z is TransposeBiasClamp with ordered bounds over blocks of
// 16 columns of src, transposed in registers (transpose512_amd64.s).
//
//go:noescape
func transpose16z(dst *float32, ldd int, src *float32, lds, rows, blocks int, bias, res *float32, lo, hi float32)

// transposeBiasClampAVX512 takes the whole blocks of 16 columns of src
// through transpose16z and the columns after them through
// transposeBiasClampz's gathers: resnet18's 7×7 stem at 112² (64 channels
// of 56 pixels a row), one thread, 0.40 ms of which the gathers took a
// fifth (AMD Zen 5).
func transposeBiasClampAVX512(dst []float32, ldd int, src []float32, lds, rows, cols int, bias, res []float32, lo, hi float32) {
	var r *float32
	if blocks := cols / 16; blocks > 0 {
		if res != nil {
			r = &res[0]
		}
		transpose16z(&dst[0], ldd, &src[0], lds, rows, blocks, &bias[0], r, lo, hi)
	}
	j := cols &^ 15
	if j == cols {
		return
	}
	if res != nil {
		r = &res[j*ldd]
	}
	transposeBiasClampz(&dst[j*ldd], ldd, &src[j], lds, rows, cols-j, &bias[j], r, lo, hi)
}

// transpose8y is TransposeBiasClamp with ordered bounds over nrb blocks
// of 8 rows going down 8 columns of src, in AVX2 (convlanes_amd64.s);
// res nil for none.
//
//go:noescape
func transpose8y(dst *float32, ldd int, src *float32, lds, nrb int, bias, res *float32, lo, hi float32)

// transposeBiasClampAVX2 takes the whole blocks of 8 × 8 through
// transpose8y, each 8 columns of src a call, and the rows and columns
// past them through the loop in Go.
func transposeBiasClampAVX2(dst []float32, ldd int, src []float32, lds, rows, cols int, bias, res []float32, lo, hi float32) {
	rb, cb := rows/8, cols/8
	if rb > 0 {
		for j := 0; j < cb*8; j += 8 {
			var r *float32
			if res != nil {
				r = &res[j*ldd]
			}
			transpose8y(&dst[j*ldd], ldd, &src[j], lds, rb, &bias[j], r, lo, hi)
		}
	}
	if i := rb * 8; i < rows { // the last rows of src, all columns
		var r []float32
		if res != nil {
			r = res[i:]
		}
		transposeBiasClampGeneric(dst[i:], ldd, src[i*lds:], lds, rows-i, cols, bias, r, lo, hi)
	}
	if j := cb * 8; j < cols && rb > 0 { // the last columns, down the whole blocks' rows
		var r []float32
		if res != nil {
			r = res[j*ldd:]
		}
		transposeBiasClampGeneric(dst[j*ldd:], ldd, src[j:], lds, rb*8, cols-j, bias[j:], r, lo, hi)
	}
}
