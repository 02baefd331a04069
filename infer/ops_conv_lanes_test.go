package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edge-pi/edge/simd"
)

// TestLanesChosenAndEqual: shifted convolutions of many taps whose GEMM
// would compute dropped columns take the lanes path where simd has its
// kernel (and the few-tap or few-channel ones do not), and give the
// reference convolution's output with the bias and an activation that is
// a clamp (ReLU), one that is not (Sigmoid) and a residual Add; at 1, 2
// and 3 threads, on two images, per row and flat (padded rows narrower
// than a row's runs), at strides 1 and 2.
func TestLanesChosenAndEqual(t *testing.T) {
	for _, tc := range []struct {
		c, co, h, w, k, s, pad int
		act                    string
		residual               bool
		want                   bool
	}{
		{16, 32, 48, 48, 7, 1, 0, "Relu", false, true},  // Koch's 7×7 layer: rows of 42 in three runs
		{32, 32, 21, 21, 4, 1, 0, "Relu", true, true},   // flat: rows of 18 in 21
		{32, 64, 9, 9, 4, 1, 0, "Sigmoid", false, true}, // flat, two groups, not a clamp
		{64, 128, 28, 28, 3, 2, 1, "Relu", true, true},  // phase planes, four groups
		{64, 40, 15, 17, 5, 1, 2, "Relu", false, false}, // 40 channels: 64 lanes for 40
		{3, 64, 40, 40, 3, 1, 1, "Relu", false, false},  // 27 taps
		{16, 16, 30, 30, 5, 1, 0, "Relu", false, false}, // half the lanes idle
	} {
		r := rand.New(rand.NewPCG(6, uint64(tc.co*tc.k+tc.s)))
		wt, bias := randF(r, tc.co*tc.c*tc.k*tc.k), randF(r, tc.co)
		oh := (tc.h+2*tc.pad-tc.k)/tc.s + 1
		ow := (tc.w+2*tc.pad-tc.k)/tc.s + 1
		g := newGB(13).input("x", 2, int64(tc.c), int64(tc.h), int64(tc.w)).input("r", 2, int64(tc.co), int64(oh), int64(ow)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c), int64(tc.k), int64(tc.k)}, wt)
		g.initF("B", []int64{int64(tc.co)}, bias)
		P := int64(tc.pad)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)),
			attrInts("pads", P, P, P, P), attrInts("strides", int64(tc.s), int64(tc.s)))
		last := "cv"
		if tc.residual {
			g.node("add", "Add", []string{"cv", "r"}, []string{"a"})
			last = "a"
		}
		g.node("act", tc.act, []string{last}, []string{"y"})
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x, res := randF(r, 2*tc.c*tc.h*tc.w), randF(r, 2*tc.co*oh*ow)
		want, _, _ := refConv(x, 2, tc.c, tc.h, tc.w, wt, tc.co, tc.k, tc.k, 1, tc.s, tc.s, tc.pad, tc.pad, tc.pad, tc.pad, 1, 1, bias)
		for i := range want {
			if tc.residual {
				want[i] += res[i]
			}
			if tc.act == "Relu" {
				want[i] = max(want[i], 0)
			} else {
				want[i] = float32(1 / (1 + math.Exp(-float64(want[i]))))
			}
		}
		for _, threads := range []int{1, 2, 3} {
			p, err := m.Plan(Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%+v, %d threads", tc, threads)
			if chosen := p.steps[0].k.(*convKernel).lanes; chosen != (tc.want && simd.LanesNative()) {
				t.Errorf("%s: lanes %v, want %v (simd has the kernel: %v)", what, chosen, tc.want, simd.LanesNative())
			}
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if err := p.SetInput(1, res); err != nil {
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

// TestLanesForcedEqual: with the lanes path forced wherever it applies,
// Koch's first layer (16 channels) and a 27-tap stem still compute the
// reference convolution (the choice is about speed only).
func TestLanesForcedEqual(t *testing.T) {
	lanesOn = true
	defer func() { lanesOn = false }()
	for _, tc := range []struct{ c, co, h, w, k, s, pad int }{{1, 16, 40, 40, 10, 1, 0}, {3, 32, 30, 30, 3, 2, 1}} {
		r := rand.New(rand.NewPCG(7, uint64(tc.co)))
		wt, bias := randF(r, tc.co*tc.c*tc.k*tc.k), randF(r, tc.co)
		g := newGB(13).input("x", 1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c), int64(tc.k), int64(tc.k)}, wt)
		g.initF("B", []int64{int64(tc.co)}, bias)
		P := int64(tc.pad)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"y"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)),
			attrInts("pads", P, P, P, P), attrInts("strides", int64(tc.s), int64(tc.s)))
		p := mustPlan(t, g.bytes(), 2)
		x := randF(r, tc.c*tc.h*tc.w)
		if err := p.SetInput(0, x); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if chosen := p.steps[0].k.(*convKernel).lanes; chosen != simd.LanesNative() {
			t.Errorf("%+v: lanes %v with lanesOn", tc, chosen)
		}
		want, _, _ := refConv(x, 1, tc.c, tc.h, tc.w, wt, tc.co, tc.k, tc.k, 1, tc.s, tc.s, tc.pad, tc.pad, tc.pad, tc.pad, 1, 1, bias)
		closeTo(t, fmt.Sprintf("%+v", tc), p.Output(0).F, want, 1e-4)
		p.Close()
	}
}

