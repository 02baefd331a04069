//go:build !purego

package simd

// dwRow3 computes n outputs of one row of a 3-wide, stride-1 depthwise
// convolution from `rows` (1–3) input rows ldsrc floats apart; see
// depthwise_amd64.s.
//
//go:noescape
func dwRow3(dst *float32, n int, src *float32, ldsrc, rows int, w *float32, bias float32)

// dwPlane3 is dwRow3 over oh output rows of n, the 3×3 taps all inside,
// input rows step floats apart (dwplane_amd64.s).
//
//go:noescape
func dwPlane3(dst *float32, n int, src *float32, ldsrc, oh int, w *float32, bias float32, step int)

// dwRow3s2 is dwRow3 for a horizontal stride of 2, n ≥ 8.
//
//go:noescape
func dwRow3s2(dst *float32, n int, src *float32, ldsrc, rows int, w *float32, bias float32)

// depthwiseAVX2 runs 3-wide kernels of horizontal stride 1 or 2 (at most
// three rows, any vertical stride, dilation and padding: MobileNet's 3×3)
// through dwRow3 or dwRow3s2 on the columns whose taps all fall inside the
// image, and the border columns one by one, in the generic version's
// order. (Masked loads could do the borders as vectors, but they are slow
// on AMD's cores; so are masked stores, which the kernels avoid.) Other
// shapes use the generic version.
func depthwiseAVX2(p *DWConv, in, w []float32, bias float32, out []float32) {
	if p.KW != 3 || p.KH > 3 || p.DilW != 1 || p.StrideW < 1 || p.StrideW > 2 || p.DilH < 1 || p.W < 3 {
		depthwiseGeneric(p, in, w, bias, out)
		return
	}
	if p.OH <= 0 || p.OW <= 0 {
		return
	}
	_ = out[p.OH*p.OW-1]
	_ = in[p.H*p.W-1]
	_ = w[p.KH*3-1]
	if p.KH == 3 && p.StrideW == 1 && p.DilH == 1 && p.PadT == 0 && p.PadL == 0 &&
		(p.OH-1)*p.StrideH+3 <= p.H && p.OW+2 <= p.W {
		// every tap inside (a padded plane): the plane in one call
		dwPlane3(&out[0], p.OW, &in[0], p.W, p.OH, &w[0], bias, p.StrideH*p.W)
		return
	}
	sw := p.StrideW
	lo := min(p.OW, (p.PadL+sw-1)/sw)             // first column with all taps inside
	hi := max(lo, min(p.OW, (p.W-3+p.PadL)/sw+1)) // and the end of them
	if (lo > 0 || hi < p.OW) && finite(w[:p.KH*3]) {
		// Border columns are a large part of a small image, and slow one
		// by one: pad the rows with zeros instead. (Weights that are not
		// finite would turn the padding's zeros into NaN, where the taps
		// outside the image count as nothing.)
		wp := max(p.PadL+p.W, (p.OW-1)*sw+3)
		switch n := p.H * wp; {
		case n <= 256:
			var buf [256]float32
			depthwisePaddedAVX2(p, in, w, bias, out, buf[:n], wp)
			return
		case n <= 1024:
			var buf [1024]float32
			depthwisePaddedAVX2(p, in, w, bias, out, buf[:n], wp)
			return
		case n <= 4096:
			var buf [4096]float32
			depthwisePaddedAVX2(p, in, w, bias, out, buf[:n], wp)
			return
		}
	}
	narrow := sw == 2 && hi-lo < 8 // too narrow for dwRow3s2: at stride 1, every other output kept
	for oy := 0; oy < p.OH; oy++ {
		row := out[oy*p.OW : (oy+1)*p.OW]
		base := oy*p.StrideH - p.PadT
		ky0, ky1 := 0, 0 // kernel rows inside the image: a contiguous range
		for ky := 0; ky < p.KH; ky++ {
			if iy := base + ky*p.DilH; iy >= 0 && iy < p.H {
				if ky1 == ky0 {
					ky0 = ky
				}
				ky1 = ky + 1
			}
		}
		iy0 := base + ky0*p.DilH
		switch {
		case hi == lo:
		case ky1 == ky0:
			for i := lo; i < hi; i++ {
				row[i] = bias
			}
		case sw == 1:
			dwRow3(&row[lo], hi-lo, &in[iy0*p.W+lo-p.PadL], p.DilH*p.W, ky1-ky0, &w[ky0*3], bias)
		case narrow:
			// 2(hi-lo)-1 ≤ 13 outputs at stride 1 read the same columns
			var t [16]float32
			dwRow3(&t[0], 2*(hi-lo)-1, &in[iy0*p.W+2*lo-p.PadL], p.DilH*p.W, ky1-ky0, &w[ky0*3], bias)
			for i := lo; i < hi; i++ {
				row[i] = t[2*(i-lo)]
			}
		default:
			dwRow3s2(&row[lo], hi-lo, &in[iy0*p.W+2*lo-p.PadL], p.DilH*p.W, ky1-ky0, &w[ky0*3], bias)
		}
		for ox := 0; ox < lo; ox++ {
			row[ox] = dwBorder(p, in, w, bias, iy0, ky0, ky1, ox)
		}
		for ox := hi; ox < p.OW; ox++ {
			row[ox] = dwBorder(p, in, w, bias, iy0, ky0, ky1, ox)
		}
	}
}

