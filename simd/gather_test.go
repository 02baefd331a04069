package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGatherPlanes: every implementation's GatherPlanes equals the
// generic loop bit for bit (a NaN's payload too), for planes of 1–20
// floats (a register's 16 and past it), rows of 1–17 pixels, 1–10 taps
// with a third of the indices in the padding, and 1–5 channels; it
// writes nothing past its rows; and out-of-range arguments panic.
func TestGatherPlanes(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 3))
	for i := range impls {
		im := &impls[i]
		for _, hw := range []int{1, 4, 9, 15, 16, 17, 20} {
			for _, n := range []int{1, 3, 8, 15, 16, 17} {
				for _, taps := range []int{1, 2, 9, 10} {
					channels := 1 + r.IntN(5)
					src := make([]float32, channels*hw)
					for j := range src {
						src[j] = float32(r.NormFloat64())
					}
					src[r.IntN(len(src))] = math.Float32frombits(0x7fc00123) // a NaN with a payload
					idx := make([]int32, taps*n)
					for j := range idx {
						idx[j] = int32(r.IntN(hw))
						if r.IntN(3) == 0 {
							idx[j] = -1 - int32(r.IntN(5))
						}
					}
					want := make([]float32, channels*taps*n)
					gatherPlanesGeneric(want, src, hw, channels, idx, n)
					got := make([]float32, len(want)+1)
					for j := range got {
						got[j] = 7
					}
					im.gatherPlanes(got[:len(want)], src, hw, channels, idx, n)
					for j := range want {
						if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
							t.Fatalf("%s hw=%d n=%d taps=%d channels=%d: dst[%d] = %#x, generic %#x", im.name, hw, n, taps, channels, j,
								math.Float32bits(got[j]), math.Float32bits(want[j]))
						}
					}
					if got[len(want)] != 7 {
						t.Fatalf("%s hw=%d n=%d taps=%d: wrote past dst", im.name, hw, n, taps)
					}
				}
			}
		}
	}
	for _, bad := range []func(){
		func() { GatherPlanes(make([]float32, 3), make([]float32, 4), 4, 1, []int32{0, 1, 4}, 3) }, // index past the plane
		func() { GatherPlanes(make([]float32, 2), make([]float32, 4), 4, 1, []int32{0, 1, 2}, 3) }, // dst short
		func() { GatherPlanes(make([]float32, 6), make([]float32, 4), 4, 2, []int32{0, 1, 2}, 3) }, // src short
		func() { GatherPlanes(make([]float32, 6), make([]float32, 8), 4, 2, []int32{0, 1, 2}, 2) }, // idx not whole rows
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("GatherPlanes with bad arguments did not panic")
				}
			}()
			bad()
		}()
	}
}
