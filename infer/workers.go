package infer

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// workers runs the chunks of a parallel loop on a fixed set of worker
// goroutines started with the plan. Dispatching allocates nothing: the
// loop body is a method value built when the plan was made.
//
// A run of a small network is a few dozen parallel loops of tens of
// microseconds each, back to back. Waking a parked goroutine costs about
// as much as one of them, so while a Run is in progress (between begin
// and end) idle workers spin on their task counter instead of parking,
// for at most spinFor after their last task; outside a Run they park at
// once and cost nothing. The caller likewise spins while it waits for
// the chunks it handed out, yielding its thread now and then so that a
// worker without a thread of its own can still run. A run goes on all
// the threads or on the caller alone, whichever has been faster lately
// (adaptive).
type workers struct {
	n       int
	workers []*worker
	hot     atomic.Bool  // a Run is in progress: idle workers spin
	pending atomic.Int32 // participants of the current loop still running
	mu      sync.Mutex
	err     error

	// The current loop: [0, total) in parts pieces of per items, taken in
	// turn by whichever participant is free, from spans[0]; or, owned,
	// each participant c owning a run of them in order (spans[c]), taking
	// its own from the front and then what is left of the others' from
	// their backs. Written before the workers are handed the loop, read by
	// them after.
	total, per, parts int
	spans             []span
	sharers           int // spans in use: 1, or the loop's participants when owned

	// owned (the default): each participant takes its own share of a
	// loop first, so that it mostly computes the same share of each
	// layer, the data its core wrote in the layer before (reading another
	// core's cache costs several times more). Changed between runs only
	// (Model.Plan's timing).
	owned bool

	revoked int // tasks revoked before a helper took them (the caller's count, for tests)

	// solo: the current run is the caller's alone (adapt chose it at
	// begin); its loops post no tasks.
	solo     bool
	adapt    adaptive
	runStart time.Time
	alone    int // runs that went on the caller alone
}

// adaptive chooses, run by run, whether a plan's run uses all its threads
// or the caller's alone, trying the other way now and then: after
// adaptEvery runs, then twice as many each time the try leaves the choice
// as it was, up to adaptMostEvery (back to adaptEvery whenever the choice
// changes). When a helper's core is shared with another busy process, the
// helper gets its CPU in time slices of milliseconds and a loop waits for
// a piece it took before it was descheduled: resnet18_112 at 2 threads,
// with a spinning loop pinned to the second CPU, took 8.2–10.9 ms against
// 7.05 on one thread (AMD Zen 5). The results do not depend on it: each
// unit computes the same sums whichever participant runs it.
//
// A try is two runs the other way, judged by the second (the first also
// moves the work's data to the other way's cores and wakes the helpers:
// Koch's branch at 2 threads, 0.50 ms runs, took 0.65 ms just after 32
// runs alone), and the way in use by the fastest of its last adaptRecent
// runs: the try has to beat that by 5% to take over. When all of those
// runs are 5% slower than the other way's last try, the other is tried at
// once. A few slow runs (the host pausing the guest: Koch's had three
// of 0.8–2.2 ms among its 0.5 ms runs) then change nothing; with a
// moving average of the runs and one-run tries, 34–147 of 300 runs of
// Koch's at 2 threads on an idle machine went alone (0.70 ms against
// 0.50).
type adaptive struct {
	solo   bool                       // the way in use: the caller alone
	recent [adaptRecent]time.Duration // its last runs (a ring; n of them)
	n, at  int
	since  int           // its runs since the last try
	other  time.Duration // the other way's last try, or its fastest recent run when it was left; 0: none
	every  int           // runs between tries
	left   int           // runs before the next try
	trying int           // runs of the current try still to come (0: none)
}

// adaptEvery and adaptMostEvery bound the runs between two tries of the
// way not in use; adaptRecent is how many of the way in use's runs judge
// it.
const (
	adaptEvery     = 32
	adaptMostEvery = 256
	adaptRecent    = 9
)

// adaptOff keeps every run on all threads.
var adaptOff = false

// best is the fastest of the way in use's recent runs (0 if none).
func (a *adaptive) best() time.Duration {
	if a.n == 0 {
		return 0
	}
	return slices.Min(a.recent[:a.n])
}

