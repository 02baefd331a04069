//go:build !purego

package simd

import "time"

func init() {
	if !hasAVX2FMA {
		return
	}
	peakGFLOPS = func() float64 {
		const iters = 1 << 20 // 192 Mflop, about 0.1 s at 2 GFLOP/s… per call
		fmaPeak(iters)        // warm up the clock
		best := 0.0
		for i := 0; i < 5; i++ {
			d := timeFor(50*time.Millisecond, func() { fmaPeak(iters) })
			best = max(best, 192*iters/d.Seconds()/1e9)
		}
		return best
	}
}
