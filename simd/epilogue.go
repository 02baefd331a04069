package simd

// BiasClamp is the epilogue of a convolution or fully connected layer: it
// adds bias to every element of x and clamps the sum to [lo, hi]. It
// computes, in place,
//
//	for i := range x {
//		v := x[i] + bias
//		if v < lo {
//			v = lo
//		}
//		if v > hi {
//			v = hi
//		}
//		x[i] = v
//	}
//
// so a NaN passes through unchanged (both tests are false), as it does in
// ONNX Runtime. lo = 0, hi = +Inf is Relu; lo, hi = the bounds is Clip
// (ReLU6: 0, 6); ±Inf is no activation. A bias of -0 adds nothing, not even
// to a -0. The implementations may differ from this loop in the sign of a
// zero that meets a zero bound (NEON's FMAX(-0, +0) is +0); lo and hi must
// not be NaN (if one is, the generic loop runs).
func BiasClamp(x []float32, bias, lo, hi float32) {
	if lo != lo || hi != hi {
		biasClampGeneric(x, bias, lo, hi)
		return
	}
	active.biasClamp(x, bias, lo, hi)
}

// BiasAddClamp is BiasClamp with a residual row r added after the bias,
// x[i] = clamp((x[i] + bias) + r[i]), r at least as long as x: a
// convolution fused with the Add of a ResNet block and its activation.
func BiasAddClamp(x, r []float32, bias, lo, hi float32) {
	r = r[:len(x)]
	if lo != lo || hi != hi {
		biasAddClampGeneric(x, r, bias, lo, hi)
		return
	}
	active.biasAddClamp(x, r, bias, lo, hi)
}

func biasClampGeneric(x []float32, bias, lo, hi float32) {
	for i := range x {
		v := x[i] + bias
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}

// biasAddClampGeneric is the reference for BiasAddClamp; len(r) == len(x).
func biasAddClampGeneric(x, r []float32, bias, lo, hi float32) {
	r = r[:len(x)]
	for i := range x {
		v := x[i] + bias + r[i]
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}

// CompactRows copies the columns of a tile of output rows laid out over a
// padded width — src[j] is column (ox0 + j) mod wp of a row, and the
// columns ow … wp-1 of each row are dropped — into dst, one after
// another: the n columns of a convolution tile computed over padded
// planes, written to the output. It returns the number of floats written.
func CompactRows(dst, src []float32, n, ox0, ow, wp int) int {
	if compactLen(dst, src, n, ox0, ow, wp) == 0 {
		return 0
	}
	return compactRuns(n, ox0, ow, wp, func(j, d, seg int) { copy(dst[d:d+seg], src[j:j+seg]) })
}

// CompactBiasClamp is CompactRows adding bias and clamping as BiasClamp
// does, in one pass.
func CompactBiasClamp(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
	if compactLen(dst, src, n, ox0, ow, wp) == 0 {
		return 0
	}
	if lo != lo || hi != hi {
		return compactClampGeneric(dst, src, n, ox0, ow, wp, bias, lo, hi)
	}
	return active.compactClamp(dst, src, n, ox0, ow, wp, bias, lo, hi)
}

// compactClampGeneric is CompactBiasClamp as CompactRows then BiasClamp.
func compactClampGeneric(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
	d := CompactRows(dst, src, n, ox0, ow, wp)
	biasClampGeneric(dst[:d], bias, lo, hi)
	return d
}

// compactClampWith is CompactBiasClamp as CompactRows then bc over the
// columns kept: a table's own BiasClamp where it has no compacting kernel
// (AVX2: the loop in Go was 29% of squeezenet1_1_112, its stem's ReLU a
// mispredicted branch an element).
func compactClampWith(bc func(x []float32, bias, lo, hi float32)) func(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
	return func(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
		d := CompactRows(dst, src, n, ox0, ow, wp)
		bc(dst[:d], bias, lo, hi)
		return d
	}
}

// compactLen checks the arguments of CompactRows and returns the number
// of floats it writes, which dst must hold.
func compactLen(dst, src []float32, n, ox0, ow, wp int) int {
	if n <= 0 {
		return 0
	}
	if ox0 < 0 || ox0 >= wp || ow <= 0 || ow > wp || len(src) < n {
		panic("simd: CompactRows arguments out of range")
	}
	d := compactRuns(n, ox0, ow, wp, nil)
	if len(dst) < d {
		panic("simd: CompactRows destination too short")
	}
	return d
}

// compactRuns walks the runs of columns ox < ow of n columns from ox0,
// calling run (when not nil) with each run's first column j, where it
// goes (d) and its length, and returns the columns kept.
func compactRuns(n, ox0, ow, wp int, run func(j, d, seg int)) int {
	d, ox := 0, ox0
	for j := 0; j < n; {
		if ox >= ow { // dropped columns up to the next row
			j += wp - ox
			ox = 0
			continue
		}
		seg := min(ow-ox, n-j)
		if run != nil {
			run(j, d, seg)
		}
		d, j, ox = d+seg, j+seg, ox+seg
	}
	return d
}

// BiasClampRows is BiasClamp on rows rows of n floats, ld apart, row r
// with bias[r]: a tile of a convolution's output, one call for all its
// output channels.
func BiasClampRows(x []float32, ld, rows, n int, bias []float32, lo, hi float32) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ld < n || len(bias) < rows || len(x) < (rows-1)*ld+n {
		panic("simd: BiasClampRows arguments out of range")
	}
	if lo != lo || hi != hi {
		for r := 0; r < rows; r++ {
			biasClampGeneric(x[r*ld:r*ld+n], bias[r], lo, hi)
		}
		return
	}
	active.biasClampRows(x, ld, rows, n, bias, lo, hi)
}
