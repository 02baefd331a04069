//go:build !purego

package simd

// dwPlane3z and copyRowsz are DepthwisePlane3 and CopyRows in AVX-512
// (dwplane512_amd64.s): rows in vectors of 16 with the last one under an
// opmask, so that small maps (a 7×7 plane is a masked vector per row) cost
// no scalar tails and no VMASKMOVPS.
//
//go:noescape
func dwPlane3z(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)

//go:noescape
func copyRowsz(dst *float32, ldd int, src *float32, lds, rows, cols int)

func dwPlaneAVX512(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32) {
	dwPlane3z(&out[0], oh, ow, &p[0], wp, s, &w[0], bias, lo, hi)
}

func copyRowsAVX512(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	copyRowsz(&dst[0], ldd, &src[0], lds, rows, cols)
}

//go:noescape
func stride2Rowsz(dst *float32, ldd int, src *float32, lds, rows, n int)

func stridedRowsAVX512(dst []float32, ldd int, src []float32, lds, rows, n, s int) {
	if s != 2 {
		stridedRowsGeneric(dst, ldd, src, lds, rows, n, s)
		return
	}
	stride2Rowsz(&dst[0], ldd, &src[0], lds, rows, n)
}

//go:noescape
func dwPlane3Poolz(dst *float32, ph, pw int, p *float32, wp int, w *float32, bias, lo, hi float32)

func dwPlanePoolAVX512(out []float32, ph, pw int, p []float32, wp int, w []float32, bias, lo, hi float32) {
	dwPlane3Poolz(&out[0], ph, pw, &p[0], wp, &w[0], bias, lo, hi)
}

// dwBand is the output rows of a band of a plane: its input rows are
// copied (or split) right before the kernel reads them, from L1 (faces'
// 64 channels of 112² at stride 2, in the network: 141 → 116 µs; bands
// of 2 and 4 rows measured slower, 16 alike, the whole plane slower).
const dwBand = 8

//go:noescape
func dwPlane3s2z(dst *float32, oh, ow int, p *float32, wp int, w *float32, bias, lo, hi float32)

//go:noescape
func splitRowsz(a, b *float32, ldd int, src *float32, lds, rows, cols int)

func splitRowsAVX512(a, b []float32, ldd int, src []float32, lds, rows, cols int) {
	if cols < 2 { // b takes nothing, and may be empty
		splitRowsGeneric(a, b, ldd, src, lds, rows, cols)
		return
	}
	splitRowsz(&a[0], &b[0], ldd, &src[0], lds, rows, cols) // SplitRows checked the lengths
}

// dwChannelsAVX512 is DepthwiseChannels3's loop with the kernels called
// directly: two assembly calls a channel and nothing else. At stride 2 the
// plane is split (see dwPlane3s2z): the copy puts each input row's
// columns into the padded row's even and odd halves (splitRowsz), and the
// kernel does a third of the work it does on a whole plane, where it sums
// every column and keeps the even ones. The copy or split goes a band of
// dwBand output rows at a time, each band's rows read back from L1.
func dwChannelsAVX512(out []float32, outCh int, in []float32, inCh, ldIn, rows, cols int, plane []float32, at, wp, oh, ow, s int, w, bias []float32, lo, hi float32) {
	copyIn := rows > 0 && cols > 0
	if pl := at % wp; s == 2 && wp >= 2*ow+1 && pl+cols <= wp {
		// padded column j = pl + i of input column i: even j at E[j/2],
		// odd j at O[j/2]; a gets the even input columns, b the odd
		row, odd := at-pl, at-pl+(wp+1)/2
		a, b := row+pl/2, odd+pl/2 // pl even: in[0] is E[pl/2], in[1] O[pl/2]
		if pl%2 == 1 {
			a, b = odd+pl/2, row+pl/2+1 // in[0] is O[(pl-1)/2], in[1] E[(pl+1)/2]
		}
		pt := at / wp
		for c := range bias {
			if !copyIn || (c != 0 && inCh == 0) {
				dwPlane3s2z(&out[c*outCh], oh, ow, &plane[0], wp, &w[9*c], bias[c], lo, hi)
				continue
			}
			done := 0 // input rows split so far
			for oy := 0; oy < oh; oy += dwBand {
				n := min(dwBand, oh-oy)
				if need := min(rows, 2*(oy+n)+1-pt); need > done {
					splitRowsz(&plane[a+done*wp], &plane[b+done*wp], wp, &in[c*inCh+done*ldIn], ldIn, need-done, cols)
					done = need
				}
				dwPlane3s2z(&out[c*outCh+oy*ow], n, ow, &plane[2*oy*wp], wp, &w[9*c], bias[c], lo, hi)
			}
		}
		return
	}
	pt := at / wp
	for c := range bias {
		if !copyIn || (c != 0 && inCh == 0) {
			dwPlane3z(&out[c*outCh], oh, ow, &plane[0], wp, s, &w[9*c], bias[c], lo, hi)
			continue
		}
		done := 0 // input rows copied so far
		for oy := 0; oy < oh; oy += dwBand {
			n := min(dwBand, oh-oy)
			if need := min(rows, (oy+n-1)*s+3-pt); need > done {
				copyRowsz(&plane[at+done*wp], wp, &in[c*inCh+done*ldIn], ldIn, need-done, cols)
				done = need
			}
			dwPlane3z(&out[c*outCh+oy*ow], n, ow, &plane[oy*s*wp], wp, s, &w[9*c], bias[c], lo, hi)
		}
	}
}

//go:noescape
func compactClampz(dst *float32, src *float32, n, ox0, ow, wp int, bias, lo, hi float32) int

func compactClampAVX512(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int {
	return compactClampz(&dst[0], &src[0], n, ox0, ow, wp, bias, lo, hi) // CompactBiasClamp checked dst's room
}

//go:noescape
func biasClampRowsz(x *float32, ld, rows, n int, bias *float32, lo, hi float32)

func biasClampRowsAVX512(x []float32, ld, rows, n int, bias []float32, lo, hi float32) {
	biasClampRowsz(&x[0], ld, rows, n, &bias[0], lo, hi)
}

//go:noescape
func dwFlat3z(dst, src *float32, ch, n, width int, masks *uint16, vecs int, w, bias *float32, lo, hi float32)

func dwFlatAVX512(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32) {
	var m [10 * FlatMaxMap / 16]uint16
	vecs := flatMasks(&m, h, w)
	dwFlat3z(&out[0], &in[0], ch, h*w, w, &m[0], vecs, &wt[0], &bias[0], lo, hi)
}
