package infer

import (
	"math"
	"slices"
	"testing"
)

// TestDepthSpace: DepthToSpace (DCR and CRD) against the definition by
// index, and SpaceToDepth then DepthToSpace DCR giving the input back,
// at 1 and 3 threads.
func TestDepthSpace(t *testing.T) {
	const n, c, h, w, bs = 2, 8, 3, 5, 2
	x := arange(n*c*h*w, 1, 0)
	co := c / (bs * bs)
	for _, mode := range []string{"DCR", "CRD"} {
		g := newGB(13).input("x", n, c, h, w).output("y")
		g.node("d", "DepthToSpace", []string{"x"}, []string{"y"}, attrInt("blocksize", bs), attrString("mode", mode))
		want := make([]float32, len(x))
		for b := 0; b < n; b++ {
			for ch := 0; ch < co; ch++ {
				for y := 0; y < h*bs; y++ {
					for xx := 0; xx < w*bs; xx++ {
						i, j := y%bs, xx%bs
						src := (i*bs+j)*co + ch
						if mode == "CRD" {
							src = ch*bs*bs + i*bs + j
						}
						want[((b*co+ch)*h*bs+y)*w*bs+xx] = x[((b*c+src)*h+y/bs)*w+xx/bs]
					}
				}
			}
		}
		for _, threads := range []int{1, 3} {
			got := calcRun(t, g.bytes(), threads, x)[0]
			if !slices.Equal(got.Shape, []int{n, co, h * bs, w * bs}) || !slices.Equal(got.F, want) {
				t.Fatalf("DepthToSpace %s, %d threads: %v %v, want %v", mode, threads, got.Shape, got.F, want)
			}
		}
	}
	g := newGB(13).input("x", n, int64(co), h*bs, w*bs).output("y")
	g.node("s", "SpaceToDepth", []string{"x"}, []string{"m"}, attrInt("blocksize", bs))
	g.node("d", "DepthToSpace", []string{"m"}, []string{"y"}, attrInt("blocksize", bs))
	if got := calcRun(t, g.bytes(), 2, x)[0]; !slices.Equal(got.F, x) {
		t.Errorf("SpaceToDepth then DepthToSpace: %v, want the input %v", got.F, x)
	}
	bad := newGB(13).input("x", 1, 6, 2, 2).output("y")
	bad.node("d", "DepthToSpace", []string{"x"}, []string{"y"}, attrInt("blocksize", 2))
	if err := calcPlanErr(bad.bytes()); err == nil {
		t.Error("6 channels at blocksize 2 accepted")
	}
}

// TestTile: repeats along each axis (one of them 1, one 0) against the
// definition by index.
func TestTile(t *testing.T) {
	x := arange(6, 1, 0) // 2×3
	for _, reps := range [][]int64{{2, 3}, {1, 2}, {3, 1}, {0, 2}} {
		g := newGB(13).input("x", 2, 3).output("y").initI("r", []int64{2}, reps)
		g.node("t", "Tile", []string{"x", "r"}, []string{"y"})
		oh, ow := 2*int(reps[0]), 3*int(reps[1])
		want := make([]float32, oh*ow)
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				want[i*ow+j] = x[(i%2)*3+j%3]
			}
		}
		got := calcRun(t, g.bytes(), 2, x)[0]
		if !slices.Equal(got.Shape, []int{oh, ow}) || !slices.Equal(got.F, want) {
			t.Errorf("repeats %v: %v %v, want %v", reps, got.Shape, got.F, want)
		}
	}
}

// TestIsNaNIsInf: at run time, a bool each (cast to float32 to read it),
// IsInf of either sign or the one asked for.
func TestIsNaNIsInf(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	x := []float32{1, nan, inf, -inf, 0, math.MaxFloat32}
	for _, tc := range []struct {
		op    string
		attrs [][]byte
		want  []float32
	}{
		{"IsNaN", nil, []float32{0, 1, 0, 0, 0, 0}},
		{"IsInf", nil, []float32{0, 0, 1, 1, 0, 0}},
		{"IsInf", [][]byte{attrInt("detect_negative", 0)}, []float32{0, 0, 1, 0, 0, 0}},
		{"IsInf", [][]byte{attrInt("detect_positive", 0)}, []float32{0, 0, 0, 1, 0, 0}},
	} {
		g := newGB(13).input("x", 6).output("y")
		g.node("is", tc.op, []string{"x"}, []string{"b"}, tc.attrs...)
		g.node("c", "Cast", []string{"b"}, []string{"y"}, attrInt("to", 1))
		if got := calcRun(t, g.bytes(), 1, x)[0]; !slices.Equal(got.F, tc.want) {
			t.Errorf("%s %d attrs: %v, want %v", tc.op, len(tc.attrs), got.F, tc.want)
		}
	}
}