// finite reports whether no element of w is ±Inf or NaN.
func finite(w []float32) bool {
	for _, v := range w {
		if v-v != 0 {
			return false
		}
	}
	return true
}

// kernelRows returns the kernel rows [ky0, ky1) of output row oy that fall
// inside the image (a contiguous range), and the input row of the first.
func kernelRows(p *DWConv, oy int) (ky0, ky1, iy0 int) {
	base := oy*p.StrideH - p.PadT
	for ky := 0; ky < p.KH; ky++ {
		if iy := base + ky*p.DilH; iy >= 0 && iy < p.H {
			if ky1 == ky0 {
				ky0 = ky
			}
			ky1 = ky + 1
		}
	}
	return ky0, ky1, base + ky0*p.DilH
}

// depthwisePaddedAVX2 copies the input into buf, H rows of wp floats with
// PadL zeros on the left and zeros on the right up to the last tap, and
// runs every output column through the vector kernels. A row of stride 2
// too narrow for dwRow3s2 is computed at stride 1 (2·OW-1 outputs, at most
// 15) and every other output kept.
func depthwisePaddedAVX2(p *DWConv, in, w []float32, bias float32, out, buf []float32, wp int) {
	for y := 0; y < p.H; y++ {
		row := buf[y*wp : (y+1)*wp]
		clear(row[:p.PadL])
		copy(row[p.PadL:], in[y*p.W:(y+1)*p.W])
		clear(row[p.PadL+p.W:])
	}
	for oy := 0; oy < p.OH; oy++ {
		row := out[oy*p.OW : (oy+1)*p.OW]
		ky0, ky1, iy0 := kernelRows(p, oy)
		switch {
		case ky1 == ky0:
			for i := range row {
				row[i] = bias
			}
		case p.StrideW == 1:
			dwRow3(&row[0], p.OW, &buf[iy0*wp], p.DilH*wp, ky1-ky0, &w[ky0*3], bias)
		case p.OW >= 8:
			dwRow3s2(&row[0], p.OW, &buf[iy0*wp], p.DilH*wp, ky1-ky0, &w[ky0*3], bias)
		default:
			var t [16]float32
			dwRow3(&t[0], 2*p.OW-1, &buf[iy0*wp], p.DilH*wp, ky1-ky0, &w[ky0*3], bias)
			for i := range row {
				row[i] = t[2*i]
			}
		}
	}
}

// dwBorder is one output of a column whose taps leave the image, summed
// in the generic version's order over kernel rows [ky0, ky1), the first
// at input row iy0, and the taps kx0…kx1-1 that fall inside the row.
func dwBorder(p *DWConv, in, w []float32, bias float32, iy0, ky0, ky1, ox int) float32 {
	s := bias
	ix0 := ox*p.StrideW - p.PadL
	kx0, kx1 := max(0, -ix0), min(3, p.W-ix0)
	for ky := ky0; ky < ky1; ky++ {
		src := in[(iy0+(ky-ky0)*p.DilH)*p.W:][:p.W]
		wr := w[ky*3 : ky*3+3]
		for kx := kx0; kx < kx1; kx++ {
			s += wr[kx] * src[ix0+kx]
		}
	}
	return s
}
