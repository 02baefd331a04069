package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestWinogradConv runs 3×3 stride-1 convolutions through the Winograd
// path (forced on, so that the generic transforms of a purego build are
// covered too) and checks them against the direct definition: odd and
// even output sizes (tiles cut by the edge), asymmetric and zero padding,
// batches, threads, a fused residual Add with Relu, and PRelu (applied
// after the transform, per channel).
func TestWinogradConv(t *testing.T) {
	saved := winograd
	winograd = func() bool { return true }
	defer func() { winograd = saved }()
	cases := []struct {
		n, c, h, w, co          int
		pt, pl, pb, pr, threads int
		act                     string // "", "relu", "prelu", "residual"
	}{
		{1, 8, 8, 8, 8, 1, 1, 1, 1, 1, ""},
		{1, 16, 13, 11, 24, 1, 1, 1, 1, 2, "relu"},
		{2, 9, 17, 23, 8, 1, 1, 1, 1, 3, "prelu"},
		{1, 8, 12, 30, 16, 0, 0, 0, 0, 1, ""},
		{1, 12, 10, 9, 12, 2, 0, 1, 2, 2, "relu"},
		{2, 16, 14, 14, 16, 1, 1, 1, 1, 2, "residual"},
		{1, 32, 29, 31, 40, 1, 1, 1, 1, 1, "relu"},
		// small maps on several threads: the phased schedule
		{2, 16, 10, 10, 16, 1, 1, 1, 1, 3, "residual"},
		{1, 8, 9, 9, 12, 1, 1, 1, 1, 2, "prelu"},
		{1, 16, 13, 11, 24, 1, 1, 1, 1, 4, "relu"},
		// filters past winoSharedU: phased on a map of many tiles too
		{1, 192, 14, 14, 192, 1, 1, 1, 1, 2, "residual"},
		// filters past winoOneU, three units' tiles: phased on one thread
		{1, 64, 13, 13, 256, 1, 1, 1, 1, 1, "relu"},
		{2, 48, 15, 13, 192, 1, 1, 1, 1, 1, "residual"},
		// padded planes of winoBandMin or more on several threads: bands
		{1, 32, 40, 36, 24, 1, 1, 1, 1, 2, "residual"},
		{2, 24, 37, 35, 16, 2, 0, 1, 2, 3, "prelu"},
		{1, 16, 44, 41, 16, 1, 2, 2, 0, 3, "relu"}, // 45 rows: the last unit's tile row half dropped
	}
	bands := 0
	for _, tc := range cases {
		name := fmt.Sprintf("%dx%dx%dx%d->%d pads %d%d%d%d %s threads %d", tc.n, tc.c, tc.h, tc.w, tc.co, tc.pt, tc.pl, tc.pb, tc.pr, tc.act, tc.threads)
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(tc.c*tc.co+tc.h)))
			wt := randF(r, tc.co*tc.c*9)
			bias := randF(r, tc.co)
			oh, ow := tc.h+tc.pt+tc.pb-2, tc.w+tc.pl+tc.pr-2
			g := newGB(13).input("x", -1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
			g.initF("W", []int64{int64(tc.co), int64(tc.c), 3, 3}, wt)
			g.initF("B", []int64{int64(tc.co)}, bias)
			g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"c"},
				attrInts("kernel_shape", 3, 3), attrInts("pads", int64(tc.pt), int64(tc.pl), int64(tc.pb), int64(tc.pr)))
			slope := randF(r, tc.co)
			var res []float32
			switch tc.act {
			case "":
				g.node("id", "Identity", []string{"c"}, []string{"y"})
			case "relu":
				g.node("relu", "Relu", []string{"c"}, []string{"y"})
			case "prelu":
				g.initF("S", []int64{int64(tc.co), 1, 1}, slope)
				g.node("prelu", "PRelu", []string{"c", "S"}, []string{"y"})
			case "residual":
				res = randF(r, tc.n*tc.co*oh*ow)
				g.initF("R", []int64{int64(tc.n), int64(tc.co), int64(oh), int64(ow)}, res)
				g.node("add", "Add", []string{"c", "R"}, []string{"s"})
				g.node("relu", "Relu", []string{"s"}, []string{"y"})
			}
			m, err := Load(g.bytes())
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.Plan(Options{Threads: tc.threads, Batch: tc.n})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			var ck *convKernel
			for _, s := range p.steps {
				if k, ok := s.k.(*convKernel); ok {
					ck = k
				}
			}
			if ck == nil || !ck.wino {
				t.Fatal("the convolution did not take the Winograd path")
			}
			tiles := (oh + 1) / 2 * ((ow + 1) / 2)
			big := 16*tc.c*tc.co*4 > winoSharedU
			wtw := (ow + 1) / 2
			units := ((oh+1)/2 + max(1, max(16, winoBudget/(16*(tc.c+tc.co)))/wtw) - 1) / max(1, max(16, winoBudget/(16*(tc.c+tc.co)))/wtw)
			one := tc.threads == 1 && units > 1 && 16*tc.c*tc.co*4 > winoOneU && 16*tc.c*tiles*4 <= winoOneV
			if want := tc.threads > 1 && (tiles/24 <= 1 || big) && tc.n*1 < 2*tc.threads || one; ck.wphased != want {
				t.Fatalf("phased schedule %v, want %v (%d tiles, %d threads)", ck.wphased, want, tiles, tc.threads)
			}
			x := randF(r, tc.n*tc.c*tc.h*tc.w)
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			nanFill(p.scratch)             // what a unit reads it has written
			for run := 0; run < 2; run++ { // the second run sees the scratch the first left
				if err := p.Run(); err != nil {
					t.Fatal(err)
				}
			}
			want, _, _ := refConv(x, tc.n, tc.c, tc.h, tc.w, wt, tc.co, 3, 3, 1, 1, 1, tc.pt, tc.pl, tc.pb, tc.pr, 1, 1, bias)
			for i := range want {
				ch := (i / (oh * ow)) % tc.co
				v := float64(want[i])
				switch tc.act {
				case "relu":
					v = math.Max(0, v)
				case "prelu":
					if v < 0 {
						v *= float64(slope[ch])
					}
				case "residual":
					v = math.Max(0, v+float64(res[i]))
				}
				want[i] = float32(v)
			}
			closeTo(t, name, p.Output(0).F, want, 2e-5)
			if !ck.wBand {
				return
			}
			// the planes padded by channels first instead: the same
			// sums in the same order
			bands++
			winoBandOff = true
			q, err := m.Plan(Options{Threads: tc.threads, Batch: tc.n})
			winoBandOff = false
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			if err := q.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			nanFill(q.scratch)
			if err := q.Run(); err != nil {
				t.Fatal(err)
			}
			for i, v := range q.Output(0).F {
				if math.Float32bits(v) != math.Float32bits(p.Output(0).F[i]) {
					t.Fatalf("output %d: %v with bands, %v without", i, p.Output(0).F[i], v)
				}
			}
		})
	}
	if bands != 3 {
		t.Errorf("%d cases padded by bands, want 3", bands)
	}
}

