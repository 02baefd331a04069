package infer

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// einsumRef computes an explicit equation (letters only) by brute force:
// every assignment of every label, the product of the operands' elements
// added to the output's, in float64.
func einsumRef(eq string, shapes [][]int, xs [][]float32) ([]int, []float32) {
	lhs, rhs, _ := strings.Cut(eq, "->")
	terms := strings.Split(lhs, ",")
	size := map[rune]int{}
	var labels []rune
	for i, t := range terms {
		for j, l := range t {
			if _, ok := size[l]; !ok {
				labels = append(labels, l)
			}
			size[l] = shapes[i][j]
		}
	}
	var oshape []int
	for _, l := range rhs {
		oshape = append(oshape, size[l])
	}
	out := make([]float64, numel(oshape))
	at := map[rune]int{}
	var walk func(d int)
	walk = func(d int) {
		if d == len(labels) {
			p := 1.0
			for i, t := range terms {
				off := 0
				for j, l := range t {
					off = off*shapes[i][j] + at[l]
				}
				p *= float64(xs[i][off])
			}
			off := 0
			for j, l := range rhs {
				off = off*oshape[j] + at[l]
			}
			out[off] += p
			return
		}
		for v := 0; v < size[labels[d]]; v++ {
			at[labels[d]] = v
			walk(d + 1)
		}
	}
	walk(0)
	r := make([]float32, len(out))
	for i, v := range out {
		r[i] = float32(v)
	}
	return oshape, r
}

func einsumModel(eq string, shapes [][]int) []byte {
	g := newGB(12).output("y")
	var names []string
	for i, s := range shapes {
		dims := make([]int64, len(s))
		for j, d := range s {
			dims[j] = int64(d)
		}
		name := string(rune('a' + i))
		g.input(name, dims...)
		names = append(names, name)
	}
	g.node("e", "Einsum", names, []string{"y"}, attrString("equation", eq))
	return g.bytes()
}

// TestEinsum: equations of one and two operands (matrix and batched
// products, attention's, transposes, sums, diagonals, outer and inner
// products, a full contraction, labels summed in one operand only, the
// implicit output, an ellipsis) against the brute-force sum.
func TestEinsum(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		eq, explicit string // explicit: eq with its output written out, for the reference
		shapes       [][]int
	}{
		{"ij,jk->ik", "", [][]int{{3, 4}, {4, 5}}},
		{"ij,jk", "ij,jk->ik", [][]int{{3, 4}, {4, 5}}},
		{"bij,bjk->bik", "", [][]int{{2, 3, 4}, {2, 4, 5}}},
		{"bhqd,bhkd->bhqk", "", [][]int{{2, 3, 5, 4}, {2, 3, 6, 4}}},
		{"bhqk,bhkd->bqhd", "", [][]int{{1, 2, 5, 6}, {1, 2, 6, 4}}},
		{"ij->ji", "", [][]int{{3, 4}}},
		{"ij->i", "", [][]int{{3, 4}}},
		{"ij", "ij->ij", [][]int{{3, 4}}},
		{"ji", "ji->ij", [][]int{{3, 4}}},
		{"bii->bi", "", [][]int{{2, 3, 3}}},
		{"ii", "ii->", [][]int{{4, 4}}},
		{"i,i", "i,i->", [][]int{{5}, {5}}},
		{"i,j->ij", "", [][]int{{3}, {4}}},
		{"ab,ab->", "", [][]int{{3, 4}, {3, 4}}},
		{"ij,ij->ij", "", [][]int{{3, 4}, {3, 4}}},
		{"iij,jk->ik", "", [][]int{{3, 3, 4}, {4, 2}}},
		{"abc,cd->abd", "", [][]int{{2, 3, 4}, {4, 5}}},
		{"ab,cd->ac", "", [][]int{{2, 3}, {4, 5}}},
		{"...ij,...jk->...ik", "xyij,xyjk->xyik", [][]int{{2, 3, 4, 5}, {2, 3, 5, 2}}},
		{"b...,b->...", "bxy,b->xy", [][]int{{3, 2, 4}, {3}}},
		{"B i, i C -> C B", "Bi,iC->CB", [][]int{{3, 4}, {4, 2}}},
	} {
		var xs [][]float32
		for _, s := range tc.shapes {
			x := make([]float32, numel(s))
			for i := range x {
				x[i] = r.Float32()*2 - 1
			}
			xs = append(xs, x)
		}
		ref := tc.explicit
		if ref == "" {
			ref = tc.eq
		}
		ref = strings.ReplaceAll(ref, " ", "")
		wantShape, want := einsumRef(ref, tc.shapes, xs)
		got := calcRun(t, einsumModel(tc.eq, tc.shapes), 1, xs...)[0]
		if !slices.Equal(got.Shape, wantShape) {
			t.Errorf("%s: shape %v, want %v", tc.eq, got.Shape, wantShape)
			continue
		}
		for i := range want {
			if math.Abs(float64(got.F[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Errorf("%s: element %d %v, want %v", tc.eq, i, got.F[i], want[i])
				break
			}
		}
	}
}

// TestEinsumRefusals: a label of two sizes, an output label in no
// operand, a repeated output label, a bad ellipsis and three operands are
// refused when the plan is built, naming what is wrong.
func TestEinsumRefusals(t *testing.T) {
	for _, tc := range []struct {
		eq     string
		shapes [][]int
		want   string
	}{
		{"ij,jk->ik", [][]int{{3, 4}, {5, 2}}, "label j is 4 in one place and 5"},
		{"ij->ik", [][]int{{3, 4}}, "output label k is in no operand"},
		{"ij->ii", [][]int{{3, 4}}, "output label i repeated"},
		{"ij...->i", [][]int{{3}}, "does not fit rank"},
		{"ij,jk,kl->il", [][]int{{2, 2}, {2, 2}, {2, 2}}, "operands"},
		{"i1->i", [][]int{{3, 4}}, "not a letter"},
		// a label of size 0 summed in one operand: the others' product
		// would overflow
		{"zbjJK,wbjJK->b", [][]int{{0, 4, 1 << 30, 1 << 30, 4}, {0, 4, 1 << 30, 1 << 30, 4}}, "exceeds"},
	} {
		err := calcPlanErr(einsumModel(tc.eq, tc.shapes))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.eq, err, tc.want)
		}
	}
}

// TestEinsumNaN: 0·Inf in a contraction is NaN, as in MatMul.
func TestEinsumNaN(t *testing.T) {
	inf := float32(math.Inf(1))
	got := calcRun(t, einsumModel("i,i->", [][]int{{2}, {2}}), 1, []float32{0, 1}, []float32{inf, 2})[0]
	if !math.IsNaN(float64(got.F[0])) {
		t.Errorf("[0 1]·[Inf 2] = %v, want NaN", got.F[0])
	}
}

// TestEinsumAllocs: a batched product runs without allocating.
func TestEinsumAllocs(t *testing.T) {
	p := mustPlan(t, einsumModel("bhqd,bhkd->bhqk", [][]int{{1, 4, 16, 8}, {1, 4, 16, 8}}), 1)
	defer p.Close()
	if a := testing.AllocsPerRun(10, func() { _ = p.Run() }); a != 0 {
		t.Errorf("%v allocations a run", a)
	}
}
