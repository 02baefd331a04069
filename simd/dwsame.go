package simd

// DepthwiseSame3 is DepthwiseFlat3 (the same sums, bit for bit, in the
// same order) for maps of any height whose rows are at most SameMaxWidth
// floats: ch channels of h×w maps one after the other, each convolved
// with its 3×3 filter wt[9c:9c+9] and bias[c] at stride 1, one zero row
// and column of padding on every side, and clamped to [lo, hi]. It reads
// the maps in place, row by row: the taps past a row's ends are masked
// lanes, the rows above the first and below the last a zero row, so
// that no padded plane is written and read back (a padded copy took half
// as long as the convolution of faces' depthwise layers, AMD Zen 5).
func DepthwiseSame3(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32) {
	if ch <= 0 || h == 0 || w == 0 {
		return
	}
	if h < 0 || w < 0 || w > SameMaxWidth || !holds(len(in), ch, h, w) || !holds(len(out), ch, h, w) || len(wt) < 9*ch || len(bias) < ch {
		panic("simd: DepthwiseSame3 arguments out of range")
	}
	im := active
	if lo != lo || hi != hi {
		im = &generic
	}
	im.dwSame(out, in, ch, h, w, wt, bias, lo, hi)
}

// SameMaxWidth is the widest row DepthwiseSame3 takes: 64 vectors of 16.
const SameMaxWidth = 1024

// DepthwiseSameNative reports whether DepthwiseSame3 has a kernel of its
// own here (rather than the generic loop, slower than the padded planes).
func DepthwiseSameNative() bool { return active.dwSameNative }

// sameMasks fills m with the lane masks of DepthwiseSame3's vectors of 16
// along a row of w floats: for vector j, m[4j+dx] has bit l set where
// output 16j+l is in the row and its tap dx (column 16j+l+dx-1) is too
// (m[4j+1] is then also the store's mask; m[4j+3] is unused). It returns
// the vectors.
func sameMasks(m *[4 * SameMaxWidth / 16]uint16, w int) int {
	vecs := (w + 15) / 16
	for j := 0; j < vecs; j++ {
		var taps [4]uint16
		for l := 0; l < 16 && 16*j+l < w; l++ {
			for dx := 0; dx < 3; dx++ {
				if x := 16*j + l + dx - 1; x >= 0 && x < w {
					taps[dx] |= 1 << l
				}
			}
		}
		copy(m[4*j:], taps[:])
	}
	return vecs
}

// holds reports whether n floats hold ch maps of h × w (all ≥ 1), without
// the product overflowing.
func holds(n, ch, h, w int) bool {
	return w <= n && h <= n/w && ch <= n/(h*w)
}
