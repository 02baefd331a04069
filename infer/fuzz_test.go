package infer

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader, and plans and runs what
// loads. Nothing may panic (a panic caught inside the engine is reported
// as errInternal and fails the fuzz test), allocate without bound, or fail
// at run time once a plan was built. The seed corpus in
// testdata/fuzz/FuzzLoad holds conformance models and mutations of them.
func FuzzLoad(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 9))
	model, _ := mlp(nil, r, 6, 5, 3)
	f.Add(model)
	g := newGB(13).input("x", -1, 3, 8, 8).output("y")
	g.initF("w", []int64{4, 3, 3, 3}, randF(r, 108))
	g.node("c", "Conv", []string{"x", "w"}, []string{"c"}, attrInts("pads", 1, 1, 1, 1))
	g.node("r", "Relu", []string{"c"}, []string{"y"})
	f.Add(g.bytes())
	f.Add(halfConvModel(randHalf(r, 108), randHalf(r, 4), true, false)) // FLOAT16 weights, Cast
	// the detectors' and transformers' operators
	f.Add(nmsModel(1, 2, 6, 3, 0.5, 0.1, 0))
	f.Add(topKModel([]int{2, 7}, 1, 3, true))
	f.Add(einsumModel("bij,bjk->bik", [][]int{{2, 3, 4}, {2, 4, 5}}))
	f.Add(einsumModel("ii->i", [][]int{{3, 3}}))
	sc := newGB(18).input("x", 2, 3).input("u", 2, 3).output("y").initI("i", []int64{2, 1}, []int64{1, 0})
	sc.node("s", "ScatterND", []string{"x", "i", "u"}, []string{"y"}, attrString("reduction", "add"))
	f.Add(sc.bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if err != nil {
			if errors.Is(err, errInternal) {
				t.Fatalf("load: %v", err)
			}
			return
		}
		consts := map[string]*Tensor{}
		for _, in := range m.Inputs {
			if in.DType != Float32 {
				n := 1
				shape := in.Shape(1)
				for _, d := range shape {
					n *= d
				}
				if n > 1<<16 {
					return
				}
				consts[in.Name] = NewTensor(in.DType, shape...)
			}
		}
		p, err := m.Plan(Options{Threads: 2, MaxBytes: 64 << 20, Consts: consts})
		if err != nil {
			if errors.Is(err, errInternal) {
				t.Fatalf("plan: %v", err)
			}
			return
		}
		defer p.Close()
		if err := p.Run(); err != nil {
			t.Fatalf("run of a built plan failed: %v", err)
		}
	})
}
