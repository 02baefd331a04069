package simd

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkGemmImpls times GemmPacked at 512³ and GemmOffsets on the tiles
// of stride-1 3×3 convolutions over padded planes (M output channels, K =
// 9·Cin, a plane's columns in calls of n as infer/conv.go cuts them), for
// every registered implementation in turn, on one core. Besides the mean
// it reports best-GFLOP/s, from the fastest single repetition: on a
// shared machine the least disturbed.
func BenchmarkGemmImpls(b *testing.B) {
	type shape struct{ m, cin, wp, hp, tile int }
	shapes := []shape{{512, 0, 0, 0, 512}, // GemmPacked 512³
		{16, 16, 58, 48, 144}, {64, 64, 16, 13, 144}, {32, 32, 30, 30, 144}, {128, 128, 9, 9, 96}, {256, 256, 6, 6, 48}}
	for _, s := range shapes {
		for i := range impls {
			im := &impls[i]
			if im.name == "generic" {
				continue
			}
			name := fmt.Sprintf("offsets/M%d_K%d_%dx%d_n%d/%s", s.m, 9*s.cin, s.wp, s.hp, s.tile, im.name)
			if s.cin == 0 {
				name = "packed/512x512x512/" + im.name
			}
			b.Run(name, func(b *testing.B) {
				run, flops := gemmImplsCase(im, s.m, s.cin, s.wp, s.hp, s.tile)
				best := time.Duration(1 << 62)
				for b.Loop() {
					t := time.Now()
					run()
					best = min(best, time.Since(t))
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(flops/best.Seconds()/1e9, "best-GFLOP/s")
			})
		}
	}
}

// gemmImplsCase returns one repetition of a BenchmarkGemmImpls case and
// its flops: a 512³ GemmPacked when cin is 0.
func gemmImplsCase(im *impl, m, cin, wp, hp, tile int) (func(), float64) {
	r := rand.New(rand.NewPCG(8, 8))
	if cin == 0 {
		n, k := m, m
		a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
		pk := make([]float32, im.packedLen(m, k))
		im.packA(pk, m, k, a, k)
		pa := PackedA{M: m, K: k, data: pk, impl: im}
		return func() { GemmPacked(pa, 0, m, n, bb, n, c, n) }, 2 * float64(m*n*k)
	}
	k := 9 * cin
	plane := wp * hp
	cols := (hp-2)*wp - 2 // output rows × padded width, less the last two
	offs := make([]int32, 0, k)
	for c := 0; c < cin; c++ {
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				offs = append(offs, int32(c*plane+ky*wp+kx))
			}
		}
	}
	in := randSlice(r, cin*plane)
	a := randSlice(r, m*k)
	pk := make([]float32, im.packedLen(m, k))
	im.packA(pk, m, k, a, k)
	pa := PackedA{M: m, K: k, data: pk, impl: im}
	col := make([]float32, k*tile)
	stage := make([]float32, m*tile)
	return func() {
		for q0 := 0; q0 < cols; q0 += tile {
			n := min(tile, cols-q0)
			GemmOffsets(pa, 0, m, n, in[q0:], offs, col[:k*n], stage, n)
		}
	}, 2 * float64(m*cols*k)
}

// BenchmarkGemmPointwise times GemmPacked on the products of faces'
// pointwise layers (M output channels × K input channels by K × the
// map's pixels, B's rows unaligned on 14×14 and 7×7 maps), with the
// best-GFLOP/s of BenchmarkGemmImpls.
func BenchmarkGemmPointwise(b *testing.B) {
	for _, s := range []struct{ m, k, n int }{{512, 512, 196}, {1024, 1024, 49}, {64, 32, 12544}, {128, 128, 3136}} {
		b.Run(fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(8, 8))
			a, bb, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
			pa := PackA(make([]float32, PackedLen(s.m, s.k)), s.m, s.k, a, s.k)
			best := time.Duration(1 << 62)
			for b.Loop() {
				t := time.Now()
				GemmPacked(pa, 0, s.m, s.n, bb, s.n, c, s.n)
				best = min(best, time.Since(t))
			}
			flops := 2 * float64(s.m*s.n*s.k)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(flops/best.Seconds()/1e9, "best-GFLOP/s")
		})
	}
}
