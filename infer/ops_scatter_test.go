package infer

import (
	"slices"
	"strings"
	"testing"
)

// TestGatherND: tuples of indices into run-time data, whole rows and
// single elements, with a batch dimension and negative indices.
func TestGatherND(t *testing.T) {
	x := arange(2*3*4, 1, 0) // 2×3×4
	for _, tc := range []struct {
		ishape []int64
		ind    []int64
		batch  int64
		shape  []int
		want   []float32
	}{
		{[]int64{2, 2}, []int64{0, 1, 1, -1}, 0, []int{2, 4}, append(slices.Clone(x[4:8]), x[20:24]...)},
		{[]int64{2, 3}, []int64{0, 0, 3, 1, 2, 0}, 0, []int{2}, []float32{x[3], x[20]}},
		{[]int64{2, 1, 2}, []int64{1, 2, 2, 3}, 1, []int{2, 1}, []float32{x[6], x[12+11]}},
	} {
		g := newGB(13).input("x", 2, 3, 4).output("y").initI("i", tc.ishape, tc.ind)
		g.node("g", "GatherND", []string{"x", "i"}, []string{"y"}, attrInt("batch_dims", tc.batch))
		y := calcRun(t, g.bytes(), 1, x)[0]
		if !slices.Equal(y.Shape, tc.shape) || !slices.Equal(y.F, tc.want) {
			t.Errorf("indices %v batch %d: %v %v, want %v %v", tc.ind, tc.batch, y.Shape, y.F, tc.shape, tc.want)
		}
	}
	g := newGB(13).input("x", 2, 3, 4).output("y").initI("i", []int64{1, 2}, []int64{0, 3})
	g.node("g", "GatherND", []string{"x", "i"}, []string{"y"})
	if err := calcPlanErr(g.bytes()); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("index 3 of 3: %v, want an out-of-range error", err)
	}
}

// TestScatter: ScatterElements along axis 1 (a negative index, the later
// of two updates at one place winning; with reduction max and add) and
// ScatterND of rows (reduction add with a repeated index, mul), on
// run-time data and updates.
func TestScatter(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6} // 2×3
	u := []float32{10, 20, 30, 40}   // 2×2
	for _, tc := range []struct {
		red  string
		want []float32
	}{
		{"none", []float32{1, 2, 20, 30, 5, 40}},
		{"max", []float32{1, 2, 20, 30, 5, 40}},
		{"add", []float32{1, 2, 33, 34, 5, 46}},
	} {
		g := newGB(18).input("x", 2, 3).input("u", 2, 2).output("y").initI("i", []int64{2, 2}, []int64{2, -1, 0, 2})
		g.node("s", "ScatterElements", []string{"x", "i", "u"}, []string{"y"}, attrInt("axis", 1), attrString("reduction", tc.red))
		if y := calcRun(t, g.bytes(), 1, x, u)[0]; !slices.Equal(y.F, tc.want) {
			t.Errorf("ScatterElements %s: %v, want %v", tc.red, y.F, tc.want)
		}
	}
	rows := []float32{1, 1, 1, 2, 2, 2} // two rows of 3
	for _, tc := range []struct {
		red  string
		want []float32
	}{
		{"add", []float32{4, 5, 6, 4, 5, 6}},   // row 0 plus both update rows
		{"mul", []float32{1, 2, 3, 8, 10, 12}}, // row 1 times both
	} {
		ind := []int64{1, 1}
		want := tc.want
		if tc.red == "add" {
			ind = []int64{0, 0} // the same row twice: both added
		}
		g := newGB(18).input("x", 2, 3).input("u", 2, 3).output("y").initI("i", []int64{2, 1}, ind)
		g.node("s", "ScatterND", []string{"x", "i", "u"}, []string{"y"}, attrString("reduction", tc.red))
		if y := calcRun(t, g.bytes(), 1, x, rows)[0]; !slices.Equal(y.F, want) {
			t.Errorf("ScatterND %s: %v, want %v", tc.red, y.F, want)
		}
	}
}
