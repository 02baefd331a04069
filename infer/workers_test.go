package infer

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolNoLostTasks starts and drives thousands of pools: a task handed
// to a worker that has not started yet, or one that is parking, must still
// run (a lost one hangs the loop).
func TestPoolNoLostTasks(t *testing.T) {
	for _, threads := range []int{2, 3, 4} {
		for i := 0; i < 1000; i++ {
			p := newWorkers(threads)
			p.owned = i%3 == 1
			var sum atomic.Int64
			done := make(chan struct{})
			go func() {
				for r := 0; r < 3; r++ {
					p.begin()
					p.parallel(100, 1, func(lo, hi int) { sum.Add(int64(hi - lo)) })
					p.parallelChunks(7, 1, func(c, lo, hi int) { sum.Add(int64(hi - lo)) })
					p.end()
					if i%2 == 0 {
						time.Sleep(time.Microsecond)
					}
				}
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(time.Minute): // generous: qemu on a loaded machine is slow
				t.Fatalf("threads %d iteration %d: hang", threads, i)
			}
			if sum.Load() != 3*107 {
				t.Fatalf("sum %d", sum.Load())
			}
			p.close()
		}
	}
}

// TestPoolRevokesUnstartedHelpers: with one OS thread for all goroutines,
// the helpers rarely start before the caller has drained a loop alone;
// their tasks are then revoked instead of waited for, every item still
// runs exactly once, and a helper that wakes late runs nothing of a loop
// already done (the sums would show it).
func TestPoolRevokesUnstartedHelpers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	p := newWorkers(3)
	defer p.close()
	var sum atomic.Int64
	p.begin()
	for i := 0; i < 2000; i++ {
		p.owned = i%2 == 1
		p.parallel(40, 1, func(lo, hi int) { sum.Add(int64(hi - lo)) })
		p.parallelChunks(9, 1, func(c, lo, hi int) {
			if c < 0 || c >= 3 {
				t.Errorf("participant %d", c)
			}
			sum.Add(int64(hi - lo))
		})
	}
	p.end()
	if got := sum.Load(); got != 2000*49 {
		t.Fatalf("sum %d, want %d", got, 2000*49)
	}
	if p.revoked == 0 {
		t.Errorf("no task was revoked with one thread for three participants")
	}
}

// TestPoolOwnedShares: with owned shares each participant takes its own
// run of a loop's pieces first, from its front, and the others' from
// their backs once its own are done; every piece runs once.
func TestPoolOwnedShares(t *testing.T) {
	p := newWorkers(2)
	defer p.close()
	p.owned = true
	p.begin()
	defer p.end()
	for r := 0; r < 5; r++ {
		var mu sync.Mutex
		var order [2][]int
		p.parallelChunks(8, 1, func(c, lo, hi int) {
			mu.Lock()
			order[c] = append(order[c], lo)
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		})
		seen := map[int]bool{}
		for _, o := range order {
			for _, i := range o {
				if seen[i] {
					t.Fatalf("run %d: piece %d twice: %v", r, i, order)
				}
				seen[i] = true
			}
		}
		if len(seen) != 8 {
			t.Fatalf("run %d: pieces %v", r, order)
		}
		// the caller's own run [0, 4) first, in order; the helper's [4, 8)
		own := func(c int, o []int) {
			for k, i := range o {
				lo, hi := 4*c, 4*c+4
				if i < lo || i >= hi {
					// a steal: only after its own run, from the other's back
					for _, j := range o[k:] {
						if j >= lo && j < hi {
							t.Errorf("run %d: participant %d took %d after stealing: %v", r, c, j, order)
						}
					}
					return
				}
				if i != lo+k {
					t.Errorf("run %d: participant %d took its own pieces out of order: %v", r, c, order)
				}
			}
		}
		own(0, order[0])
		own(1, order[1])
		if len(order[0]) == 0 || order[0][0] != 0 {
			t.Errorf("run %d: the caller did not start with piece 0: %v", r, order)
		}
		t.Logf("run %d: caller %v, helper %v", r, order[0], order[1])
	}
}

