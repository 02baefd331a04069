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

// winoInNEON runs blocks of 4 tiles in assembly: all of them, the last
// one whole, when src and dst have room for a whole block of 8 (see
// WinogradIn); otherwise the tiles after the last whole block with the
// generic loop.
func winoInNEON(dst []float32, ldd int, src []float32, ld, n int) {
	whole := n / 4
	if n8 := (n + 7) &^ 7; ldd >= n8 && len(dst) >= 15*ldd+n8 && len(src) >= 3*ld+2*n8+2 {
		whole = (n + 3) / 4
	}
	if whole > 0 {
		winoIn4NEON(&dst[0], ldd, &src[0], ld, whole)
	}
	if done := whole * 4; done < n {
		winoInGeneric(dst[done:], ldd, src[2*done:], ld, n-done)
	}
}

// winoOutNEON runs whole blocks of 4 tiles (8 columns) in assembly; a last
// partial block, when src has room for it, into a small buffer (no bias,
// no clamp) whose columns are then finished and copied; otherwise the
// generic loop.
func winoOutNEON(dst []float32, ldo, rows, w int, src []float32, lds, n int, bias, lo, hi float32, res []float32) {
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

func winoInRowsNEON(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int) {
	for r := 0; r < rows; r++ {
		d, s := dst[r*dstStep:], src[r*srcStep:]
		if ldd >= r*dstStep+(n+7)&^7 {
			winoInNEON(d, ldd, s, ld, n) // whole last blocks stay inside the row
			continue
		}
		whole := n / 4
		if whole > 0 {
			winoIn4NEON(&d[0], ldd, &s[0], ld, whole)
		}
		if done := whole * 4; done < n {
			winoInGeneric(d[done:], ldd, s[2*done:], ld, n-done)
		}
	}
}

func winoOutRowsNEON(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	winoOutRowsWith(winoOutNEON, dst, ldo, outRows, w, src, lds, n, srcStep, bias, lo, hi, res)
}
