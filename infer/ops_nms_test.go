package infer

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// nmsRef is NonMaxSuppression written plainly: a stable sort by score,
// then each candidate against every box kept, the IoU in float32 as ONNX
// Runtime computes it (a pair at the threshold can fall either way in
// float64).
func nmsRef(boxes, scores []float32, batches, classes, n, maxOut int, iou, thr float32, center bool) []int64 {
	corner := func(b []float32) [4]float32 {
		if center {
			return [4]float32{b[0] - b[2]/2, b[1] - b[3]/2, b[0] + b[2]/2, b[1] + b[3]/2}
		}
		return [4]float32{min(b[1], b[3]), min(b[0], b[2]), max(b[1], b[3]), max(b[0], b[2])}
	}
	var out []int64
	for b := 0; b < batches; b++ {
		for c := 0; c < classes; c++ {
			s := scores[(b*classes+c)*n : (b*classes+c+1)*n]
			var order []int
			for i := range s {
				if s[i] > thr {
					order = append(order, i)
				}
			}
			sort.SliceStable(order, func(x, y int) bool { return s[order[x]] > s[order[y]] })
			var kept []int
			for _, i := range order {
				if len(kept) == maxOut {
					break
				}
				a := corner(boxes[(b*n+i)*4:])
				ok := true
				for _, j := range kept {
					o := corner(boxes[(b*n+j)*4:])
					w := min(a[2], o[2]) - max(a[0], o[0])
					h := min(a[3], o[3]) - max(a[1], o[1])
					if w <= 0 || h <= 0 {
						continue
					}
					inter := w * h
					if inter/((a[2]-a[0])*(a[3]-a[1])+(o[2]-o[0])*(o[3]-o[1])-inter) > iou {
						ok = false
						break
					}
				}
				if ok {
					kept = append(kept, i)
					out = append(out, int64(b), int64(c), int64(i))
				}
			}
		}
	}
	return out
}

func nmsModel(batches, classes, n, maxOut int, iou, thr float32, center int64) []byte {
	g := newGB(11).input("boxes", int64(batches), int64(n), 4).input("scores", int64(batches), int64(classes), int64(n)).output("sel").
		initI("max", []int64{1}, []int64{int64(maxOut)}).initF("iou", []int64{1}, []float32{iou}).initF("thr", []int64{1}, []float32{thr})
	g.node("nms", "NonMaxSuppression", []string{"boxes", "scores", "max", "iou", "thr"}, []string{"sel"}, attrInt("center_point_box", center))
	return g.bytes()
}

// TestNMS: against the plain reference on random clusters of boxes (many
// overlaps, corners given in either order, or as centres), 2 images × 3
// classes, with and without a cap on the boxes kept; the output's rows
// change from run to run with the inputs, without allocating.
func TestNMS(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const batches, classes, n = 2, 3, 40
	for _, center := range []int64{0, 1} {
		for _, maxOut := range []int{4, n} {
			p := mustPlan(t, nmsModel(batches, classes, n, maxOut, 0.45, 0.2, center), 1)
			for run := 0; run < 4; run++ {
				boxes := make([]float32, batches*n*4)
				for i := 0; i < batches*n; i++ {
					cx, cy := float32(r.IntN(3))*10+r.Float32()*4, float32(r.IntN(3))*10+r.Float32()*4
					w, h := 3+r.Float32()*5, 3+r.Float32()*5
					b := boxes[i*4 : i*4+4]
					if center == 1 {
						b[0], b[1], b[2], b[3] = cx, cy, w, h
					} else if r.IntN(2) == 0 {
						b[0], b[1], b[2], b[3] = cy-h/2, cx-w/2, cy+h/2, cx+w/2
					} else {
						b[0], b[1], b[2], b[3] = cy+h/2, cx+w/2, cy-h/2, cx-w/2 // flipped corners
					}
				}
				scores := make([]float32, batches*classes*n)
				for i := range scores {
					scores[i] = float32(r.IntN(50)) / 50 // ties
				}
				want := nmsRef(boxes, scores, batches, classes, n, maxOut, 0.45, 0.2, center == 1)
				if err := p.SetInput(0, boxes); err != nil {
					t.Fatal(err)
				}
				if err := p.SetInput(1, scores); err != nil {
					t.Fatal(err)
				}
				if err := p.Run(); err != nil {
					t.Fatal(err)
				}
				got := p.Output(0)
				if got.DType != Int64 || !slices.Equal(got.Shape, []int{len(want) / 3, 3}) || !slices.Equal(got.I, want) {
					t.Fatalf("center %d max %d run %d: %v %v, want %v", center, maxOut, run, got.Shape, got.I, want)
				}
				if run == 3 {
					if a := testing.AllocsPerRun(5, func() { _ = p.Run() }); a != 0 {
						t.Errorf("%v allocations a run", a)
					}
				}
			}
			p.Close()
		}
	}
}

// TestNMSRefusals: a node reading the selection at run time (its data,
// or its shape, whose row count the plan does not know), an IoU
// threshold outside [0, 1] or NaN, boxes of the wrong shape and a
// selection too costly to run are refused when the plan is built; no cap
// selects nothing, and before the first run the output has no rows.
func TestNMSRefusals(t *testing.T) {
	reader := func(op string, attrs ...[]byte) []byte {
		g := newGB(11).input("boxes", 1, 5, 4).input("scores", 1, 1, 5).output("y").initI("max", []int64{1}, []int64{2})
		g.node("nms", "NonMaxSuppression", []string{"boxes", "scores", "max"}, []string{"sel"})
		g.node("c", op, []string{"sel"}, []string{"y"}, attrs...)
		return g.bytes()
	}
	for _, tc := range []struct {
		model []byte
		want  string
	}{
		{reader("Cast", attrInt("to", 1)), `"c"`},
		{reader("Shape"), "known only at run time"},
		{reader("Size"), "known only at run time"},
		{nmsModel(1, 1, 5, 2, 1.5, 0, 0), "out of [0, 1]"},
		{nmsModel(1, 1, 5, 2, float32(math.NaN()), 0, 0), "out of [0, 1]"},
		{nmsModel(1, 1000, 100000, 100, 0.5, 0, 0), "box comparisons a run"},
		{newGB(11).input("boxes", 1, 5, 3).input("scores", 1, 1, 5).output("sel").
			node("nms", "NonMaxSuppression", []string{"boxes", "scores"}, []string{"sel"}).bytes(), "want [batches, boxes, 4]"},
	} {
		err := calcPlanErr(tc.model)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want an error with %s", err, tc.want)
		}
	}
	out := calcRun(t, newGB(11).input("boxes", 1, 2, 4).input("scores", 1, 1, 2).output("sel").
		node("nms", "NonMaxSuppression", []string{"boxes", "scores"}, []string{"sel"}).bytes(), 1,
		[]float32{0, 0, 1, 1, 2, 2, 3, 3}, []float32{0.9, 0.8})
	if !slices.Equal(out[0].Shape, []int{0, 3}) {
		t.Errorf("no max_output_boxes_per_class: shape %v, want [0 3]", out[0].Shape)
	}
	p := mustPlan(t, nmsModel(1, 2, 5, 3, 0.5, 0, 0), 1)
	defer p.Close()
	if o := p.Output(0); !slices.Equal(o.Shape, []int{0, 3}) || len(o.I) != 0 {
		t.Errorf("before the first run: shape %v, %d values; want [0 3], none", o.Shape, len(o.I))
	}
}