// TestLanesPoolFused: Koch's conv, ReLU and 2×2/2 MaxPool is one step on
// the lanes path, the pool applied to pairs of rows as they are
// transposed, and gives the reference (an odd map's last row and column
// dropped, as the pool's floor rounding does), at 1, 2 and 3 threads, per
// row and flat.
func TestLanesPoolFused(t *testing.T) {
	for _, tc := range []struct{ c, co, h, w, k int }{{16, 32, 48, 48, 7}, {16, 64, 47, 45, 7}, {32, 32, 21, 21, 4}} {
		r := rand.New(rand.NewPCG(14, uint64(tc.h)))
		wt, bias := randF(r, tc.co*tc.c*tc.k*tc.k), randF(r, tc.co)
		g := newGB(13).input("x", 1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c), int64(tc.k), int64(tc.k)}, wt)
		g.initF("B", []int64{int64(tc.co)}, bias)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)))
		g.node("relu", "Relu", []string{"cv"}, []string{"rl"})
		g.node("pool", "MaxPool", []string{"rl"}, []string{"y"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x := randF(r, tc.c*tc.h*tc.w)
		conv, oh, ow := refConv(x, 1, tc.c, tc.h, tc.w, wt, tc.co, tc.k, tc.k, 1, 1, 1, 0, 0, 0, 0, 1, 1, bias)
		ph, pw := oh/2, ow/2
		want := make([]float32, tc.co*ph*pw)
		for co := 0; co < tc.co; co++ {
			for py := 0; py < ph; py++ {
				for px := 0; px < pw; px++ {
					v := float32(0)
					for dy := 0; dy < 2; dy++ {
						for dx := 0; dx < 2; dx++ {
							v = max(v, conv[(co*oh+2*py+dy)*ow+2*px+dx])
						}
					}
					want[(co*ph+py)*pw+px] = v
				}
			}
		}
		for _, threads := range []int{1, 2, 3} {
			p, err := m.Plan(Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%+v, %d threads", tc, threads)
			k := p.steps[0].k.(*convKernel)
			if simd.LanesNative() && (p.Steps() != 1 || !k.lanes || !k.pool) {
				t.Errorf("%s: %d steps, lanes %v, pool %v; want one step, lanes and the pool fused", what, p.Steps(), k.lanes, k.pool)
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

// TestBalancedRows checks the rows of a lanes unit on several threads:
// the soonest finish of the units shared out as the pool does (owned
// shares), of equal finishes the fewest units.
func TestBalancedRows(t *testing.T) {
	for _, c := range []struct {
		oh, most, groups, threads int
		pool                      bool
		want                      int
	}{
		{18, 18, 1, 2, true, 10}, // Koch's 4×4 layer: 10+8, not 6+6+6
		{42, 2, 1, 2, true, 2},   // Koch's 7×7 layer: the slot's limit
		{14, 8, 4, 2, false, 7},  // resnet18's stride-2 3×3: 8+6 gave one share all the 8s
		{6, 6, 2, 2, false, 6},   // one unit a group, a group a thread
		{7, 16, 1, 2, false, 4},  // 4+3
		{9, 9, 1, 3, false, 3},   // 3+3+3
		{5, 5, 1, 4, false, 2},   // 2+2+1: three threads busy, no finish sooner
	} {
		if got := balancedRows(c.oh, c.most, 1, c.groups, c.threads, c.pool); got != c.want {
			t.Errorf("balancedRows(%d, %d, 1, %d, %d, %v) = %d, want %d", c.oh, c.most, c.groups, c.threads, c.pool, got, c.want)
		}
	}
}

// TestFinish checks the pool's simulated finish against hand-worked
// schedules: owned shares take their own run first, free pieces in turn.
func TestFinish(t *testing.T) {
	for _, c := range []struct {
		costs   []int
		threads int
		owned   bool
		want    int
	}{
		{[]int{8, 8, 8, 8, 6, 6, 6, 6}, 2, true, 32},  // one share all the 8s
		{[]int{8, 8, 8, 8, 6, 6, 6, 6}, 2, false, 28}, // in turn: 8+8+6+6 each
		{[]int{1, 1, 1, 1, 1, 1, 1}, 2, true, 4},      // 3 own, then the other's last
		{[]int{6, 6, 6}, 2, true, 12},                 // one piece, then a steal
		{[]int{5}, 4, true, 5},
		{nil, 2, true, 0},
		// 16 items, a piece each (fineItems): shares [0,8) and [8,16);
		// the second's owner, done at 8, steals the first's last four
		// (18, 28, 38, 48) while that owner does four (40)
		{[]int{10, 10, 10, 10, 10, 10, 10, 10, 1, 1, 1, 1, 1, 1, 1, 1}, 2, true, 48},
		// 40 items, 8 pieces of 5: shares of pieces [0,4) (cost 50 each)
		// and [4,8) (5 each): the second's owner, done at 20, steals the
		// first's last two (70, 120) while that owner does two (100)
		{append(slices.Repeat([]int{10}, 20), slices.Repeat([]int{1}, 20)...), 2, true, 120},
		// 21 units on 2 threads (Koch's 7×7 layer): a piece each, 10 and
		// 11 units, where pieces of 3 made 9 and 12
		{[]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, true, 11},
	} {
		if got := finish(c.costs, c.threads, c.owned); got != c.want {
			t.Errorf("finish(%v, %d, %v) = %d, want %d", c.costs, c.threads, c.owned, got, c.want)
		}
	}
}