func nanFill(s []float32) {
	for i := range s {
		s[i] = float32(math.NaN())
	}
}

// TestWinogradChosen: where simd has vector transforms, the 3×3 stride-1
// convolutions of enough channels take the Winograd path, and the others
// do not.
func TestWinogradChosen(t *testing.T) {
	saved := winograd
	winograd = func() bool { return true }
	defer func() { winograd = saved }()
	for _, tc := range []struct {
		c, co, h, w, stride, group int
		want                       bool
	}{
		{16, 16, 28, 28, 1, 1, true},
		{4, 16, 28, 28, 1, 1, false},  // too few input channels
		{16, 16, 28, 28, 2, 1, false}, // stride 2
		{16, 16, 28, 28, 1, 2, false}, // grouped
		{16, 16, 5, 5, 1, 1, true},    // 9 tiles for 25 outputs: still faster
		{16, 16, 4, 4, 1, 1, false},   // 4 tiles: products too narrow
	} {
		r := rand.New(rand.NewPCG(1, 2))
		g := newGB(13).input("x", 1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c / tc.group), 3, 3}, randF(r, tc.co*tc.c/tc.group*9))
		g.node("conv", "Conv", []string{"x", "W"}, []string{"y"}, attrInts("kernel_shape", 3, 3),
			attrInts("pads", 1, 1, 1, 1), attrInts("strides", int64(tc.stride), int64(tc.stride)), attrInt("group", int64(tc.group)))
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.Plan(Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.steps[0].k.(*convKernel).wino; got != tc.want {
			t.Errorf("%+v: Winograd %v, want %v", tc, got, tc.want)
		}
		p.Close()
	}
}
