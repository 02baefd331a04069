package simd

// Winograd F(2×2, 3×3) transforms (Lavin and Gray, 2016) for 3×3,
// stride-1 convolutions. A 2×2 block of outputs of one channel pair needs
// 16 multiplications in the transformed domain instead of 36:
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d Bᵀᵀ) ] A
//
// with d a 4×4 tile of the padded input, g the 3×3 filter, and
//
//	Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 -1 -1]
//
// Summed over the input channels, the products are 16 matrix products
// (one per transformed position ξ = 4a + b): M[ξ] = U[ξ] · V[ξ], U[ξ]
// the transformed filters (output × input channels, packed once), V[ξ]
// the transformed input tiles (input channels × tiles). WinogradIn makes
// V from the padded input and winogradOut makes the outputs from M, a run
// of tile rows at a time; the convolution in infer/ does the products
// with GemmPacked. Bᵀ and Aᵀ hold only 0 and ±1, so the transforms are
// additions; the filter transform (halves) is done once at load.

// WinogradIn transforms rows tile rows of n input tiles each. Tile row r
// reads four rows of the padded input, ld floats apart, from
// src[r·srcStep:]; its tile j is columns 2j … 2j+3 of them, and V[ξ] of
// that tile, ξ = 4a + b, (Bᵀ d B)[a][b], goes to dst[ξ·ldd + r·dstStep +
// j] (dstStep = n puts the rows' tiles one after another in each row of
// V). The vector kernels work on whole blocks of tiles: where a row's
// src holds 3·ld + 2·n8 + 2 floats, dst 15·ldd + n8 floats from the row's
// start and r·dstStep + n8 ≤ ldd (n8 = n rounded up to a multiple of 8),
// its last block is done whole, overwriting the row's dst[… + j] for
// n ≤ j < n8 with unspecified values (never another row of V); otherwise
// its last tiles go through a scalar loop.
func WinogradIn(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int) {
	WinogradInChannels(1, dst, 0, ldd, src, 0, ld, n, rows, dstStep, srcStep)
}

// winogradOut transforms the tiles of outRows output rows back: tile row
// r (n tiles, ⌈outRows/2⌉ of them) reads M[ξ] of its tile j at
// src[ξ·lds + r·srcStep + j]; its outputs (Aᵀ M A)[i][c] are output row
// 2r + i, column 2j + c. Each gets bias added, then the same element of
// res when res is not nil, and is clamped to [lo, hi] as BiasClamp does;
// it is written to dst[(2r + i)·ldo + 2j + c] for the outRows rows and
// the w ≤ 2n columns (a last tile row of one output row when outRows is
// odd). The vector kernels read M in whole blocks of tiles: a last
// partial block is done in them when lds ≥ (rows-1)·srcStep + n8 and src
// holds (rows-1)·srcStep + 15·lds + n8 floats (n8 = n rounded up to a
// multiple of 8), and by a scalar loop otherwise.
func winogradOut(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	WinogradOutChannels(dst, 0, ldo, outRows, w, src, 0, lds, n, srcStep, []float32{bias}, lo, hi, res)
}

// winoInRowsGeneric and winoOutRowsGeneric are the references for
// WinogradIn and winogradOut: the single-row loops over the rows.
func winoInRowsGeneric(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int) {
	for r := 0; r < rows; r++ {
		winoInGeneric(dst[r*dstStep:], ldd, src[r*srcStep:], ld, n)
	}
}

func winoOutRowsGeneric(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32) {
	for r := 0; 2*r < outRows; r++ {
		var rr []float32
		if res != nil {
			rr = res[2*r*ldo:]
		}
		winoOutGeneric(dst[2*r*ldo:], ldo, min(2, outRows-2*r), w, src[r*srcStep:], lds, n, bias, lo, hi, rr)
	}
}

// winoInBlocks is how many blocks of `block` tiles the vector WinogradIn
// does in the kernel for row r (the last one whole where the row has
// room for it, see WinogradIn); the tiles after them take the scalar
// loop (winoInGeneric).
func winoInBlocks(block int, d []float32, ldd int, s []float32, ld, n, r, dstStep int) int {
	if n8 := (n + 7) &^ 7; ldd >= r*dstStep+n8 && len(d) >= 15*ldd+n8 && len(s) >= 3*ld+2*n8+2 {
		return (n + block - 1) / block
	}
	return n / block
}