// faster says whether d is 5% faster than m.
func faster(d, m time.Duration) bool { return d > 0 && d*20 < m*19 }

// next says whether the next run is to be the caller's alone.
func (a *adaptive) next() bool {
	if a.every == 0 {
		a.every, a.left = adaptEvery, adaptEvery
	}
	if a.trying == 0 {
		if a.left--; a.left <= 0 {
			a.trying = 2
		}
	}
	return a.solo != (a.trying > 0)
}

// record takes the time d of the run next chose (solo: the caller's
// alone). A run the other way outside a try (one that did not ask next:
// adaptOff) is not counted.
func (a *adaptive) record(solo bool, d time.Duration) {
	if solo != a.solo { // a run of a try
		if a.trying <= 0 {
			return
		}
		if a.trying--; a.trying > 0 {
			return // its first run: the data moves
		}
		a.other, a.since = max(d, 1), 0
		if faster(a.other, a.best()) {
			a.change()
		} else {
			a.every = min(2*a.every, adaptMostEvery)
			a.left = a.every
		}
		return
	}
	a.recent[a.at] = max(d, 1)
	a.at = (a.at + 1) % adaptRecent
	a.n = min(a.n+1, adaptRecent)
	if a.since++; a.since >= adaptRecent && a.trying == 0 && faster(a.other, a.best()) {
		a.left = 1 // slower than the other way was: try it now
	}
}

// change takes the other way, its last try (if any) its first run, and
// the way left judged by the fastest of its recent runs; tries of the way
// left come after adaptEvery runs again.
func (a *adaptive) change() {
	left := a.best()
	a.solo = !a.solo
	a.n, a.at = 0, 0
	if a.other > 0 {
		a.recent[0], a.n, a.at = a.other, 1, 1
	}
	a.other = left
	a.every, a.left, a.trying = adaptEvery, adaptEvery, 0
}

// span is a run of pieces [front, back) in one word, taken from either
// end by compare-and-swap.
type span struct {
	v atomic.Uint64 // front << 32 | back
	_ [56]byte      // one cache line each
}

func (s *span) set(front, back int) { s.v.Store(uint64(front)<<32 | uint64(back)) }

// take returns the front piece (back false) or the back one, or false
// when none is left.
func (s *span) take(back bool) (int, bool) {
	for {
		v := s.v.Load()
		f, b := v>>32, v&(1<<32-1)
		if f >= b {
			return 0, false
		}
		n, i := (f+1)<<32|b, f
		if back {
			n, i = f<<32|(b-1), b-1
		}
		if s.v.CompareAndSwap(v, n) {
			return int(i), true
		}
	}
}

// piecesPerThread is how many pieces a loop is cut into per thread: a
// participant that is slowed down (its core busy with another process)
// then holds up the loop by at most a piece, not by a whole share.
const piecesPerThread = 4

// fineItems: a loop of at most fineItems items per thread (a layer's few
// large units) is cut into one piece per grain items, so that the
// threads' shares differ by at most one piece of grain items (one unit
// in the loops of units, whose grain is 1). Koch's 7×7 layer at 2
// threads, 21 units of two pooled rows, went to the threads as 9 and 12
// units (pieces of 3); whole runs at 2 threads, both ways in one process
// alternated (AMD Zen 5): Koch's branch 0.552 → 0.517 and 0.547 → 0.517
// ms, squeezenet1_1_224 3.50 → 3.40, mobilenet_v2_224 3.81 → 3.76,
// faces, mobilefacenet, resnet18 within 1% (squeezenet1_1_112 0.4–1.4%
// slower).
const fineItems = 16

// pieces is how many pieces split cuts a loop of total items into, of at
// least grain items each, for threads participants.
func pieces(total, grain, threads int) int {
	most := (total + grain - 1) / max(grain, 1)
	if total <= fineItems*threads {
		return most
	}
	return min(threads*piecesPerThread, most)
}

