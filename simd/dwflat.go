package simd

// DepthwiseFlat3 convolves ch channels of h×w maps, stored one after the
// other (channel c at in[c·h·w:]), each with its 3×3 filter w[9c:9c+9]
// and bias[c], at stride 1 with one zero row and column of padding on
// every side (the output is h×w too, at out[c·h·w:]), and clamps:
//
//	out[c][y][x] = min(max(bias[c] + Σ_{dy,dx<3} w[9c+3dy+dx]·in[c][y+dy-1][x+dx-1], lo), hi)
//
// summed from the bias in tap order, taps outside the map reading zero
// (as DepthwisePlane3 over the padded plane). It is for small maps (h·w ≤
// FlatMaxMap), where a padded plane's copy and a vector per row waste
// most of the work: the map is taken as one run of h·w floats in vectors,
// each tap a masked load.
func DepthwiseFlat3(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32) {
	if ch <= 0 || h == 0 || w == 0 {
		return
	}
	if h < 0 || w < 0 || h > FlatMaxMap || w > FlatMaxMap || h*w > FlatMaxMap || !holds(len(in), ch, h, w) || !holds(len(out), ch, h, w) ||
		len(wt) < 9*ch || len(bias) < ch {
		panic("simd: DepthwiseFlat3 arguments out of range")
	}
	im := active
	if lo != lo || hi != hi {
		im = &generic
	}
	im.dwFlat(out, in, ch, h, w, wt, bias, lo, hi)
}

// FlatMaxMap is the largest map DepthwiseFlat3 takes: 16 vectors of 16.
const FlatMaxMap = 256

// DepthwiseFlatNative reports whether DepthwiseFlat3 has a kernel of its
// own here (rather than the generic loop, slower than the padded planes).
func DepthwiseFlatNative() bool { return active.dwFlatNative }

// dwFlatGeneric is DepthwiseFlat3's (and DepthwiseSame3's) loop:
// dwDirect3Generic at stride 1, padded by one, the output the map's size.
func dwFlatGeneric(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32) {
	dwDirect3Generic(out, in, ch, h, w, h, w, 1, 1, 1, wt, bias, lo, hi)
}

// flatMasks fills m with the lane masks of DepthwiseFlat3's vectors of 16
// over an h×w map: for vector j, m[10j+t] has bit l set where output
// 16j+l is in the map and its tap t = 3dy+dx is inside it, and m[10j+9]
// where the output is in the map (the store). It returns the vectors.
func flatMasks(m *[10 * FlatMaxMap / 16]uint16, h, w int) int {
	n := h * w
	vecs := (n + 15) / 16
	for j := 0; j < vecs; j++ {
		var taps [10]uint16
		for l := 0; l < 16; l++ {
			p := 16*j + l
			if p >= n {
				break
			}
			y, x := p/w, p%w
			for t := 0; t < 9; t++ {
				if iy, ix := y+t/3-1, x+t%3-1; iy >= 0 && iy < h && ix >= 0 && ix < w {
					taps[t] |= 1 << l
				}
			}
			taps[9] |= 1 << l
		}
		copy(m[10*j:], taps[:])
	}
	return vecs
}
