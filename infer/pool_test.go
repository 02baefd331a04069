package infer

import (
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
			p := newPool(threads)
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
