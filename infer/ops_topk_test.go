package infer

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// topKRef is TopK by a stable sort of each lane: the reference the heap
// selection is held to.
func topKRef(x []float32, shape []int, ax, k int, largest bool) ([]float32, []int64) {
	g := laneAt(shape, ax)
	og := laneGeom{g.outer, k, g.inner}
	vals := make([]float32, g.outer*k*g.inner)
	idx := make([]int64, len(vals))
	for l := 0; l < g.lanes(); l++ {
		s, o := g.start(l), og.start(l)
		order := make([]int, g.n)
		for i := range order {
			order[i] = i
		}
		key := func(i int) float64 {
			v := float64(x[s+i*g.inner])
			if math.IsNaN(v) {
				v = math.Inf(1) // NaN above every number (and +Inf: NaN is tested apart)
			}
			if !largest {
				v = -v
			}
			return v
		}
		sort.SliceStable(order, func(a, b int) bool { return key(order[a]) > key(order[b]) })
		for j := 0; j < k; j++ {
			vals[o+j*g.inner] = x[s+order[j]*g.inner]
			idx[o+j*g.inner] = int64(order[j])
		}
	}
	return vals, idx
}

func topKModel(shape []int, ax, k int, largest bool) []byte {
	dims := make([]int64, len(shape))
	for i, d := range shape {
		dims[i] = int64(d)
	}
	l := int64(0)
	if largest {
		l = 1
	}
	g := newGB(13).input("x", dims...).output("v").output("i").initI("k", []int64{1}, []int64{int64(k)})
	g.node("t", "TopK", []string{"x", "k"}, []string{"v", "i"}, attrInt("axis", int64(ax)), attrInt("largest", l))
	return g.bytes()
}

// TestTopK: against a stable sort, on random lanes with many ties (values
// from a few levels), every axis of a 3-D tensor, k from 0 to the whole
// axis, largest and smallest, at 1 and 3 threads.
func TestTopK(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	shape := []int{3, 17, 5}
	x := make([]float32, 3*17*5)
	for i := range x {
		x[i] = float32(r.IntN(7)) - 3
	}
	for ax := 0; ax < 3; ax++ {
		for _, k := range []int{0, 1, 2, shape[ax] / 2, shape[ax]} {
			for _, largest := range []bool{true, false} {
				wantV, wantI := topKRef(x, shape, ax, k, largest)
				for _, threads := range []int{1, 3} {
					out := calcRun(t, topKModel(shape, ax, k, largest), threads, x)
					oshape := slices.Clone(shape)
					oshape[ax] = k
					if !slices.Equal(out[0].Shape, oshape) || !slices.Equal(out[0].F, wantV) || out[1].DType != Int64 || !slices.Equal(out[1].I, wantI) {
						t.Fatalf("axis %d k %d largest %v, %d threads: %v %v %v, want %v %v", ax, k, largest, threads, out[0].Shape, out[0].F, out[1].I, wantV, wantI)
					}
				}
			}
		}
	}
}

// TestTopKNaNAndErrors: a NaN ranks above +Inf (first when largest, last
// when smallest; of two NaNs the lower index first); k past the axis, and
// a step reading the indices at run time, are refused when planned.
func TestTopKNaNAndErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	x := []float32{1, nan, inf, -inf, nan, 2}
	out := calcRun(t, topKModel([]int{1, 6}, 1, 4, true), 1, x)
	if !slices.Equal(out[1].I, []int64{1, 4, 2, 5}) {
		t.Errorf("largest with NaNs: indices %v, want [1 4 2 5]", out[1].I)
	}
	out = calcRun(t, topKModel([]int{1, 6}, 1, 3, false), 1, x)
	if !slices.Equal(out[1].I, []int64{3, 0, 5}) {
		t.Errorf("smallest with NaNs: indices %v, want [3 0 5]", out[1].I)
	}
	err := calcPlanErr(topKModel([]int{1, 6}, 1, 7, true))
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("k = 7 of 6: %v, want an out-of-range error", err)
	}
	g := newGB(13).input("x", 1, 6).output("y").initI("k", []int64{1}, []int64{2})
	g.node("t", "TopK", []string{"x", "k"}, []string{"v", "i"})
	g.node("c", "Cast", []string{"i"}, []string{"y"}, attrInt("to", 1))
	err = calcPlanErr(g.bytes())
	if err == nil || !strings.Contains(err.Error(), `"c"`) || !strings.Contains(err.Error(), "run time") {
		t.Errorf("a step reading TopK's indices at run time: %v, want an error naming the step", err)
	}
}