// worker is the mailbox of one of the goroutines. A task is published by
// writing t and then adding 2 to state; the worker runs it when it sees
// the count change. The low bit of state says the worker is parked (or about
// to be) on wake. Count and bit share one word, changed only by atomic
// read-modify-writes, so a worker that parks and a publisher that adds a
// task cannot miss each other: either the worker's compare-and-swap sees
// the new count and it does not park, or the publisher's add sees the bit
// and it sends a token. (Two separate flags, each stored and then the
// other loaded, need the store-load ordering that qemu-user's arm64
// emulation was seen to lose, hanging a run.)
//
// A posted task is also claimed before it runs: claim holds the post's
// sequence number << 2, and the worker sets its taken bit (1) by a
// compare-and-swap before it reads t, while the caller, once it has
// drained the loop itself, sets the revoked bit (2) of any helper that has
// not taken its task yet and counts it as done. A helper whose thread the
// OS has descheduled (its core busy with another process) then no longer
// holds up the loop by a time slice: the caller does not wait for it to
// wake up only to find no pieces left.
type worker struct {
	state atomic.Uint64 // task count << 1 | parked
	claim atomic.Uint64 // post sequence << 2 | revoked(2) | taken(1)
	wake  chan struct{} // capacity 1: a token for a parked worker
	t     task
	seq   uint64 // posts so far (the caller's)
	quit  atomic.Bool
	_     [64]byte // keep mailboxes on separate cache lines
}

type task struct {
	fn  func(lo, hi int)
	fnc func(c, lo, hi int)
	c   int // the participant
}

// spinFor bounds how long an idle worker spins during a Run before it
// parks; a gap between two parallel loops of a run is far shorter.
const spinFor = 200 * time.Microsecond

func newWorkers(n int) *workers {
	p := &workers{n: n, spans: make([]span, max(1, n)), owned: true}
	for i := 1; i < n; i++ {
		w := &worker{wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, w)
		go p.loop(w)
	}
	return p
}

// loop is a worker goroutine: wait for the next task (spinning while the
// workers are hot, parked otherwise), run it, repeat until quit.
func (p *workers) loop(w *worker) {
	var last uint64 // the count starts at 0; a task may be posted before this goroutine runs
	for {
		spun := 0
		var since time.Time
		for w.state.Load()>>1 == last {
			if p.hot.Load() {
				spun++
				if spun&255 != 0 {
					continue
				}
				if since.IsZero() {
					since = time.Now()
				}
				if time.Since(since) < spinFor {
					runtime.Gosched()
					continue
				}
			}
			// park, unless a task came in meanwhile
			if w.state.CompareAndSwap(last<<1, last<<1|1) {
				<-w.wake
				w.state.And(^uint64(1))
			}
			spun, since = 0, time.Time{}
		}
		last = w.state.Load() >> 1
		if w.quit.Load() {
			return
		}
		if c := w.claim.Load(); c&3 == 0 && w.claim.CompareAndSwap(c, c|1) {
			p.do(w.t)
		}
	}
}

// post hands t to worker w.
func (p *workers) post(w *worker, t task) {
	w.t = t
	w.seq++
	w.claim.Store(w.seq << 2)
	if w.state.Add(2)&1 != 0 { // parked
		select {
		case w.wake <- struct{}{}:
		default: // a token is already waiting
		}
	}
}

