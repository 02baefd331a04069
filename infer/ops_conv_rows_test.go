package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestShiftedRowsEqualStage: shifted convolutions on wide maps compute
// whole output rows straight into the output (convKernel.rows), and give
// what the stage and its compaction give: stride 1 and 2 (phase planes),
// asymmetric padding, groups, a fused Clip or a residual Add and ReLU,
// one and two threads (the two split the rows and the channel blocks),
// rows in one GEMM call and in two.
func TestShiftedRowsEqualStage(t *testing.T) {
	for _, tc := range []struct {
		c, co, h, w, k, s, groups int
		pads                      [4]int64
		residual                  bool
	}{
		{3, 32, 130, 130, 3, 2, 1, [4]int64{0, 0, 1, 1}, false}, // faces' stem, smaller
		{3, 16, 224, 224, 3, 2, 1, [4]int64{0, 0, 1, 1}, true},  // 112 columns: two calls a row on amd64 (GemmOffsetsSplit)
		{3, 16, 140, 140, 7, 2, 1, [4]int64{3, 3, 3, 3}, true},  // resnet18's stem
		{4, 8, 20, 70, 5, 1, 2, [4]int64{2, 2, 2, 2}, true},
		{2, 40, 9, 97, 3, 1, 1, [4]int64{1, 0, 1, 2}, false},
	} {
		r := rand.New(rand.NewPCG(5, uint64(tc.co)))
		oh := (tc.h+int(tc.pads[0]+tc.pads[2])-tc.k)/tc.s + 1
		ow := (tc.w+int(tc.pads[1]+tc.pads[3])-tc.k)/tc.s + 1
		g := newGB(13).input("x", 1, int64(tc.c), int64(tc.h), int64(tc.w))
		if tc.residual {
			g.input("r", 1, int64(tc.co), int64(oh), int64(ow))
		}
		g.output("y")
		cg := tc.c / tc.groups
		g.initF("W", []int64{int64(tc.co), int64(cg), int64(tc.k), int64(tc.k)}, randF(r, tc.co*cg*tc.k*tc.k))
		g.initF("B", []int64{int64(tc.co)}, randF(r, tc.co))
		K, S := int64(tc.k), int64(tc.s)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"c"}, attrInts("kernel_shape", K, K),
			attrInts("pads", tc.pads[:]...), attrInts("strides", S, S), attrInt("group", int64(tc.groups)))
		if tc.residual {
			g.node("add", "Add", []string{"c", "r"}, []string{"a"})
			g.node("relu", "Relu", []string{"a"}, []string{"y"})
		} else {
			g.initF("lo", nil, []float32{-0.5})
			g.initF("hi", nil, []float32{0.5})
			g.node("clip", "Clip", []string{"c", "lo", "hi"}, []string{"y"})
		}
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x, res := randF(r, tc.c*tc.h*tc.w), randF(r, tc.co*oh*ow)
		for _, threads := range []int{1, 2} {
			run := func(off bool) ([]float32, bool) {
				rowsOff = off
				defer func() { rowsOff = false }()
				xs := [][]float32{x}
				if tc.residual {
					xs = append(xs, res)
				}
				y, k := runFirstConv(t, m, threads, xs...)
				return y, k.rows
			}
			got, chosen := run(false)
			want, _ := run(true)
			if !chosen {
				t.Errorf("%+v: not computed by rows", tc)
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("%+v, %d threads: y[%d] = %v, with the stage %v", tc, threads, i, got[i], want[i])
				}
			}
		}
	}
}