// TestTuneThreads: with TuneThreads a small network's plan is timed on
// its threads against one and keeps one of the two, giving the same
// output either way; a network above TuneFLOPs, or without the option,
// keeps the threads asked for.
func TestTuneThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	small := func() []byte {
		g := newGB(13).input("x", 1, 8, 20, 20).output("y")
		g.initF("W", []int64{16, 8, 3, 3}, randF(r, 16*8*9)).initF("B", []int64{16}, randF(r, 16))
		g.node("c", "Conv", []string{"x", "W", "B"}, []string{"y"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
		return g.bytes()
	}()
	m, err := Load(small)
	if err != nil {
		t.Fatal(err)
	}
	x := randF(r, 8*20*20)
	var outs [][]float32
	for _, tune := range []bool{false, true} {
		p, err := m.Plan(Options{Threads: 3, TuneThreads: tune})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Threads(); !tune && got != 3 || tune && got != 1 && got != 3 {
			t.Errorf("TuneThreads %v: %d threads", tune, got)
		}
		if err := p.SetInput(0, x); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, append([]float32(nil), p.Output(0).F...))
		p.Close()
	}
	closeTo(t, "tuned", outs[1], outs[0], 1e-5)
	big := func() []byte {
		g := newGB(13).input("x", 1, 64, 64, 64).output("y")
		g.initF("W", []int64{128, 64, 3, 3}, randF(r, 128*64*9)).initF("B", []int64{128}, randF(r, 128))
		g.node("c", "Conv", []string{"x", "W", "B"}, []string{"y"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
		return g.bytes()
	}()
	if m, err = Load(big); err != nil {
		t.Fatal(err)
	}
	p, err := m.Plan(Options{Threads: 2, TuneThreads: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.FLOPs() < TuneFLOPs || p.Threads() != 2 {
		t.Errorf("%d FLOPs: %d threads, want the 2 asked for, untimed", p.FLOPs(), p.Threads())
	}
	// below TuneSharesFLOPs the shares were timed; either way the same
	// output, bit for bit
	if p.FLOPs() >= TuneSharesFLOPs {
		t.Fatalf("%d FLOPs: not below TuneSharesFLOPs", p.FLOPs())
	}
	t.Logf("owned shares: %v", p.OwnedShares())
	x = randF(r, 64*64*64)
	outs = outs[:0]
	for _, owned := range []bool{false, true} {
		p.pool.owned = owned
		if err := p.SetInput(0, x); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, append([]float32(nil), p.Output(0).F...))
	}
	for i := range outs[0] {
		if outs[0][i] != outs[1][i] {
			t.Fatalf("owned shares: output %d is %v, free pieces %v", i, outs[1][i], outs[0][i])
		}
	}
}

// TestPieces: piecesPerThread pieces a thread, of at least grain items,
// but a piece per grain items in loops of at most fineItems a thread.
func TestPieces(t *testing.T) {
	for _, c := range []struct{ total, grain, threads, want int }{
		{21, 1, 2, 21},
		{32, 1, 2, 32},
		{33, 1, 2, 8},
		{32, 8, 2, 4},
		{1000, 1, 4, 16},
		{1000, 200, 4, 5},
		{3, 1, 4, 3},
	} {
		if got := pieces(c.total, c.grain, c.threads); got != c.want {
			t.Errorf("pieces(%d, %d, %d) = %d, want %d", c.total, c.grain, c.threads, got, c.want)
		}
	}
}

// adaptRuns runs a through runs [from, to), run r taking cost(r, solo),
// and returns the runs that went alone.
func adaptRuns(a *adaptive, from, to int, cost func(r int, solo bool) time.Duration) (solos []int) {
	for r := from; r < to; r++ {
		s := a.next()
		if s {
			solos = append(solos, r)
		}
		a.record(s, cost(r, s))
	}
	return solos
}

// between returns the runs [from, to) not in runs.
func between(from, to int, runs []int) (rest []int) {
	for r := from; r < to; r++ {
		if !slices.Contains(runs, r) {
			rest = append(rest, r)
		}
	}
	return rest
}

// TestAdaptive: the runs go the faster way, the other tried (two runs,
// the second judged) 32 runs after the start, then 64, 128 and 256 runs
// after the last try while it stays slower; a change of which way is
// faster is followed from the next try, or at once when the way in use
// has been slower for nine runs; a few slow runs change nothing.
func TestAdaptive(t *testing.T) {
	ways := func(solo, all time.Duration) func(int, bool) time.Duration {
		return func(_ int, s bool) time.Duration {
			if s {
				return solo
			}
			return all
		}
	}
	ms := time.Millisecond
	var a adaptive
	solos := adaptRuns(&a, 1, 1001, ways(10*ms, 5*ms))
	if want := []int{32, 33, 97, 98, 226, 227, 483, 484, 740, 741, 997, 998}; !slices.Equal(solos, want) {
		t.Errorf("all threads faster: runs alone %v, want %v", solos, want)
	}
	// now the caller alone is faster: from the next try (runs 1254 and
	// 1255) the runs go alone, but for tries of all threads after 32,
	// 64, … runs
	solos = adaptRuns(&a, 1001, 2001, ways(5*ms, 10*ms))
	all := between(1001, 2001, solos)
	if want := []int{1287, 1288, 1352, 1353, 1481, 1482, 1738, 1739, 1995, 1996}; len(all) < 253 ||
		all[252] != 1253 || !slices.Equal(all[253:], want) {
		t.Errorf("alone faster: runs with all threads %v…, want up to 1253, then %v", all[min(len(all), 245):], want)
	}
	// one slow run with all threads (the guest paused: 45 ms for 5), or
	// three, change nothing; nine in a row (a load on the helper's core)
	// bring a try alone at once, which sends the runs alone, and a try of
	// all threads 64 runs on, the load gone, brings them back
	slow := func(from, to int) func(int, bool) time.Duration {
		return func(r int, s bool) time.Duration {
			switch {
			case s:
				return 10 * ms
			case r >= from && r < to:
				return 45 * ms
			}
			return 5 * ms
		}
	}
	tries := []int{32, 33, 97, 98, 226, 227, 483, 484}
	for _, n := range []int{1, 3} {
		var c adaptive
		if solos := adaptRuns(&c, 1, 700, slow(300, 300+n)); !slices.Equal(solos, tries) {
			t.Errorf("after %d slow runs: runs alone %v, want %v", n, solos, tries)
		}
	}
	var d adaptive
	want := []int{32, 33, 97, 98, 226, 227}
	for r := 309; r < 407; r++ {
		if r != 342 && r != 343 { // a try of all threads, the load still on
			want = append(want, r)
		}
	}
	want = append(want, 440, 441, 505, 506, 634, 635)
	if solos := adaptRuns(&d, 1, 700, slow(300, 400)); !slices.Equal(solos, want) {
		t.Errorf("a load from run 300 to 399: runs alone %v, want %v", solos, want)
	}
	// within 5% of each other: all threads
	var b adaptive
	if solos, want := adaptRuns(&b, 1, 200, ways(98*time.Microsecond, 100*time.Microsecond)), []int{32, 33, 97, 98}; !slices.Equal(solos, want) {
		t.Errorf("alone 2%% faster: runs alone %v, want %v", solos, want)
	}
	// the first run of a try is not judged: slow (the data moving), the
	// second decides
	var e adaptive
	first := func(r int, s bool) time.Duration {
		switch {
		case s && r == 32:
			return 20 * ms
		case s:
			return 5 * ms
		}
		return 10 * ms
	}
	if solos := adaptRuns(&e, 1, 40, first); !slices.Equal(solos, []int{32, 33, 34, 35, 36, 37, 38, 39}) {
		t.Errorf("a try's slow first run: runs alone %v, want 32 on", solos)
	}
	// after a change the way left is judged by its own runs, not by the
	// try that won: solo runs of 5 ms after a try of 4.5 bring no try of
	// all threads (10 ms) before its turn
	var g adaptive
	lucky := func(r int, s bool) time.Duration {
		switch {
		case s && r == 32:
			return 20 * ms
		case s && r == 33:
			return 4500 * time.Microsecond
		case s:
			return 5 * ms
		}
		return 10 * ms
	}
	if all := between(34, 100, adaptRuns(&g, 1, 100, lucky)); !slices.Equal(all, []int{65, 66}) {
		t.Errorf("after a lucky try: runs with all threads %v, want [65 66]", all)
	}
	// a run the other way that next did not choose (adaptOff) is not
	// counted: the tries come as before
	var f adaptive
	faster := ways(10*ms, 5*ms)
	solos = adaptRuns(&f, 1, 11, faster)
	f.record(true, ms)
	if solos = append(solos, adaptRuns(&f, 11, 200, faster)...); !slices.Equal(solos, []int{32, 33, 97, 98}) {
		t.Errorf("after a run alone outside a try: runs alone %v, want [32 33 97 98]", solos)
	}
	if n := testing.AllocsPerRun(300, func() { e.record(e.next(), ms) }); n != 0 {
		t.Errorf("%v allocations a run", n)
	}
}

// TestPlanSoloRun: a run of a 2-thread plan that adaptive keeps to the
// caller posts no task and gives the same output bit for bit.
func TestPlanSoloRun(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	g := newGB(13).input("x", 1, 16, 40, 36).output("y")
	g.initF("W", []int64{24, 16, 3, 3}, randF(r, 24*16*9))
	g.node("conv", "Conv", []string{"x", "W"}, []string{"c"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
	g.node("relu", "Relu", []string{"c"}, []string{"y"})
	p := mustPlan(t, g.bytes(), 2)
	defer p.Close()
	if err := p.SetInput(0, randF(r, 16*40*36)); err != nil {
		t.Fatal(err)
	}
	posts := func() (n uint64) {
		for _, w := range p.pool.workers {
			n += w.seq
		}
		return n
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	want := append([]float32(nil), p.Output(0).F...)
	if posts() == 0 {
		t.Fatal("a run with all threads posted no task")
	}
	p.pool.adapt.change() // alone
	before := posts()
	clear(p.Output(0).F)
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if posts() != before {
		t.Errorf("a run alone posted %d tasks", posts()-before)
	}
	if p.RunsAlone() != 1 {
		t.Errorf("RunsAlone %d, want 1", p.RunsAlone())
	}
	adaptOff = true
	err := p.Run()
	adaptOff = false
	if err != nil {
		t.Fatal(err)
	}
	if posts() == before {
		t.Error("with adaptOff a run went alone")
	}
	for i, v := range p.Output(0).F {
		if math.Float32bits(v) != math.Float32bits(want[i]) {
			t.Fatalf("output %d: %v alone, %v with all threads", i, v, want[i])
		}
	}
}
