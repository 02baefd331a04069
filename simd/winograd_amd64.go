//go:build !purego

package simd

// winoIn8 and winoOut8 transform blocks of 8 tiles (winograd_amd64.s).
//
//go:noescape
func winoIn8(dst *float32, ldd int, src *float32, ld, blocks, half, step int)

//go:noescape
func winoOut8(dst *float32, ldo, rows int, src *float32, lds, blocks int, bias, lo, hi float32, res *float32, tail int, m0, m1 *int32, kmask int)

// winoInAVX2 is WinogradIn: blocks of 8 tiles in winoIn8.
func winoInAVX2(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int) {
	r := 0
	if n == 4 && dstStep == 4 && rows >= 2 {
		// a map four tiles wide (7×7, 8×8): two tile rows a block, their
		// tiles one after the other in V, no lane left empty
		pairs := rows / 2
		winoIn8(&dst[0], ldd, &src[0], ld, pairs, 4*srcStep, 8*srcStep)
		r = 2 * pairs
	}
	for ; r < rows; r++ {
		d, s := dst[r*dstStep:], src[r*srcStep:]
		whole := winoInBlocks(8, d, ldd, s, ld, n, r, dstStep)
		if whole > 0 {
			winoIn8(&d[0], ldd, &s[0], ld, whole, 32, 64)
		}
		if done := whole * 8; done < n {
			winoInGeneric(d[done:], ldd, s[2*done:], ld, n-done)
		}
	}
}

// winoOutAVX2 is winogradOut: per tile row, whole blocks of 8 tiles (16
// columns) in winoOut8 and a last partial block under masks (worked out
// once for all rows: they depend on n and w only) where src has room for
// a whole block of M; without that room, the tiles after the whole blocks
// in the scalar loop.
func winoOutAVX2(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	winoOutRows(dst, ldo, outRows, w, src, lds, n, srcStep, bias, lo, hi, res, false)
}

// winoOutAVX512 is winoOutAVX2 with the last partial block stored under
// AVX-512 opmasks instead of VMASKMOVPS (whose stores are slow on AMD).
func winoOutAVX512(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	winoOutRows(dst, ldo, outRows, w, src, lds, n, srcStep, bias, lo, hi, res, true)
}

//go:noescape
func winoOutPair8(dst *float32, ldo int, src *float32, lds, pairs int, bias, lo, hi float32, res *float32, m0 *int32, kmask, lastRows int)

func winoOutRows(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32, opmask bool) {
	if trows := (outRows + 1) / 2; n == 4 && srcStep == 4 && trows >= 2 {
		// a map four tiles wide (7 or 8 columns): two tile rows a block
		// of eight, no lane left empty; an odd last tile row alone below
		pairs := trows / 2
		kmask := 0
		if opmask {
			kmask = 1<<w - 1
		}
		var rp *float32
		if res != nil {
			rp = &res[0]
		}
		winoOutPair8(&dst[0], ldo, &src[0], lds, pairs, bias, lo, hi, rp, &packMask[nrAVX2-w], kmask, min(2, outRows-2*(2*pairs-1)))
		done := 2 * pairs // tile rows
		if done == trows {
			return
		}
		if res != nil {
			res = res[2*done*ldo:]
		}
		dst, src, outRows = dst[2*done*ldo:], src[done*srcStep:], outRows-2*done
	}
	blocks := w / 16
	tail := w - 16*blocks
	n8 := (n + 7) &^ 7
	trows := (outRows + 1) / 2
	if lds < (trows-1)*srcStep+n8 || len(src) < (trows-1)*srcStep+15*lds+n8 {
		tail = 0 // no room to read a whole last block of M
	}
	m0 := &packMask[nrAVX2-min(8, tail)]
	m1 := &packMask[nrAVX2-max(0, tail-8)]
	kmask := 0
	if opmask {
		kmask = 1<<tail - 1
	}
	for r := 0; r < trows; r++ {
		rows := min(2, outRows-2*r)
		var rr []float32
		var rp *float32
		if res != nil {
			rr = res[2*r*ldo:]
			rp = &rr[0]
		}
		if blocks > 0 || tail > 0 {
			winoOut8(&dst[2*r*ldo], ldo, rows, &src[r*srcStep], lds, blocks, bias, lo, hi, rp, tail, m0, m1, kmask)
		}
		if done := blocks * 8; tail == 0 && done < n {
			if rr != nil {
				rr = rr[2*done:]
			}
			winoOutGeneric(dst[2*r*ldo+2*done:], ldo, rows, w-2*done, src[r*srcStep+done:], lds, n-done, bias, lo, hi, rr)
		}
	}
}

//go:noescape
func winoOutPool8(dst *float32, src *float32, lds, blocks int, bias, lo, hi float32, tail int, m0 *int32, kmask int)

// winoOutPoolAVX2 is WinogradOutPool: per tile row, whole blocks of 8 tiles
// in winoOutPool8 and a last partial one under a mask where src has room
// to read it whole (the rule of winoOutAVX2), else in the scalar loop.
func winoOutPoolAVX2(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32) {
	winoOutPoolRows(dst, ldo, rows, w, src, lds, srcStep, bias, lo, hi, false)
}

// winoOutPoolAVX512 is winoOutPoolAVX2 with the partial block stored under
// an opmask instead of VMASKMOVPS.
func winoOutPoolAVX512(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32) {
	winoOutPoolRows(dst, ldo, rows, w, src, lds, srcStep, bias, lo, hi, true)
}

func winoOutPoolRows(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32, opmask bool) {
	blocks, tail := w/8, w%8
	w8 := (w + 7) &^ 7
	if lds < (rows-1)*srcStep+w8 || len(src) < (rows-1)*srcStep+15*lds+w8 {
		tail = 0
	}
	m0 := &packMask[nrAVX2-tail]
	kmask := 0
	if opmask {
		kmask = 1<<tail - 1
	}
	for r := 0; r < rows; r++ {
		if blocks > 0 || tail > 0 {
			winoOutPool8(&dst[r*ldo], &src[r*srcStep], lds, blocks, bias, lo, hi, tail, m0, kmask)
		}
		if done := blocks * 8; tail == 0 && done < w {
			winoOutPoolGeneric(dst[r*ldo+done:], ldo, 1, w-done, src[r*srcStep+done:], lds, srcStep, bias, lo, hi)
		}
	}
}