// TestRowsPoolFused: Koch's first layer (one input channel, 10×10, 105²)
// with ReLU and a 2×2/2 MaxPool is one step on the rows path, pairs of
// output rows pooled as they are computed, and gives the reference, on
// an even map and an odd one (its last row and column dropped), at 1 and
// 3 threads.
func TestRowsPoolFused(t *testing.T) {
	for _, side := range []int{105, 104} {
		r := rand.New(rand.NewPCG(15, uint64(side)))
		const co, k = 16, 10
		wt, bias := randF(r, co*k*k), randF(r, co)
		g := newGB(13).input("x", 1, 1, int64(side), int64(side)).output("y")
		g.initF("W", []int64{co, 1, k, k}, wt).initF("B", []int64{co}, bias)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", k, k))
		g.node("relu", "Relu", []string{"cv"}, []string{"rl"})
		g.node("pool", "MaxPool", []string{"rl"}, []string{"y"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x := randF(r, side*side)
		conv, oh, ow := refConv(x, 1, 1, side, side, wt, co, k, k, 1, 1, 1, 0, 0, 0, 0, 1, 1, bias)
		ph, pw := oh/2, ow/2
		want := make([]float32, co*ph*pw)
		for c := 0; c < co; c++ {
			for py := 0; py < ph; py++ {
				for px := 0; px < pw; px++ {
					v := float32(0)
					for dy := 0; dy < 2; dy++ {
						for dx := 0; dx < 2; dx++ {
							v = max(v, conv[(c*oh+2*py+dy)*ow+2*px+dx])
						}
					}
					want[(c*ph+py)*pw+px] = v
				}
			}
		}
		for _, threads := range []int{1, 3} {
			p, err := m.Plan(Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%d², %d threads", side, threads)
			kk := p.steps[0].k.(*convKernel)
			if p.Steps() != 1 || !kk.rows || !kk.pool {
				t.Errorf("%s: %d steps, rows %v, pool %v; want one step, rows and the pool fused", what, p.Steps(), kk.rows, kk.pool)
			}
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			closeTo(t, what, p.Output(0).F, want, 1e-4)
			p.Close()
		}
	}
}

// TestBandPhasesEqualPlanes: at stride 2 the rows path, and the lanes
// path of a stem, pad only each unit's phase rows (convKernel.bandPhases) and give
// what whole phase planes give, bit for bit: 3×3, 5×5 and 7×7 filters,
// every parity of top and left padding, a last unit of fewer rows, a
// dilated filter, two images, the lanes path by rows and flat (where
// simd has it: elsewhere those cases take neither path), one and two
// threads (the lanes path pads bands of many channels on several
// threads only).
func TestBandPhasesEqualPlanes(t *testing.T) {
	for _, tc := range []struct {
		c, co, h, w, k, dil, batch int
		pads                       [4]int64
	}{
		{3, 32, 224, 224, 3, 1, 1, [4]int64{0, 0, 1, 1}}, // faces' stem
		{3, 16, 140, 141, 7, 1, 1, [4]int64{3, 3, 3, 3}}, // resnet18's stem
		{2, 8, 37, 150, 3, 1, 2, [4]int64{1, 0, 1, 2}},
		{3, 8, 30, 133, 3, 2, 1, [4]int64{2, 1, 0, 2}},
		{1, 4, 21, 129, 5, 1, 1, [4]int64{0, 2, 3, 1}},
		{3, 64, 112, 112, 7, 1, 1, [4]int64{3, 3, 3, 3}}, // lanes: resnet18's stem at 112²
		{3, 32, 14, 15, 5, 1, 2, [4]int64{2, 1, 2, 2}},   // lanes, flat
		{64, 128, 28, 28, 3, 1, 1, [4]int64{1, 1, 1, 1}}, // lanes, 64 channels in: bands on two threads
		{48, 64, 21, 26, 3, 1, 2, [4]int64{1, 0, 1, 1}},  // and two images
	} {
		r := rand.New(rand.NewPCG(11, uint64(tc.h*tc.w)))
		g := newGB(13).input("x", int64(tc.batch), int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		K, D := int64(tc.k), int64(tc.dil)
		g.initF("W", []int64{int64(tc.co), int64(tc.c), K, K}, randF(r, tc.co*tc.c*tc.k*tc.k))
		g.initF("B", []int64{int64(tc.co)}, randF(r, tc.co))
		g.initF("lo", nil, []float32{0})
		g.initF("hi", nil, []float32{6})
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"c"}, attrInts("kernel_shape", K, K),
			attrInts("pads", tc.pads[:]...), attrInts("strides", 2, 2), attrInts("dilations", D, D))
		g.node("clip", "Clip", []string{"c", "lo", "hi"}, []string{"y"})
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x := randF(r, tc.batch*tc.c*tc.h*tc.w)
		for _, threads := range []int{1, 2} {
			run := func(off bool) ([]float32, bool) {
				bandPhasesOff = off
				defer func() { bandPhasesOff = false }()
				y, k := runFirstConv(t, m, threads, x)
				return y, k.bandPhases == (k.lanes && (k.cin <= 4 || threads > 1) || !k.lanes && k.rows)
			}
			got, banded := run(false)
			want, _ := run(true)
			if !banded {
				t.Errorf("%+v, %d threads: padded in bands is not (rows, or lanes with ≤ 4 channels in or several threads)", tc, threads)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%+v, %d threads: y[%d] = %v, whole planes %v", tc, threads, i, got[i], want[i])
				}
			}
		}
	}
}

// runFirstConv plans m on threads, runs it once on the inputs xs and
// returns a copy of its first output and its first step's convolution
// kernel (for the path it took).
func runFirstConv(t *testing.T, m *Model, threads int, xs ...[]float32) ([]float32, *convKernel) {
	t.Helper()
	p, err := m.Plan(Options{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i, x := range xs {
		if err := p.SetInput(i, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), p.Output(0).F...), p.steps[0].k.(*convKernel)
}
