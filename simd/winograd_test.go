package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestWinogradIsConvolution: filter transform, input transform, product
// and output transform of one tile give the 2×2 block of the 3×3
// correlation of the 4×4 input.
func TestWinogradIsConvolution(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	for trial := 0; trial < 50; trial++ {
		d := randSlice(r, 16)
		g := randSlice(r, 9)
		var u, v, m [16]float32
		WinogradFilter(u[:], 1, g)
		winoInGeneric(v[:], 1, d, 4, 1)
		for i := range m {
			m[i] = u[i] * v[i]
		}
		var y [4]float32
		winoOutGeneric(y[:], 2, 2, 2, m[:], 1, 1, 0, float32(math.Inf(-1)), float32(math.Inf(1)), nil)
		for oy := 0; oy < 2; oy++ {
			for ox := 0; ox < 2; ox++ {
				want := 0.0
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						want += float64(g[ky*3+kx]) * float64(d[(oy+ky)*4+ox+kx])
					}
				}
				if got := float64(y[oy*2+ox]); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
					t.Fatalf("trial %d: y[%d][%d] = %v, want %v", trial, oy, ox, got, want)
				}
			}
		}
	}
}

// TestWinogradTransforms checks every implementation's transforms
// against the generic ones, which sum in the same order: bit for bit (NaN
// for NaN), for every tile count past the vector blocks, odd output
// widths, one or two rows, with and without a residual, guards around the
// output and NaN/Inf inputs.
func TestWinogradTransforms(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2))
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b) }
	for i := range impls {
		im := &impls[i]
		for n := 0; n <= 41; n++ {
			ld := 2*n + 2 + n%3
			src := randSlice(r, 4*ld)
			if n == 9 {
				src[5], src[ld+7] = float32(math.NaN()), float32(math.Inf(1))
			}
			n8 := (n + 7) &^ 7
			for _, room := range []bool{false, true} {
				ldd, srcv := n+1, src
				if room { // whole last block: dst rows and src long enough
					ldd = n8 + 1
					srcv = append(append([]float32(nil), src...), randSlice(r, 2*n8)...)
				}
				want := make([]float32, 16*ldd)
				winoInGeneric(want, ldd, srcv, ld, n)
				outer, got := guarded(16*ldd, 8)
				im.winoIn(got, ldd, srcv, ld, n, 1, 0, 0)
				checkGuards(t, fmt.Sprintf("%s WinogradIn n=%d room=%v", im.name, n, room), outer, 8)
				for p := 0; p < 16; p++ {
					for j := 0; j < n; j++ {
						if g, w := got[p*ldd+j], want[p*ldd+j]; !same(g, w) {
							t.Fatalf("%s WinogradIn n=%d room=%v: V[%d][%d] = %v, want %v", im.name, n, room, p, j, g, w)
						}
					}
				}
			}
			for _, rows := range []int{1, 2} {
				for _, w := range []int{2 * n, 2*n - 1} {
					for variant := 0; variant < 4; variant++ {
						withRes, room := variant&1 != 0, variant&2 != 0
						if n == 0 || w <= 0 {
							continue
						}
						name := fmt.Sprintf("%s WinogradOut n=%d rows=%d w=%d res=%v room=%v", im.name, n, rows, w, withRes, room)
						lds := n + 2
						if room { // for a whole last block of M
							lds = n8 + 1
						}
						m := randSlice(r, 16*lds)
						if n == 10 {
							m[3] = float32(math.NaN())
						}
						ldo := w + 3
						var res []float32
						if withRes {
							res = randSlice(r, rows*ldo)
						}
						bias, lo, hi := float32(0.25), float32(-1), float32(1.5)
						wantY := make([]float32, rows*ldo)
						winoOutGeneric(wantY, ldo, rows, w, m, lds, n, bias, lo, hi, res)
						outer, gotY := guarded(rows*ldo, 8)
						im.winoOut(gotY, ldo, rows, w, m, lds, n, 0, bias, lo, hi, res)
						checkGuards(t, name, outer, 8)
						checkRowGaps(t, name, gotY, rows, w, ldo)
						for rr := 0; rr < rows; rr++ {
							for c := 0; c < w; c++ {
								if g, wv := gotY[rr*ldo+c], wantY[rr*ldo+c]; !same(g, wv) {
									t.Fatalf("%s: y[%d][%d] = %v, want %v", name, rr, c, g, wv)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestWinogradChecksArguments(t *testing.T) {
	for _, f := range []func(){
		func() { WinogradIn(make([]float32, 16), 1, make([]float32, 10), 4, 1, 1, 0, 0) },
		func() { winogradOut(make([]float32, 4), 2, 2, 3, make([]float32, 16), 1, 1, 0, 0, 0, 1, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("short arguments: no panic")
				}
			}()
			f()
		}()
	}
}

// TestWinogradRows: the Rows forms equal their single-row calls bit for
// bit (NaN for NaN), with and without room for whole last blocks, an odd
// count of output rows and a residual, on every implementation.
func TestWinogradRows(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 3))
	same := func(a, b float32) bool { return a == b || (a != a && b != b) }
	for i := range impls {
		im := &impls[i]
		for _, n := range []int{1, 3, 4, 5, 8, 11, 23, 24} { // 4: two tile rows a block
			for _, rows := range []int{1, 2, 4, 5} {
				for _, room := range []bool{false, true} {
					n8 := (n + 7) &^ 7
					ld := 2*n + 2
					srcStep := 2 * ld
					dstStep := n
					ldd := (rows-1)*dstStep + n
					if room {
						ldd = (rows-1)*dstStep + n8
					}
					src := randSlice(r, (rows-1)*srcStep+3*ld+2*n8+2)
					want := make([]float32, 16*ldd)
					for row := 0; row < rows; row++ { // the reference: no whole blocks to spill
						winoInGeneric(want[row*dstStep:], ldd, src[row*srcStep:], ld, n)
					}
					got := make([]float32, 16*ldd)
					im.winoIn(got, ldd, src, ld, n, rows, dstStep, srcStep)
					for p := 0; p < 16; p++ {
						for j := 0; j < (rows-1)*dstStep+n; j++ {
							if !same(got[p*ldd+j], want[p*ldd+j]) {
								t.Fatalf("%s WinogradIn n=%d rows=%d room=%v: V[%d][%d] = %v, want %v", im.name, n, rows, room, p, j, got[p*ldd+j], want[p*ldd+j])
							}
						}
					}
					for _, outRows := range []int{2*rows - 1, 2 * rows} {
						w := 2*n - outRows%2 // odd widths with odd row counts
						lds := (rows-1)*dstStep + n
						if room {
							lds = (rows-1)*dstStep + n8
						}
						m := randSlice(r, 16*lds)
						ldo := w + 2
						res := randSlice(r, outRows*ldo)
						if outRows%2 == 1 && n%2 == 0 {
							res = nil // and without a residual
						}
						wantY := make([]float32, outRows*ldo)
						for row := 0; 2*row < outRows; row++ {
							var rr []float32
							if res != nil {
								rr = res[2*row*ldo:]
							}
							winoOutGeneric(wantY[2*row*ldo:], ldo, min(2, outRows-2*row), w, m[row*dstStep:], lds, n, 0.5, -0.75, 1.25, rr)
						}
						outer, gotY := guarded(outRows*ldo, 8)
						im.winoOut(gotY, ldo, outRows, w, m, lds, n, dstStep, 0.5, -0.75, 1.25, res)
						name := fmt.Sprintf("%s WinogradOut n=%d outRows=%d w=%d room=%v", im.name, n, outRows, w, room)
						checkGuards(t, name, outer, 8)
						checkRowGaps(t, name, gotY, outRows, w, ldo)
						for k := 0; k < outRows; k++ {
							for c := 0; c < w; c++ {
								if !same(gotY[k*ldo+c], wantY[k*ldo+c]) {
									t.Fatalf("%s: y[%d][%d] = %v, want %v", name, k, c, gotY[k*ldo+c], wantY[k*ldo+c])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestWinogradOutPoolIsPooledTransform: the reference of WinogradOutPool
// (what every kernel is compared with, in winogradpool_test.go) is
// WinogradOut's reference followed by the 2×2 maximum of its outputs, NaN
// if any is NaN, bit for bit (the bias and clamp commute with the maximum).
func TestWinogradOutPoolIsPooledTransform(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 3))
	for w := 1; w <= 19; w++ {
		for _, rows := range []int{1, 3} {
			step, lds := w, 3*w+2
			src := randSlice(r, (rows-1)*step+15*lds+w)
			if w%4 == 1 {
				src[r.IntN(len(src))] = float32(math.NaN())
				src[r.IntN(len(src))] = float32(math.Inf(-1))
			}
			got := make([]float32, rows*w)
			winoOutPoolGeneric(got, w, rows, w, src, lds, step, 0.25, 0, 1.5)
			full := make([]float32, 2*rows*2*w)
			winoOutRowsGeneric(full, 2*w, 2*rows, 2*w, src, lds, w, step, 0.25, 0, 1.5, nil)
			for y := 0; y < rows; y++ {
				for x := 0; x < w; x++ {
					m, nan := float32(math.Inf(-1)), false
					for _, v := range []float32{full[2*y*2*w+2*x], full[2*y*2*w+2*x+1], full[(2*y+1)*2*w+2*x], full[(2*y+1)*2*w+2*x+1]} {
						nan = nan || v != v
						m = max(m, v)
					}
					if g := got[y*w+x]; nan != (g != g) || (!nan && math.Float32bits(g) != math.Float32bits(m)) {
						t.Fatalf("w=%d rows=%d: [%d][%d] = %v, pool of WinogradOut %v (NaN %v)", w, rows, y, x, g, m, nan)
					}
				}
			}
		}
	}
}

// TestWinogradChannels: the channel-batched forms equal one call per
// channel, bit for bit, and refuse a last channel without room.
func TestWinogradChannels(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 5))
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b) }
	const ch, n, rows = 3, 7, 2
	ld, srcStep := 2*n+2, 2*(2*n+2)
	plane := (2*rows+2)*ld + 16
	src := randSlice(r, ch*plane)
	ldd := rows*n + 8
	dstCh := ldd + 3
	vs := 16*ldd + ch*dstCh
	got, want := make([]float32, vs), make([]float32, vs)
	WinogradInChannels(ch, got, dstCh, ldd, src, plane, ld, n, rows, n, srcStep)
	for c := 0; c < ch; c++ {
		WinogradIn(want[c*dstCh:], ldd, src[c*plane:], ld, n, rows, n, srcStep)
	}
	for i := range want {
		if !same(got[i], want[i]) {
			t.Fatalf("WinogradInChannels: V[%d] = %v, per channel %v", i, got[i], want[i])
		}
	}
	m := randSlice(r, ch*dstCh+16*ldd)
	bias := randSlice(r, ch)
	w, ldo := 2*n-1, 2*n+1
	ohw := 2 * rows * ldo
	res := randSlice(r, ch*ohw)
	for _, withRes := range []bool{false, true} {
		rr := res
		if !withRes {
			rr = nil
		}
		got, want := make([]float32, ch*ohw), make([]float32, ch*ohw)
		WinogradOutChannels(got, ohw, ldo, 2*rows-1, w, m, dstCh, ldd, n, n, bias, 0, 6, rr)
		for c := 0; c < ch; c++ {
			var rc []float32
			if withRes {
				rc = res[c*ohw:]
			}
			winogradOut(want[c*ohw:], ldo, 2*rows-1, w, m[c*dstCh:], ldd, n, n, bias[c], 0, 6, rc)
		}
		for i := range want {
			if !same(got[i], want[i]) {
				t.Fatalf("WinogradOutChannels (residual %v): y[%d] = %v, per channel %v", withRes, i, got[i], want[i])
			}
		}
	}
	pgot, pwant := make([]float32, ch*rows*n), make([]float32, ch*rows*n)
	WinogradOutPoolChannels(pgot, rows*n, n, rows, n, m, dstCh, ldd, n, bias, 0, 6)
	for c := 0; c < ch; c++ {
		WinogradOutPool(pwant[c*rows*n:], n, rows, n, m[c*dstCh:], ldd, n, bias[c], 0, 6)
	}
	for i := range pwant {
		if !same(pgot[i], pwant[i]) {
			t.Fatalf("WinogradOutPoolChannels: y[%d] = %v, per channel %v", i, pgot[i], pwant[i])
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("WinogradInChannels accepted a last channel past its source")
		}
	}()
	WinogradInChannels(ch+1, got, dstCh, ldd, src, plane, ld, n, rows, n, srcStep)
}
