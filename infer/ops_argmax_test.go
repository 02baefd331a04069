package infer

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestArgMaxMin: along each axis, with keepdims and without, the first of
// equal extremes or the last (select_last_index), a NaN taken as the
// extreme (its first), at 1 and 3 threads; the int64 output is a graph
// output, and a step that would read it at run time is refused, named.
func TestArgMaxMin(t *testing.T) {
	nan := float32(math.NaN())
	x := []float32{3, 1, 3, 0, 2, 2, 5, nan, 1, nan, -1, 4} // 2×2×3
	for _, tc := range []struct {
		op         string
		axis, keep int
		last       bool
		shape      []int
		want       []int64
	}{
		{"ArgMax", 2, 1, false, []int{2, 2, 1}, []int64{0, 1, 1, 0}},
		{"ArgMax", 2, 1, true, []int{2, 2, 1}, []int64{2, 2, 1, 0}},
		{"ArgMin", 2, 0, false, []int{2, 2}, []int64{1, 0, 1, 0}},
		{"ArgMax", 0, 0, false, []int{2, 3}, []int64{1, 1, 0, 1, 0, 1}},
		{"ArgMin", -2, 1, false, []int{2, 1, 3}, []int64{1, 0, 1, 1, 0, 0}},
	} {
		for _, threads := range []int{1, 3} {
			g := newGB(13).input("x", 2, 2, 3).output("y")
			attrs := [][]byte{attrInt("axis", int64(tc.axis)), attrInt("keepdims", int64(tc.keep))}
			if tc.last {
				attrs = append(attrs, attrInt("select_last_index", 1))
			}
			g.node("a", tc.op, []string{"x"}, []string{"y"}, attrs...)
			y := calcRun(t, g.bytes(), threads, x)[0]
			if y.DType != Int64 || !slices.Equal(y.Shape, tc.shape) || !slices.Equal(y.I, tc.want) {
				t.Errorf("%+v, %d threads: %v %v %v, want int64 %v %v", tc, threads, y.DType, y.Shape, y.I, tc.shape, tc.want)
			}
		}
	}
	g := newGB(13).input("x", 2, 2, 3).output("y")
	g.node("a", "ArgMax", []string{"x"}, []string{"i"}, attrInt("axis", 2))
	g.node("c", "Cast", []string{"i"}, []string{"y"}, attrInt("to", 1))
	err := calcPlanErr(g.bytes())
	if err == nil || !strings.Contains(err.Error(), `"c"`) || !strings.Contains(err.Error(), "run time") {
		t.Errorf("a step reading ArgMax's output at run time: %v, want an error naming the step", err)
	}
}
