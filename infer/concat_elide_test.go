package infer

import (
	"math/rand/v2"
	"testing"
)

// TestConcatElided: a fire module (squeeze, two expands, Concat on the
// channels, then a consumer) with batch 1 writes the expands straight into
// the Concat's output, which then runs no step, and gives exactly what the
// copying Concat gives; with batch 2 (blocks no longer contiguous), a part
// that is also a graph output, or graph inputs as the parts, it copies.
func TestConcatElided(t *testing.T) {
	for _, tc := range []struct {
		name        string
		batch       int
		reuse, feed bool
		elide       bool
	}{
		{"fire module", 1, false, false, true},
		{"batch 2", 2, false, false, false},
		{"part also a graph output", 1, true, false, false},
		{"graph input part", 1, false, true, false},
	} {
		r := rand.New(rand.NewPCG(9, uint64(len(tc.name))))
		g := newGB(13).input("x", -1, 8, 9, 9).output("y")
		if tc.reuse {
			g.output("e1")
		}
		g.initF("Ws", []int64{4, 8, 1, 1}, randF(r, 32))
		g.initF("W1", []int64{6, 4, 1, 1}, randF(r, 24))
		g.initF("W3", []int64{6, 4, 3, 3}, randF(r, 216))
		g.initF("Wn", []int64{5, 12, 1, 1}, randF(r, 60))
		g.node("sq", "Conv", []string{"x", "Ws"}, []string{"s"}, attrInts("kernel_shape", 1, 1))
		g.node("r0", "Relu", []string{"s"}, []string{"sr"})
		g.node("e1", "Conv", []string{"sr", "W1"}, []string{"e1"}, attrInts("kernel_shape", 1, 1))
		g.node("e3", "Conv", []string{"sr", "W3"}, []string{"e3"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
		g.node("cat", "Concat", []string{"e1", "e3"}, []string{"c"}, attrInt("axis", 1))
		g.node("next", "Conv", []string{"c", "Wn"}, []string{"y"}, attrInts("kernel_shape", 1, 1))
		if tc.feed { // a Concat of a graph input and a computed part
			g = newGB(13).input("x", -1, 8, 9, 9).input("z", -1, 4, 9, 9).output("y")
			g.initF("Wn", []int64{5, 12, 1, 1}, randF(r, 60))
			g.node("cat", "Concat", []string{"x", "z"}, []string{"c"}, attrInt("axis", 1))
			g.node("next", "Conv", []string{"c", "Wn"}, []string{"y"}, attrInts("kernel_shape", 1, 1))
		}
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x := randF(r, tc.batch*8*81)
		z := randF(r, tc.batch*4*81)
		run := func(off bool) ([]float32, bool) {
			concatElisionOff = off
			defer func() { concatElisionOff = false }()
			p, err := m.Plan(Options{Threads: 2, Batch: tc.batch})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if tc.feed {
				if err := p.SetInput(1, z); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			elided := false
			for _, s := range p.steps {
				if _, ok := s.k.(alias); ok && s.op == "Concat" {
					elided = true
				}
			}
			return append([]float32(nil), p.Output(0).F...), elided
		}
		got, elided := run(false)
		want, _ := run(true)
		if elided != tc.elide {
			t.Errorf("%s: Concat elided %v, want %v", tc.name, elided, tc.elide)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: y[%d] = %v, with the copy %v", tc.name, i, got[i], want[i])
			}
		}
	}
}
