package simd

// DepthwiseStride2 convolves ch channels of h×w maps, stored one after
// the other (channel c at in[c·h·w:]), each with its 3×3 filter
// wt[9c:9c+9] and bias[c], at stride 2 with pt (0 or 1) zero rows of
// padding on top and pl (0 or 1) zero columns on the left, into oh × ow
// outputs at out[c·oh·ow:] (taps past the map's bottom and right read
// zero too), and clamps:
//
//	out[c][y][x] = min(max(bias[c] + Σ_{dy,dx<3} wt[9c+3dy+dx]·in[c][2y+dy-pt][2x+dx-pl], lo), hi)
//
// summed from the bias in tap order, as DepthwisePlane3 over the zero-
// padded plane. Kernels read the maps in place (MobileNet's stride-2
// layers: the rows' even and odd columns split by permutes in registers,
// not copied into a split plane first).
func DepthwiseStride2(out, in []float32, ch, h, w, oh, ow, pt, pl int, wt, bias []float32, lo, hi float32) {
	if ch <= 0 || oh <= 0 || ow <= 0 {
		return
	}
	if h < 1 || w < 1 || pt < 0 || pt > 1 || pl < 0 || pl > 1 || ow > Stride2MaxWidth || !holds(len(in), ch, h, w) ||
		2*(oh-1)-pt >= h || 2*(ow-1)-pl >= w || !holds(len(out), ch, oh, ow) || len(wt) < 9*ch || len(bias) < ch {
		panic("simd: DepthwiseStride2 arguments out of range")
	}
	im := active
	if lo != lo || hi != hi {
		im = &generic
	}
	im.dwStride2(out, in, ch, h, w, oh, ow, pt, pl, wt, bias, lo, hi)
}

// Stride2MaxWidth is the widest output row DepthwiseStride2 takes: 32
// vectors of 16.
const Stride2MaxWidth = 512

// DepthwiseStride2Native reports whether DepthwiseStride2 has a kernel of
// its own here (rather than the generic loop, slower than the padded
// planes).
func DepthwiseStride2Native() bool { return active.dwStride2Native }

func dwStride2Generic(out, in []float32, ch, h, w, oh, ow, pt, pl int, wt, bias []float32, lo, hi float32) {
	dwDirect3Generic(out, in, ch, h, w, oh, ow, 2, pt, pl, wt, bias, lo, hi)
}

// dwDirect3Generic convolves ch channels of h×w maps (one after the other)
// with their 3×3 filters at stride s, padded by pt rows on top and pl
// columns on the left (taps outside the map read zero), into oh × ow
// outputs each, summed from the bias in tap order and clamped: the
// reference of the kernels that read the maps in place.
func dwDirect3Generic(out, in []float32, ch, h, w, oh, ow, s, pt, pl int, wt, bias []float32, lo, hi float32) {
	n, on := h*w, oh*ow
	for c := 0; c < ch; c++ {
		src, dst, k := in[c*n:(c+1)*n], out[c*on:(c+1)*on], wt[9*c:9*c+9]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				v := bias[c]
				for dy := 0; dy < 3; dy++ {
					for dx := 0; dx < 3; dx++ {
						var p float32
						if iy, ix := s*y+dy-pt, s*x+dx-pl; iy >= 0 && iy < h && ix >= 0 && ix < w {
							p = src[iy*w+ix]
						}
						v += k[3*dy+dx] * p
					}
				}
				dst[y*ow+x] = clampKeepNaN(v, lo, hi)
			}
		}
	}
}

// stride2Masks fills m with the lane masks of DepthwiseStride2's vectors
// of 16 outputs along a row: vector j's taps read the input columns from
// c0 = 32j - pl in four loads of 16, at c0, c0+16, c0+2 and c0+18
// (m[8j] … m[8j+3]: the lanes whose column is in [0, w)), and m[8j+4]
// has the lanes of outputs 16j+l < ow (the store). It returns the vectors.
func stride2Masks(m *[8 * Stride2MaxWidth / 16]uint16, w, ow, pl int) int {
	vecs := (ow + 15) / 16
	for j := 0; j < vecs; j++ {
		c0 := 32*j - pl
		var k [8]uint16
		for l := 0; l < 16; l++ {
			for i, off := range [4]int{0, 16, 2, 18} {
				if x := c0 + off + l; x >= 0 && x < w {
					k[i] |= 1 << l
				}
			}
			if 16*j+l < ow {
				k[4] |= 1 << l
			}
		}
		copy(m[8*j:], k[:])
	}
	return vecs
}