// begin marks the start of a Run: parked workers are woken to spin, so
// that the first parallel loop does not pay for waking them.
func (p *workers) begin() {
	if p == nil || len(p.workers) == 0 {
		return
	}
	p.solo = !adaptOff && p.adapt.next()
	p.runStart = time.Now()
	if p.solo {
		p.alone++
		return
	}
	p.hot.Store(true)
	for _, w := range p.workers {
		if w.state.Load()&1 != 0 {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// end marks the end of a Run: idle workers park.
func (p *workers) end() {
	if p == nil || len(p.workers) == 0 {
		return
	}
	p.hot.Store(false)
	p.adapt.record(p.solo, time.Since(p.runStart))
	p.solo = false
}

func (p *workers) do(t task) {
	defer p.pending.Add(-1)
	defer func() {
		if r := recover(); r != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = fmt.Errorf("%v", r)
			}
			p.mu.Unlock()
		}
	}()
	p.drain(t)
}

// parallel splits [0, total) into pieces of at least grain items and runs
// fn on them, the calling goroutine taking part.
func (p *workers) parallel(total, grain int, fn func(lo, hi int)) {
	p.split(total, grain, task{fn: fn})
}

// parallelChunks is parallel for bodies that also need the number c of
// the participant running them (0 ≤ c < threads), to pick a per-thread
// scratch slice.
func (p *workers) parallelChunks(total, grain int, fn func(c, lo, hi int)) {
	p.split(total, grain, task{fnc: fn})
}

func (p *workers) split(total, grain int, t task) {
	if total <= 0 {
		return
	}
	parts := 1
	if p != nil && p.n > 1 && !p.solo {
		parts = pieces(total, grain, p.n)
	}
	if parts <= 1 {
		if t.fnc != nil {
			t.fnc(0, 0, total)
		} else {
			t.fn(0, total)
		}
		return
	}
	p.per = (total + parts - 1) / parts
	p.parts = (total + p.per - 1) / p.per
	p.total = total
	helpers := min(p.n, p.parts) - 1
	p.sharers = 1
	if p.owned {
		p.sharers = helpers + 1
	}
	for c := 0; c < p.sharers; c++ {
		p.spans[c].set(c*p.parts/p.sharers, (c+1)*p.parts/p.sharers)
	}
	p.pending.Store(int32(helpers + 1))
	for c := 1; c <= helpers; c++ {
		t.c = c
		p.post(p.workers[c-1], t)
	}
	t.c = 0
	p.do(t)
	for c := 1; c <= helpers; c++ { // no pieces left: revoke the tasks not taken yet
		w := p.workers[c-1]
		if cl := w.claim.Load(); cl&3 == 0 && w.claim.CompareAndSwap(cl, cl|2) {
			p.pending.Add(-1)
			p.revoked++
		}
	}
	for spun := 1; p.pending.Load() != 0; spun++ {
		if spun&63 == 0 {
			runtime.Gosched()
		}
	}
}

// finish returns when the last participant of threads would be done
// with a loop whose items cost costs[i], split and taken as split and
// drain do (owned or free), each participant free at 0: for choosing how
// to cut a layer into work units.
func finish(costs []int, threads int, owned bool) int {
	total := len(costs)
	if total == 0 {
		return 0
	}
	parts := pieces(total, 1, threads)
	per := (total + parts - 1) / parts
	parts = (total + per - 1) / per
	piece := func(i int) (c int) {
		for _, x := range costs[i*per : min(total, (i+1)*per)] {
			c += x
		}
		return c
	}
	participants := min(threads, parts)
	spans := 1 // as split sets p.sharers
	if owned {
		spans = participants
	}
	front, back := make([]int, spans), make([]int, spans)
	for c := range spans {
		front[c], back[c] = c*parts/spans, (c+1)*parts/spans
	}
	clock, end := make([]int, participants), 0
	done := make([]bool, participants)
	for {
		c := -1 // the participant free first
		for i := range clock {
			if !done[i] && (c < 0 || clock[i] < clock[c]) {
				c = i
			}
		}
		if c < 0 {
			return end
		}
		took := false
		for r := 0; r < spans && !took; r++ { // as drain does
			o := (c + r) % spans
			if front[o] < back[o] {
				i := front[o]
				if r > 0 {
					back[o]--
					i = back[o]
				} else {
					front[o]++
				}
				clock[c] += piece(i)
				end = max(end, clock[c])
				took = true
			}
		}
		done[c] = !took
	}
}

// drain runs pieces of the current loop until none is left; t.c is the
// participant. Owned, its own span first, in order, then the others'
// from their backs.
func (p *workers) drain(t task) {
	for r := 0; r < p.sharers; r++ {
		s := &p.spans[(t.c+r)%p.sharers]
		for {
			i, ok := s.take(r > 0)
			if !ok {
				break
			}
			lo := i * p.per
			hi := min(p.total, lo+p.per)
			if t.fnc != nil {
				t.fnc(t.c, lo, hi)
			} else {
				t.fn(lo, hi)
			}
		}
	}
}

func (p *workers) takeErr() error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.err
	p.err = nil
	return err
}

// close stops the workers.
func (p *workers) close() {
	p.hot.Store(false)
	for _, w := range p.workers {
		w.quit.Store(true)
		w.state.Add(2)
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	p.workers = nil
}
