package infer

import (
	"fmt"
	"sync"
)

// pool runs the chunks of a parallel loop on a fixed set of goroutines
// started with the plan. Dispatching allocates nothing: the loop body is a
// method value built when the plan was made.
type pool struct {
	n     int
	tasks chan task
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
}

type task struct {
	fn     func(lo, hi int)
	fnc    func(c, lo, hi int)
	c      int
	lo, hi int
}

func newPool(n int) *pool {
	p := &pool{n: n}
	if n > 1 {
		p.tasks = make(chan task, n)
		for i := 1; i < n; i++ {
			go p.worker()
		}
	}
	return p
}

func (p *pool) worker() {
	for t := range p.tasks {
		p.do(t)
	}
}

func (p *pool) do(t task) {
	defer p.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = fmt.Errorf("%v", r)
			}
			p.mu.Unlock()
		}
	}()
	if t.fnc != nil {
		t.fnc(t.c, t.lo, t.hi)
		return
	}
	t.fn(t.lo, t.hi)
}

// parallel splits [0, total) into chunks of at least grain items and runs
// fn on them, the calling goroutine taking a share.
func (p *pool) parallel(total, grain int, fn func(lo, hi int)) {
	p.split(total, grain, task{fn: fn})
}

// parallelChunks is parallel for bodies that also need their chunk
// number c (0 ≤ c < threads), to pick a per-thread scratch slice.
func (p *pool) parallelChunks(total, grain int, fn func(c, lo, hi int)) {
	p.split(total, grain, task{fnc: fn})
}

func (p *pool) split(total, grain int, t task) {
	if total <= 0 {
		return
	}
	chunks := 1
	if p != nil && p.n > 1 {
		chunks = min(p.n, (total+grain-1)/max(grain, 1))
	}
	if chunks <= 1 {
		t.lo, t.hi = 0, total
		if t.fnc != nil {
			t.fnc(0, 0, total)
		} else {
			t.fn(0, total)
		}
		return
	}
	per := (total + chunks - 1) / chunks
	p.wg.Add(chunks)
	for c := 1; c < chunks; c++ {
		t.c, t.lo, t.hi = c, c*per, min(total, (c+1)*per)
		if t.lo >= t.hi {
			p.wg.Done()
			continue
		}
		p.tasks <- t
	}
	t.c, t.lo, t.hi = 0, 0, min(per, total)
	p.do(t)
	p.wg.Wait()
}

func (p *pool) takeErr() error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.err
	p.err = nil
	return err
}

func (p *pool) close() {
	if p.tasks != nil {
		close(p.tasks)
	}
}
