package simd

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// peakGFLOPS, where an architecture's test file sets it, measures one
// core's peak single-precision rate with a tight FMA loop; the GEMM
// benchmarks report their share of it.
var peakGFLOPS func() float64

// measuredPeak runs peakGFLOPS once per test binary.
var measuredPeak float64

func peak() float64 {
	if measuredPeak == 0 && peakGFLOPS != nil {
		measuredPeak = peakGFLOPS()
	}
	return measuredPeak
}

// BenchmarkGemmPacked times GemmPacked on one core for the shapes that
// matter: a square 512³ (the measure) and the convolution tiles
// of a ResNet (im2col K × 128 columns), and a fully connected layer.
func BenchmarkGemmPacked(b *testing.B) {
	for _, sz := range [][3]int{{512, 512, 512}, {16, 128, 576}, {32, 128, 1152}, {64, 128, 576}, {128, 128, 1152}, {256, 128, 2304}, {512, 49, 4608}, {1000, 1, 512}} {
		m, n, k := sz[0], sz[1], sz[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			r := rand.New(rand.NewPCG(8, 8))
			a := randSlice(r, m*k)
			bb := randSlice(r, k*n)
			c := make([]float32, m*n)
			pa := PackA(make([]float32, PackedLen(m, k)), m, k, a, k)
			b.ResetTimer()
			for b.Loop() {
				GemmPacked(pa, 0, m, n, bb, n, c, n)
			}
			gf := 2 * float64(m*n*k) * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(gf, "GFLOP/s")
			if p := peak(); p > 0 {
				b.ReportMetric(100*gf/p, "%peak")
			}
		})
	}
}

// BenchmarkPeakFMA reports the peak that %peak is relative to.
func BenchmarkPeakFMA(b *testing.B) {
	if peakGFLOPS == nil {
		b.Skip("no peak measurement for this implementation")
	}
	for b.Loop() {
		measuredPeak = 0
		b.ReportMetric(peak(), "GFLOP/s")
	}
}

// BenchmarkL2SquaredBatch10k searches a 10,000-identity gallery: batched
// distances and the arg-min, on one core.
func BenchmarkL2SquaredBatch10k(b *testing.B) {
	for _, d := range []int{64, 128} {
		b.Run(fmt.Sprintf("d%d", d), func(b *testing.B) {
			r := rand.New(rand.NewPCG(9, 9))
			const rows = 10000
			q := randSlice(r, d)
			g := randSlice(r, rows*d)
			out := make([]float32, rows)
			b.SetBytes(int64(rows * d * 4))
			for b.Loop() {
				L2SquaredBatch(q, g, out)
				ArgMin(out)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/search")
		})
	}
}

// timeFor runs f repeatedly for about d and returns the mean duration.
func timeFor(d time.Duration, f func()) time.Duration {
	n, start := 0, time.Now()
	for time.Since(start) < d {
		f()
		n++
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkDepthwise3x3 is one MobileNetV2 channel at 112² and 14², stride
// 1 and 2, pad 1.
func BenchmarkDepthwise3x3(b *testing.B) {
	for _, c := range []struct{ hw, s int }{{112, 1}, {14, 1}, {112, 2}} {
		b.Run(fmt.Sprintf("%d_s%d", c.hw, c.s), func(b *testing.B) {
			p := DWConv{H: c.hw, W: c.hw, KH: 3, KW: 3, StrideH: c.s, StrideW: c.s, PadT: 1, PadL: 1, DilH: 1, DilW: 1}
			p.OH, p.OW = (c.hw-1)/c.s+1, (c.hw-1)/c.s+1
			r := rand.New(rand.NewPCG(11, 11))
			in, w := randSlice(r, p.H*p.W), randSlice(r, 9)
			out := make([]float32, p.OH*p.OW)
			for b.Loop() {
				DepthwiseChannel(&p, in, w, 0.5, out)
			}
			b.ReportMetric(float64(2*9*p.OH*p.OW)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
