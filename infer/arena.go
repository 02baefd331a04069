package infer

import (
	"fmt"
	"sort"
)

// Placing every intermediate tensor in one arena by liveness.

// arenaAlign keeps every tensor 64-byte aligned within the arena.
const arenaAlign = 16

// slotGuard is how many floats of the scratch are left unused after each
// thread's slot (and after the part the threads share, before the first
// slot): 16 KiB. A core streaming through its slot has its hardware
// prefetchers fetch lines past the slot's end, and where another thread's
// slot begins there, that thread's stores then wait for the lines to come
// back from the first core. resnet18's 7×7 stem at 224² on two threads
// (AMD Zen 5), each unit's conv kernel: the second slot's thread took
// 6.6–7.6 µs a unit against the first's 4.8–5.0 while both ran (and 5.5
// once the first was done); with the slots swapped, the slowness went
// with the slot. Guards of 16–256 floats changed nothing, 1024 halved the
// gap, 4096 closed it: 0.89 → 0.77 ms a layer.
const slotGuard = 4096

// slotStride is the distance between two threads' slots of n floats: n
// rounded up to whole cache lines, then the guard.
func slotStride(n int) int { return roundUp(n, arenaAlign) + slotGuard }

// slotsAt is where the threads' slots start after a shared part of n
// floats (0: at the start).
func slotsAt(n int) int {
	if n <= 0 {
		return 0
	}
	return slotStride(n)
}

// allocate places runtime tensors in one arena by liveness and binds them.
func (p *Plan) allocate() error {
	for _, n := range p.steps {
		if pr, ok := n.k.(preparer); ok {
			if err := pr.prepare(p.threads); err != nil {
				return fmt.Errorf("%v: %w", n, err)
			}
		}
	}
	end := len(p.steps)
	var roots []*value
	seen := map[*value]bool{}
	touch := func(v *value, step int) {
		if v == nil || v.isConst || v.dtype.isInt() { // int64 and bool values (intOutputs) have storage of their own
			return
		}
		r := v.root()
		if !seen[r] {
			seen[r] = true
			r.first, r.last = step, step
			roots = append(roots, r)
		}
		r.first = min(r.first, step)
		r.last = max(r.last, step)
	}
	for _, v := range p.inputs {
		touch(v, -1)
		touch(v, end)
	}
	for i, n := range p.steps {
		for _, v := range n.in {
			touch(v, i)
		}
		for _, v := range n.out {
			touch(v, i)
		}
	}
	for _, v := range p.outputs {
		touch(v, end)
	}
	sort.SliceStable(roots, func(i, j int) bool { return numel(roots[i].shape) > numel(roots[j].shape) })
	type span struct{ off, end, first, last int }
	var placed []span
	total := 0
	for _, r := range roots {
		size := (numel(r.shape) + arenaAlign - 1) / arenaAlign * arenaAlign
		var clash []span
		for _, s := range placed {
			if s.first <= r.last && r.first <= s.last {
				clash = append(clash, s)
			}
		}
		sort.Slice(clash, func(i, j int) bool { return clash[i].off < clash[j].off })
		off := 0
		for _, s := range clash {
			if off+size <= s.off {
				break
			}
			off = max(off, s.end)
		}
		r.off = off
		placed = append(placed, span{off, off + size, r.first, r.last})
		total = max(total, off+size)
	}
	scratch := 0
	for _, n := range p.steps {
		if sc, ok := n.k.(scratcher); ok {
			scratch = max(scratch, sc.scratchLen(p.threads))
		}
	}
	ints := int64(0)
	for _, n := range p.steps {
		for _, v := range n.out {
			if v != nil && !v.isConst && v.dtype.isInt() {
				ints += 8 * int64(numel(v.shape))
			}
		}
	}
	if err := p.spend(4*int64(total+scratch) + ints); err != nil {
		return err
	}
	p.arena = make([]float32, total)
	bind := func(v *value) {
		if v == nil || v.isConst {
			return
		}
		if v.dtype.isInt() {
			v.t = &Tensor{DType: v.dtype, Shape: v.shape, I: make([]int64, numel(v.shape))}
			if v.runRows { // no rows until the step has run; the storage holds the most
				v.t.Shape = append([]int{0}, v.shape[1:]...)
				v.t.I = v.t.I[:0]
			}
			return
		}
		r, o := v.rootOff()
		n := numel(v.shape)
		v.t = &Tensor{DType: Float32, Shape: v.shape, F: p.arena[r.off+o : r.off+o+n : r.off+o+n]}
	}
	for _, v := range p.inputs {
		bind(v)
	}
	for _, n := range p.steps {
		for _, v := range n.out {
			bind(v)
		}
	}
	p.scratch = make([]float32, scratch)
	for _, n := range p.steps {
		if sc, ok := n.k.(scratcher); ok {
			sc.setScratch(p.scratch)
		}
	}
	return nil
}
