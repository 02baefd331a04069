//go:build !purego

package simd

// winoIn8 and winoOut8 transform blocks of 8 tiles (winograd_amd64.s).
//
//go:noescape
func winoIn8(dst *float32, ldd int, src *float32, ld, blocks int)

//go:noescape
func winoOut8(dst *float32, ldo, rows int, src *float32, lds, blocks int, bias, lo, hi float32, res *float32, tail int, m0, m1 *int32)

// winoInAVX2 runs blocks of 8 tiles in assembly: all of them, the last
// one whole, when src and dst have room for it (see WinogradIn);
// otherwise the tiles after the last whole block with the generic loop.
func winoInAVX2(dst []float32, ldd int, src []float32, ld, n int) {
	whole := n / 8
	if n8 := (n + 7) &^ 7; ldd >= n8 && len(dst) >= 15*ldd+n8 && len(src) >= 3*ld+2*n8+2 {
		whole = n8 / 8
	}
	if whole > 0 {
		winoIn8(&dst[0], ldd, &src[0], ld, whole)
	}
	if done := whole * 8; done < n {
		winoInGeneric(dst[done:], ldd, src[2*done:], ld, n-done)
	}
}

// winoOutAVX2 runs whole blocks of 8 tiles (16 columns) in assembly and a
// last partial one under masks, when src has room for a whole block of M
// there; otherwise the tiles after the whole blocks with the generic loop.
func winoOutAVX2(dst []float32, ldo, rows, w int, src []float32, lds, n int, bias, lo, hi float32, res []float32) {
	blocks := w / 16
	tail := w - 16*blocks
	if n8 := (n + 7) &^ 7; tail > 0 && (lds < n8 || len(src) < 15*lds+n8) {
		tail = 0 // no room to read a whole last block of M
	}
	var rp *float32
	if res != nil {
		rp = &res[0]
	}
	if blocks > 0 || tail > 0 {
		m0 := &packMask[nrAVX2-min(8, tail)]
		m1 := &packMask[nrAVX2-max(0, tail-8)]
		winoOut8(&dst[0], ldo, rows, &src[0], lds, blocks, bias, lo, hi, rp, tail, m0, m1)
	}
	if done := blocks * 8; tail == 0 && done < n {
		var r []float32
		if res != nil {
			r = res[2*done:]
		}
		winoOutGeneric(dst[2*done:], ldo, rows, w-2*done, src[done:], lds, n-done, bias, lo, hi, r)
	}
}

// winoInRowsAVX2 is WinogradInRows: the room checks of winoInAVX2 made
// per row, then the assembly called directly, so a tile row costs a call
// and no more.
func winoInRowsAVX2(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int) {
	n8 := (n + 7) &^ 7
	for r := 0; r < rows; r++ {
		d, s := dst[r*dstStep:], src[r*srcStep:]
		if ldd >= r*dstStep+n8 && len(d) >= 15*ldd+n8 && len(s) >= 3*ld+2*n8+2 {
			winoIn8(&d[0], ldd, &s[0], ld, n8/8)
			continue
		}
		// no room for a whole last block in this row of V (it would run
		// into the next position's row): whole blocks, then the rest
		if n >= 8 {
			winoIn8(&d[0], ldd, &s[0], ld, n/8)
		}
		if done := n &^ 7; done < n {
			winoInGeneric(d[done:], ldd, s[2*done:], ld, n-done)
		}
	}
}

// winoOutRowsAVX2 is WinogradOutRows: the blocks, tail and masks worked
// out once for all rows (they depend on n and w only).
func winoOutRowsAVX2(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	blocks := w / 16
	tail := w - 16*blocks
	n8 := (n + 7) &^ 7
	trows := (outRows + 1) / 2
	if tail > 0 && (lds < (trows-1)*srcStep+n8 || len(src) < (trows-1)*srcStep+15*lds+n8) {
		winoOutRowsWith(winoOutAVX2, dst, ldo, outRows, w, src, lds, n, srcStep, bias, lo, hi, res)
		return
	}
	m0 := &packMask[nrAVX2-min(8, tail)]
	m1 := &packMask[nrAVX2-max(0, tail-8)]
	for r := 0; r < trows; r++ {
		var rp *float32
		if res != nil {
			rp = &res[2*r*ldo]
		}
		winoOut8(&dst[2*r*ldo], ldo, min(2, outRows-2*r), &src[r*srcStep], lds, blocks, bias, lo, hi, rp, tail, m0, m1)
	}
}
