package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/edge-pi/edge/simd"
)

// sgemmReport times C = A·B at 512×512×512 through the path convolutions
// take (A packed once, as weights are at load) on the calling goroutine,
// and compares it with the FMA peak of one core.
func sgemmReport(w io.Writer) {
	const n = 512
	rng := rand.New(rand.NewPCG(2, 0))
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	pa := simd.PackA(make([]float32, simd.PackedLen(n, n)), n, n, a, n)
	d := medianOf(11, func() { simd.GemmPacked(pa, 0, n, n, b, n, c, n) })
	gf := 2 * n * n * n / d.Seconds() / 1e9
	fmt.Fprintf(w, "SGEMM 512×512×512, one core (simd.PackA once, then simd.GemmPacked; %q kernels): %.1f GFLOP/s, %.2f ms\n",
		simd.Implementation(), gf, float64(d)/1e6)
	const iters = 1 << 22
	flops, how := simd.FMALoop(1)
	if flops == 0 {
		fmt.Fprintf(w, "FMA peak: not measured (no FMA loop for this CPU)\n")
		return
	}
	p := medianOf(7, func() { flops, _ = simd.FMALoop(iters) })
	peak := float64(flops) / p.Seconds() / 1e9
	fmt.Fprintf(w, "FMA peak of one core, measured (%s): %.1f GFLOP/s; SGEMM reaches %.0f%% of it\n", how, peak, 100*gf/peak)
}

// medianOf runs f once to warm up, then k times, and returns the median time.
func medianOf(k int, f func()) time.Duration {
	f()
	d := make([]time.Duration, k)
	for i := range d {
		t0 := time.Now()
		f()
		d[i] = time.Since(t0)
	}
	slices.Sort(d)
	return d[k/2]
}
