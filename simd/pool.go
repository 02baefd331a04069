package simd

// The pooling kernels: the two passes of a separable MaxPool or
// AveragePool window. The vertical pass folds the window's input rows,
// one at a time, into a row buffer (MaxRows, AddRows); the horizontal
// pass reduces each window of that buffer (MaxPairs for the 2-wide,
// stride-2 windows; a 3-wide stride-2 window is MaxPairs of the buffer
// and of the buffer shifted by one, folded with MaxRows). MaxPool2x2 does
// both passes of the common 2×2/2 MaxPool at once, MaxPool3x3s2 both
// passes of a 3×3/2 one (ResNet's, SqueezeNet's) from its three input
// rows.
//
// The maxima propagate NaN, as numpy's maximum and ONNX Runtime do: if
// either operand is a NaN the result is a NaN. Which NaN (its sign and
// payload) is not specified: the generic loops return the first NaN
// operand, the AVX2 kernels an all-ones NaN, NEON's FMAX the first NaN
// operand, quieted. Nor is the sign of max(+0, -0): the generic loops
// and AVX2 return the first operand, NEON +0.

// MaxRows sets dst[i] = max(dst[i], src[i]) for i < len(dst), NaN if
// either is a NaN; src must be at least as long as dst. dst and src may be
// the same slice but must not otherwise overlap.
func MaxRows(dst, src []float32) { active.maxRows(dst, src[:len(dst)]) }

// AddRows sets dst[i] += src[i] for i < len(dst); src must be at least
// as long as dst. dst and src may be the same slice but must not otherwise
// overlap.
func AddRows(dst, src []float32) { active.addRows(dst, src[:len(dst)]) }

// MaxPairs sets dst[i] = max(row[2i], row[2i+1]) for i < len(dst), NaN
// if either is a NaN: the horizontal pass of a 2-wide, stride-2 max
// window. row must hold at least 2·len(dst) floats and must not overlap
// dst.
func MaxPairs(dst, row []float32) {
	if len(row) < 2*len(dst) {
		panic("simd: MaxPairs row shorter than twice dst")
	}
	active.maxPairs(dst, row[:2*len(dst)])
}

// MaxPool2x2 sets dst[i] = max(top[2i], top[2i+1], bot[2i], bot[2i+1])
// for i < len(dst), NaN if any is a NaN: one output row of a 2×2,
// stride-2 max window from its two input rows, in one pass (no row
// buffer). top and bot must hold at least 2·len(dst) floats and must not
// overlap dst.
func MaxPool2x2(dst, top, bot []float32) {
	if len(top) < 2*len(dst) || len(bot) < 2*len(dst) {
		panic("simd: MaxPool2x2 row shorter than twice dst")
	}
	active.max2x2(dst, top[:2*len(dst)], bot[:2*len(dst)])
}

// MaxPool3x3s2 sets dst[i] to the maximum of r0, r1 and r2 at columns
// 2i, 2i+1 and 2i+2 for i < len(dst), NaN if any of the nine is a NaN:
// one output row of a 3×3, stride-2 max window from its three input rows,
// in one pass (no row buffer). Each row must hold at least 2·len(dst)+1
// floats (none when dst is empty) and must not overlap dst.
func MaxPool3x3s2(dst, r0, r1, r2 []float32) {
	if len(dst) == 0 {
		return
	}
	n := 2*len(dst) + 1
	if len(r0) < n || len(r1) < n || len(r2) < n {
		panic("simd: MaxPool3x3s2 row shorter than twice dst plus one")
	}
	active.max3x3s2(dst, r0[:n], r1[:n], r2[:n])
}

// maxNaN is the larger of a and b, a if a is a NaN, else b if b is one.
func maxNaN(a, b float32) float32 {
	if a != a {
		return a
	}
	if b > a || b != b {
		return b
	}
	return a
}

// maxRowsGeneric is the reference for MaxRows; len(src) == len(dst).
func maxRowsGeneric(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = maxNaN(dst[i], v)
	}
}

// addRowsGeneric is the reference for AddRows; len(src) == len(dst).
func addRowsGeneric(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// maxPairsGeneric is the reference for MaxPairs; len(row) == 2·len(dst).
func maxPairsGeneric(dst, row []float32) {
	row = row[:2*len(dst)]
	for i := range dst {
		dst[i] = maxNaN(row[2*i], row[2*i+1])
	}
}

// maxPool2x2Generic is the reference for MaxPool2x2; len(top) ==
// len(bot) == 2·len(dst).
func maxPool2x2Generic(dst, top, bot []float32) {
	top, bot = top[:2*len(dst)], bot[:2*len(dst)]
	for i := range dst {
		dst[i] = maxNaN(maxNaN(top[2*i], top[2*i+1]), maxNaN(bot[2*i], bot[2*i+1]))
	}
}

// maxPool3x3s2Generic is the reference for MaxPool3x3s2; len(r0) ==
// len(r1) == len(r2) == 2·len(dst)+1, len(dst) > 0.
func maxPool3x3s2Generic(dst, r0, r1, r2 []float32) {
	n := 2*len(dst) + 1
	r0, r1, r2 = r0[:n], r1[:n], r2[:n]
	for i := range dst {
		c := 2 * i
		m0 := maxNaN(maxNaN(r0[c], r0[c+1]), r0[c+2])
		m1 := maxNaN(maxNaN(r1[c], r1[c+1]), r1[c+2])
		m2 := maxNaN(maxNaN(r2[c], r2[c+1]), r2[c+2])
		dst[i] = maxNaN(maxNaN(m0, m1), m2)
	}
}

// MaxPool3x3s2Plane is MaxPool3x3s2 for every output row of a plane whose
// windows all lie inside the input: dst[y·ow+x] is the maximum of src's
// rows 2y … 2y+2 (w floats apart) at columns x0+2x … x0+2x+2, NaN if any
// of the nine is a NaN. The arguments are checked once for the plane.
func MaxPool3x3s2Plane(dst []float32, oh, ow int, src []float32, w, x0 int) {
	if oh <= 0 || ow <= 0 {
		return
	}
	n := 2*ow + 1
	if x0 < 0 || x0+n > w || len(dst) < oh*ow || len(src) < (2*oh)*w+x0+n {
		panic("simd: MaxPool3x3s2Plane arguments out of range")
	}
	if active.max3x3s2Plane != nil {
		active.max3x3s2Plane(dst, oh, ow, src, w, x0)
		return
	}
	k := active.max3x3s2
	for y := 0; y < oh; y++ {
		r := src[2*y*w+x0:]
		k(dst[y*ow:(y+1)*ow], r[:n], r[w:w+n], r[2*w:2*w+n])
	}
}