// WinogradFilter transforms a 3×3 filter g (row-major) into u, the 16
// values (G g Gᵀ)[a][b] at u[(4a+b)·stride].
func WinogradFilter(u []float32, stride int, g []float32) {
	var t [4][3]float32 // G g
	for c := 0; c < 3; c++ {
		g0, g1, g2 := g[c], g[3+c], g[6+c]
		t[0][c] = g0
		t[1][c] = (g0 + g1 + g2) * 0.5
		t[2][c] = (g0 - g1 + g2) * 0.5
		t[3][c] = g2
	}
	for a := 0; a < 4; a++ {
		t0, t1, t2 := t[a][0], t[a][1], t[a][2]
		u[(4*a)*stride] = t0
		u[(4*a+1)*stride] = (t0 + t1 + t2) * 0.5
		u[(4*a+2)*stride] = (t0 - t1 + t2) * 0.5
		u[(4*a+3)*stride] = t2
	}
}

// WinogradNative reports whether the implementation in use has vector
// transforms; without them the generic loops cost more than the
// multiplications saved.
func WinogradNative() bool { return active.winoNative }

// winoInGeneric is WinogradIn of one tile row: rows first (s = Bᵀ d),
// then columns (s B), in the order the vector kernels use.
func winoInGeneric(dst []float32, ldd int, src []float32, ld, n int) {
	r0, r1, r2, r3 := src[:ld], src[ld:2*ld], src[2*ld:3*ld], src[3*ld:]
	for j := 0; j < n; j++ {
		x := 2 * j
		var s [4][4]float32
		for c := 0; c < 4; c++ {
			d0, d1, d2, d3 := r0[x+c], r1[x+c], r2[x+c], r3[x+c]
			s[0][c] = d0 - d2
			s[1][c] = d1 + d2
			s[2][c] = d2 - d1
			s[3][c] = d1 - d3
		}
		for a := 0; a < 4; a++ {
			dst[(4*a)*ldd+j] = s[a][0] - s[a][2]
			dst[(4*a+1)*ldd+j] = s[a][1] + s[a][2]
			dst[(4*a+2)*ldd+j] = s[a][2] - s[a][1]
			dst[(4*a+3)*ldd+j] = s[a][1] - s[a][3]
		}
	}
}

// winoOutGeneric is winogradOut of one tile row (rows 1 or 2 output
// rows, src and res at the row): q = Aᵀ M (rows),
// then q A (columns), then bias, residual and clamp.
func winoOutGeneric(dst []float32, ldo, rows, w int, src []float32, lds, n int, bias, lo, hi float32, res []float32) {
	for j := 0; j < n; j++ {
		var q [2][4]float32
		for b := 0; b < 4; b++ {
			m0, m1, m2, m3 := src[b*lds+j], src[(4+b)*lds+j], src[(8+b)*lds+j], src[(12+b)*lds+j]
			q[0][b] = m0 + m1 + m2
			q[1][b] = m1 - m2 - m3
		}
		for r := 0; r < rows; r++ {
			y := [2]float32{q[r][0] + q[r][1] + q[r][2], q[r][1] - q[r][2] - q[r][3]}
			for c, v := range y {
				col := 2*j + c
				if col >= w {
					break
				}
				v += bias
				if res != nil {
					v += res[r*ldo+col]
				}
				if v < lo {
					v = lo
				}
				if v > hi {
					v = hi
				}
				dst[r*ldo+col] = v
			}
		}
	}
}

// WinogradOutPool is winogradOut followed by a 2×2, stride-2 max pool over
// whole tiles: tile j of tile row r (rows rows of w tiles) gives the one
// value min(max(max of its four outputs + bias, lo), hi), NaN if any
// output is NaN, at dst[r·ldo + j]; its M[ξ] is at src[ξ·lds + r·srcStep
// + j]. That is the pool of winogradOut's clamped outputs (adding the bias
// and clamping are monotone, so they commute with the maximum), without
// writing them. The vector kernels read M in whole blocks of 8 tiles: a
// last partial block is done in them when lds ≥ (rows-1)·srcStep + w8
// and src holds (rows-1)·srcStep + 15·lds + w8 floats (w8 = w rounded up
// to a multiple of 8), by a scalar loop otherwise.
func WinogradOutPool(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32) {
	WinogradOutPoolChannels(dst, 0, ldo, rows, w, src, 0, lds, srcStep, []float32{bias}, lo, hi)
}

// WinogradPoolNative reports whether WinogradOutPool has vector kernels
// here (elsewhere the separate transform and pool are faster).
func WinogradPoolNative() bool { return active.winoPoolNative }

