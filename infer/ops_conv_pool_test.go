package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edge-pi/edge/simd"
)

// TestConvMaxPoolFused: Conv+Relu+MaxPool(2×2, stride 2) fuses into the
// Winograd convolution where simd has the pooled output transform, and
// gives what the separate pool gives (bit for bit: the bias and clamp are
// monotone, so they commute with the maximum), on even and odd maps (the
// last tile row and column dropped), batches, the phased schedule, and a
// NaN input; pools that are not whole 2×2 windows do not fuse.
func TestConvMaxPoolFused(t *testing.T) {
	bands := 0 // plans whose Winograd layer pads by bands
	for _, tc := range []struct {
		n, c, co, h, w, thr int
		pool                []int64 // kernel, stride, pad, ceil
		fuse                bool
	}{
		{1, 16, 32, 14, 14, 1, []int64{2, 2, 0, 0}, true},
		{2, 32, 64, 17, 17, 3, []int64{2, 2, 0, 0}, true},
		{1, 8, 16, 7, 5, 2, []int64{2, 2, 0, 0}, true},
		{1, 16, 16, 28, 23, 2, []int64{2, 2, 0, 0}, true},
		{1, 32, 32, 42, 38, 2, []int64{2, 2, 0, 0}, true}, // Winograd bands (225 KB of planes)
		{1, 16, 16, 12, 12, 1, []int64{3, 2, 0, 0}, false},
		{1, 16, 16, 12, 12, 1, []int64{2, 2, 1, 0}, false},
		{1, 16, 16, 13, 13, 1, []int64{2, 2, 0, 1}, false},
		// one input channel: the padded-plane kernel
		{1, 1, 16, 28, 28, 1, []int64{2, 2, 0, 0}, true},
		{2, 1, 8, 35, 33, 3, []int64{2, 2, 0, 0}, true},
		{1, 1, 8, 12, 12, 1, []int64{2, 2, 1, 0}, false},
	} {
		name := fmt.Sprintf("%+v", tc)
		r := rand.New(rand.NewPCG(7, uint64(tc.h)))
		g := newGB(13).input("x", -1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c), 3, 3}, randF(r, tc.co*tc.c*9))
		g.initF("B", []int64{int64(tc.co)}, randF(r, tc.co))
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"c"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
		g.node("relu", "Relu", []string{"c"}, []string{"a"})
		k, s, p := tc.pool[0], tc.pool[1], tc.pool[2]
		g.node("pool", "MaxPool", []string{"a"}, []string{"y"}, attrInts("kernel_shape", k, k), attrInts("strides", s, s),
			attrInts("pads", p, p, p, p), attrInt("ceil_mode", tc.pool[3]))
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x := randF(r, tc.n*tc.c*tc.h*tc.w)
		x[len(x)/3] = float32(math.NaN())
		run := func(off bool) ([]float32, bool) {
			poolFusionOff = off
			defer func() { poolFusionOff = false }()
			p, err := m.Plan(Options{Threads: tc.thr, Batch: tc.n})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			ck, _ := p.steps[0].k.(*convKernel)
			if ck != nil && ck.wBand {
				bands++
			}
			return append([]float32(nil), p.Output(0).F...), ck != nil && ck.pool
		}
		got, fused := run(false)
		want, _ := run(true)
		native := simd.WinogradPoolNative() && winograd()
		if tc.c == 1 {
			native = simd.DepthwisePlanePoolNative()
		}
		if wantFuse := tc.fuse && native; fused != wantFuse {
			t.Errorf("%s: fused %v, want %v", name, fused, wantFuse)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d outputs, want %d", name, len(got), len(want))
		}
		nans := 0
		for i := range want {
			if want[i] != want[i] {
				nans++
			}
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("%s: y[%d] = %v, unfused %v", name, i, got[i], want[i])
			}
		}
		if nans == 0 {
			t.Errorf("%s: the NaN input reached no output", name)
		}
	}
	if winograd() && bands == 0 {
		t.Error("no case padded its Winograd layer by bands")
	}
}
