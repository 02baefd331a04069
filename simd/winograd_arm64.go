//go:build !purego

package simd

import "math"

// winoIn4NEON and winoOut4NEON transform blocks of 4 tiles
// (winograd_arm64.s).
//
//go:noescape
func winoIn4NEON(dst *float32, ldd int, src *float32, ld, blocks int)

//go:noescape
func winoOut4NEON(dst *float32, ldo, rows int, src *float32, lds, blocks int, bias, lo, hi float32, res *float32)

// winoOutPool4NEON is WinogradOutPool on blocks of 4 tiles, and a last
// partial block of tail tiles when tail > 0 (winograd_arm64.s).
//
//go:noescape
func winoOutPool4NEON(dst *float32, ldo, rows int, src *float32, lds, srcStep, blocks, tail int, bias, lo, hi float32)

// winoInNEON is WinogradIn: blocks of 4 tiles in winoIn4NEON.
func winoInNEON(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int) {
	for r := 0; r < rows; r++ {
		d, s := dst[r*dstStep:], src[r*srcStep:]
		whole := winoInBlocks(4, d, ldd, s, ld, n, r, dstStep)
		if whole > 0 {
			winoIn4NEON(&d[0], ldd, &s[0], ld, whole)
		}
		if done := whole * 4; done < n {
			winoInGeneric(d[done:], ldd, s[2*done:], ld, n-done)
		}
	}
}

// winoOutNEON is winogradOut, a tile row at a time (winoOutRowNEON).
func winoOutNEON(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	for r := 0; 2*r < outRows; r++ {
		var rr []float32
		if res != nil {
			rr = res[2*r*ldo:]
		}
		winoOutRowNEON(dst[2*r*ldo:], ldo, min(2, outRows-2*r), w, src[r*srcStep:], lds, n, bias, lo, hi, rr)
	}
}

// winoOutRowNEON is one tile row of winogradOut: whole blocks of 4 tiles
// (8 columns) in assembly; a last partial block, when src has room for
// it, into a small buffer (no bias, no clamp) whose columns are then
// finished and copied; otherwise the generic loop.
func winoOutRowNEON(dst []float32, ldo, rows, w int, src []float32, lds, n int, bias, lo, hi float32, res []float32) {
	blocks := w / 8
	var rp *float32
	if res != nil {
		rp = &res[0]
	}
	if blocks > 0 {
		winoOut4NEON(&dst[0], ldo, rows, &src[0], lds, blocks, bias, lo, hi, rp)
	}
	done := blocks * 4
	if done >= n {
		return
	}
	if n8 := (n + 7) &^ 7; lds < n8 || len(src) < 15*lds+n8 {
		var r []float32
		if res != nil {
			r = res[2*done:]
		}
		winoOutGeneric(dst[2*done:], ldo, rows, w-2*done, src[done:], lds, n-done, bias, lo, hi, r)
		return
	}
	var t [16]float32 // two rows of 8
	inf := float32(math.Inf(1))
	winoOut4NEON(&t[0], 8, rows, &src[done], lds, 1, 0, -inf, inf, nil)
	for r := 0; r < rows; r++ {
		for c := 2 * done; c < w; c++ {
			v := t[r*8+c-2*done] + bias
			if res != nil {
				v += res[r*ldo+c]
			}
			if v < lo {
				v = lo
			}
			if v > hi {
				v = hi
			}
			dst[r*ldo+c] = v
		}
	}
}

// winoOutPoolNEON is WinogradOutPool: every tile row's whole blocks of 4
// tiles in one call of winoOutPool4NEON, with a last partial block
// computed whole and stored in part where src has room to read it (the
// rule in WinogradOutPool's doc, as on amd64), else the generic loop for
// the last w mod 4 tiles of each row.
func winoOutPoolNEON(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32) {
	// Bounds of what the kernel writes and of the whole blocks it reads
	// (a partial one only under the room rule below).
	_ = dst[(rows-1)*ldo+w-1]
	_ = src[(rows-1)*srcStep+15*lds+w-1]
	blocks, tail := w/4, w%4
	if w8 := (w + 7) &^ 7; lds < (rows-1)*srcStep+w8 || len(src) < (rows-1)*srcStep+15*lds+w8 {
		tail = 0
	}
	if blocks > 0 || tail > 0 {
		winoOutPool4NEON(&dst[0], ldo, rows, &src[0], lds, srcStep, blocks, tail, bias, lo, hi)
	}
	if done := blocks * 4; tail == 0 && done < w {
		winoOutPoolGeneric(dst[done:], ldo, rows, w-done, src[done:], lds, srcStep, bias, lo, hi)
	}
}