// winoOutPoolGeneric is the reference for WinogradOutPool: the sums of
// winoOutGeneric, in its order.
func winoOutPoolGeneric(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32) {
	for r := 0; r < rows; r++ {
		s := src[r*srcStep:]
		for j := 0; j < w; j++ {
			var q [2][4]float32
			for b := 0; b < 4; b++ {
				m0, m1, m2, m3 := s[b*lds+j], s[(4+b)*lds+j], s[(8+b)*lds+j], s[(12+b)*lds+j]
				q[0][b] = m0 + m1 + m2
				q[1][b] = m1 - m2 - m3
			}
			v := q[0][0] + q[0][1] + q[0][2]
			for _, y := range [3]float32{q[0][1] - q[0][2] - q[0][3], q[1][0] + q[1][1] + q[1][2], q[1][1] - q[1][2] - q[1][3]} {
				switch {
				case v != v:
				case y != y || y > v:
					v = y
				}
			}
			v += bias
			if v < lo {
				v = lo
			}
			if v > hi {
				v = hi
			}
			dst[r*ldo+j] = v
		}
	}
}

// WinogradInChannels is WinogradIn for ch planes: plane c reads
// src[c·srcCh:] and writes its V rows at dst[c·dstCh:], with the same
// ldd, ld, n, rows and steps. The arguments are checked once, for the
// last plane (the strides are not negative, so it has the least room).
func WinogradInChannels(ch int, dst []float32, dstCh, ldd int, src []float32, srcCh, ld, n, rows, dstStep, srcStep int) {
	if ch <= 0 || n <= 0 || rows <= 0 {
		return
	}
	last := rows - 1
	d, s := (ch-1)*dstCh, (ch-1)*srcCh
	if dstCh < 0 || srcCh < 0 || d > len(dst) || s > len(src) || dstStep < 0 || srcStep < 0 || ldd < last*dstStep+n || ld < 2*n+2 ||
		len(src)-s < last*srcStep+3*ld+2*n+2 || len(dst)-d < last*dstStep+15*ldd+n {
		panic("simd: WinogradInChannels arguments out of range")
	}
	in := active.winoIn
	for c := 0; c < ch; c++ {
		in(dst[c*dstCh:], ldd, src[c*srcCh:], ld, n, rows, dstStep, srcStep)
	}
}

// WinogradOutChannels is winogradOut for ch output channels: channel c
// reads M at src[c·srcCh:], adds bias[c] (len(bias) = ch), writes
// dst[c·dstCh:] and adds res[c·dstCh:] when res is not nil. The arguments
// are checked once, for the last channel.
func WinogradOutChannels(dst []float32, dstCh, ldo, outRows, w int, src []float32, srcCh, lds, n, srcStep int, bias []float32, lo, hi float32, res []float32) {
	ch := len(bias)
	if ch == 0 || n <= 0 || w <= 0 || outRows <= 0 {
		return
	}
	trows := (outRows + 1) / 2
	end := (outRows-1)*ldo + w
	d, s := (ch-1)*dstCh, (ch-1)*srcCh
	if dstCh < 0 || srcCh < 0 || d > len(dst) || s > len(src) || w > 2*n || w < 2*n-1 || ldo < w || srcStep < 0 ||
		lds < (trows-1)*srcStep+n || len(src)-s < (trows-1)*srcStep+15*lds+n || len(dst)-d < end ||
		(res != nil && (d > len(res) || len(res)-d < end)) {
		panic("simd: WinogradOutChannels arguments out of range")
	}
	out := active.winoOut
	if lo != lo || hi != hi {
		out = winoOutRowsGeneric
	}
	for c := 0; c < ch; c++ {
		var r []float32
		if res != nil {
			r = res[c*dstCh:]
		}
		out(dst[c*dstCh:], ldo, outRows, w, src[c*srcCh:], lds, n, srcStep, bias[c], lo, hi, r)
	}
}

// WinogradOutPoolChannels is WinogradOutPool for len(bias) channels, as
// WinogradOutChannels is winogradOut's.
func WinogradOutPoolChannels(dst []float32, dstCh, ldo, rows, w int, src []float32, srcCh, lds, srcStep int, bias []float32, lo, hi float32) {
	ch := len(bias)
	if ch == 0 || rows <= 0 || w <= 0 {
		return
	}
	d, s := (ch-1)*dstCh, (ch-1)*srcCh
	if dstCh < 0 || srcCh < 0 || d > len(dst) || s > len(src) || ldo < w || srcStep < 0 || lds < (rows-1)*srcStep+w ||
		len(src)-s < (rows-1)*srcStep+15*lds+w || len(dst)-d < (rows-1)*ldo+w {
		panic("simd: WinogradOutPoolChannels arguments out of range")
	}
	out := active.winoOutPool
	if lo != lo || hi != hi {
		out = winoOutPoolGeneric
	}
	for c := 0; c < ch; c++ {
		out(dst[c*dstCh:], ldo, rows, w, src[c*srcCh:], lds, srcStep, bias[c], lo, hi)
	}
}
