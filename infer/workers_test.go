package infer

import (
	"runtime"
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
