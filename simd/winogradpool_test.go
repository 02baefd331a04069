//go:build linux

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestWinogradOutPool checks every implementation's pooled output
// transform against winoOutPoolGeneric, bit for bit (NaN for NaN): rows 1
// and 3 (M of the rows srcStep apart in each row of M), widths 1–27 (whole
// blocks and every partial one), src without room for a whole last block
// (lds too short, or src too short) and with it, M flush against an
// unmapped page, NaN and ±Inf among the inputs, three bias/bounds
// settings (Relu among them), guards around and between the output rows.
func TestWinogradOutPool(t *testing.T) {
	r := rand.New(rand.NewPCG(24, 4))
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b) }
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	params := [][3]float32{{0.25, -1, 1.5}, {-0.125, 0, inf}, {0.5, -inf, inf}}
	tested := 0
	for i := range impls {
		im := &impls[i]
		if !im.winoPoolNative {
			continue
		}
		tested++
		for _, rows := range []int{1, 3} {
			for w := 1; w <= 27; w++ {
				for room := 0; room < 3; room++ { // none, lds only, lds and src
					w8 := (w + 7) &^ 7
					srcStep := w + 1 + w%3
					lds := (rows-1)*srcStep + w
					if room > 0 {
						lds = (rows-1)*srcStep + w8
					}
					n := (rows-1)*srcStep + 15*lds + w
					if room == 2 {
						n += w8 - w
					}
					m := fenced(t, n, true)
					copy(m, randSlice(r, n))
					if w%5 == 0 {
						for _, v := range []float32{nan, inf, -inf, inf, nan} {
							m[r.IntN(n)] = v
						}
					}
					p := params[w%3]
					bias, lo, hi := p[0], p[1], p[2]
					ldo := w + 2
					end := (rows-1)*ldo + w
					want := make([]float32, end)
					winoOutPoolGeneric(want, ldo, rows, w, m, lds, srcStep, bias, lo, hi)
					outer, got := guarded(end, 8)
					im.winoOutPool(got, ldo, rows, w, m, lds, srcStep, bias, lo, hi)
					name := fmt.Sprintf("%s WinogradOutPool rows=%d w=%d room=%d", im.name, rows, w, room)
					checkGuards(t, name, outer, 8)
					checkRowGaps(t, name, got, rows, w, ldo)
					for rr := 0; rr < rows; rr++ {
						for j := 0; j < w; j++ {
							if g, wv := got[rr*ldo+j], want[rr*ldo+j]; !same(g, wv) {
								t.Fatalf("%s: y[%d][%d] = %v, want %v", name, rr, j, g, wv)
							}
						}
					}
				}
			}
		}
	}
	if tested == 0 {
		t.Skip("no implementation here has a pooled Winograd output kernel (purego): TestWinogradOutPoolIsPooledTransform checks the reference")
	}
	m, dst := make([]float32, 3*9+15*27+8), make([]float32, 3*7)
	if allocs := testing.AllocsPerRun(5, func() { WinogradOutPool(dst, 7, 3, 7, m, 27, 9, 0.5, 0, 6) }); allocs != 0 {
		t.Errorf("WinogradOutPool: %v allocations", allocs)
	}
}
