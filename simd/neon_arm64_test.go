//go:build !purego

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func neonImpls(t *testing.T) []impl {
	var out []impl
	for _, im := range impls {
		if strings.HasPrefix(im.name, "neon") {
			out = append(out, im)
		}
	}
	if len(out) != 2 {
		t.Fatalf("want the neon and neon-a53 implementations, have %d", len(out))
	}
	return out
}

func TestNEONSelection(t *testing.T) {
	for _, tc := range []struct {
		midr uint64
		want bool
	}{
		{0x410fd034, true},  // Cortex-A53 r0p4 (Raspberry Pi 3, Zero 2 W)
		{0x411fd050, true},  // Cortex-A55
		{0x410fd083, false}, // Cortex-A72 (Pi 4)
		{0x414fd0b1, false}, // Cortex-A76 (Pi 5)
		{0x000fd030, false}, // not Arm's part numbering
		{0, false},
	} {
		if got := isInOrder(tc.midr); got != tc.want {
			t.Errorf("isInOrder(%#x) = %v", tc.midr, got)
		}
	}
	want := "neon"
	if inOrderCore {
		want = "neon-a53"
	}
	if Implementation() != want {
		t.Errorf("Implementation() = %q, want %q (in-order core: %v)", Implementation(), want, inOrderCore)
	}
	neonImpls(t)
}

// TestGemmNEONEdges runs both kernel variants over the shapes their
// blocking distinguishes: k around the k block (255…257, 511…513) and the
// A53 kernel's odd/even halves (k = 1…5), n on both sides of each tail
// path (1, 2: gemv; 3…7: padded strip; 8, 16: whole strips), row ranges
// cutting panels, ldb = 1 for one column, and C full of NaN beforehand
// (it must be overwritten, not read).
func TestGemmNEONEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	nan := float32(math.NaN())
	for _, im := range neonImpls(t) {
		for _, k := range []int{1, 2, 3, 4, 5, 255, 256, 257, 511, 512, 513} {
			for _, n := range []int{1, 2, 3, 4, 7, 8, 9, 10, 11, 16, 19} {
				for _, mr := range [][3]int{{1, 0, 1}, {8, 0, 8}, {9, 0, 9}, {17, 3, 13}, {24, 8, 24}} {
					m, r0, r1 := mr[0], mr[1], mr[2]
					ldb, ldc := n+1, n+3
					if n == 1 {
						ldb = 1
					}
					a := randSlice(r, m*k)
					b := randSlice(r, (k-1)*ldb+n)
					want := naiveGemm(m, n, k, a, k, b, ldb)
					pk := make([]float32, im.packedLen(m, k))
					im.packA(pk, m, k, a, k)
					c := make([]float32, (r1-r0-1)*ldc+n)
					for i := range c {
						c[i] = nan
					}
					im.gemm(PackedA{M: m, K: k, data: pk, impl: &im}, r0, r1, n, b, ldb, c, ldc)
					for i := r0; i < r1; i++ {
						for j := 0; j < n; j++ {
							got, w := float64(c[(i-r0)*ldc+j]), want[i*n+j]
							if !(math.Abs(got-w) <= 1e-4*(1+math.Abs(w))*math.Sqrt(float64(k))) {
								t.Fatalf("%s m=%d [%d,%d) n=%d k=%d: C[%d][%d] = %v, want %v", im.name, m, r0, r1, n, k, i, j, got, w)
							}
						}
						for j := n; j < ldc && i < r1-1; j++ {
							if !math.IsNaN(float64(c[(i-r0)*ldc+j])) {
								t.Fatalf("%s m=%d n=%d k=%d: wrote into the row gap", im.name, m, n, k)
							}
						}
					}
				}
			}
		}
	}
}

// guardPage returns n float32s that end where an inaccessible page starts,
// so that a kernel reading one element too far faults.
func guardPage(t *testing.T, n int) []float32 {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n*4+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	all := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), (size-page)/4)
	return all[len(all)-n:]
}

// TestKernelsStayInBounds puts every input of every implementation flush
// against an unmapped page: the look-ahead loads of the A53 kernel, the
// vector loads of the tails and the distance loops must not read past the
// last element.
func TestKernelsStayInBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, im := range impls {
		for _, sz := range [][3]int{{8, 8, 1}, {8, 8, 2}, {9, 8, 3}, {8, 16, 257}, {5, 13, 6}, {3, 1, 7}, {16, 2, 300}, {7, 3, 5}} {
			m, n, k := sz[0], sz[1], sz[2]
			a := randSlice(r, m*k)
			b := guardPage(t, k*n)
			copy(b, randSlice(r, k*n))
			pk := guardPage(t, im.packedLen(m, k))
			im.packA(pk, m, k, a, k)
			c := guardPage(t, m*n)
			im.gemm(PackedA{M: m, K: k, data: pk, impl: &im}, 0, m, n, b, n, c, n)
			want := naiveGemm(m, n, k, a, k, b, n)
			for i, w := range want {
				if math.Abs(float64(c[i])-w) > 1e-4*(1+math.Abs(w))*math.Sqrt(float64(k)) {
					t.Fatalf("%s %v: C[%d] = %v, want %v", im.name, sz, i, c[i], w)
				}
			}
		}
		for n := 0; n <= 37; n++ {
			x, y := guardPage(t, n), guardPage(t, n)
			for i := range x {
				x[i], y[i] = float32(i), 1
			}
			want := float32(n * (n - 1) / 2)
			if got := im.dot(x, y); got != want {
				t.Fatalf("%s dot n=%d: %v, want %v", im.name, n, got, want)
			}
			if got := im.l2(y, y); got != 0 {
				t.Fatalf("%s l2 n=%d: %v, want 0", im.name, n, got)
			}
		}
	}
}

func TestNEONNoAllocations(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, sz := range [][3]int{{13, 1, 600}, {13, 2, 600}, {13, 13, 600}, {16, 128, 300}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
		pa := PackA(make([]float32, PackedLen(m, k)), m, k, a, k)
		if allocs := testing.AllocsPerRun(5, func() { GemmPacked(pa, 1, m, n, b, n, c, n) }); allocs != 0 {
			t.Errorf("%s GemmPacked %v: %v allocations", Implementation(), sz, allocs)
		}
	}
	q, g, out := make([]float32, 128), make([]float32, 128*50), make([]float32, 50)
	if allocs := testing.AllocsPerRun(5, func() { L2SquaredBatch(q, g, out) }); allocs != 0 {
		t.Errorf("L2SquaredBatch: %v allocations", allocs)
	}
}

func BenchmarkGemmNEON(b *testing.B) {
	for _, im := range impls {
		for _, s := range []int{64, 256} {
			b.Run(fmt.Sprintf("%s/%d", im.name, s), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 1))
				x, y, z := randSlice(r, s*s), randSlice(r, s*s), make([]float32, s*s)
				pk := make([]float32, im.packedLen(s, s))
				im.packA(pk, s, s, x, s)
				pa := PackedA{M: s, K: s, data: pk, impl: &im}
				for b.Loop() {
					im.gemm(pa, 0, s, s, y, s, z, s)
				}
				b.ReportMetric(2*float64(s*s*s)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestDepthwiseNEONEdges covers the shapes the 3×3 kernels split on:
// widths where the interior is 0, 4, 8, 12 or an odd number of outputs,
// padding 0…2, strides 1 and 2 across and down, input rows missing at the
// top and bottom, and input and output flush against an unmapped page.
func TestDepthwiseNEONEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for _, im := range impls {
		for _, h := range []int{3, 4, 7} {
			for _, w := range []int{3, 4, 5, 6, 9, 10, 11, 12, 13, 17, 21, 35} {
				for _, pad := range []int{0, 1, 2} {
					for _, st := range [][2]int{{1, 1}, {2, 2}, {1, 2}, {2, 1}} {
						p := DWConv{H: h, W: w, KH: 3, KW: 3, StrideH: st[0], StrideW: st[1], PadT: pad, PadL: pad, DilH: 1, DilW: 1}
						p.OH = (p.H+2*p.PadT-3)/p.StrideH + 1
						p.OW = (p.W+2*p.PadL-3)/p.StrideW + 1
						if p.OH <= 0 || p.OW <= 0 {
							continue
						}
						in := guardPage(t, h*w)
						copy(in, randSlice(r, h*w))
						wt := randSlice(r, 9)
						out := guardPage(t, p.OH*p.OW)
						im.dw(&p, in, wt, -0.5, out)
						for oy := 0; oy < p.OH; oy++ {
							for ox := 0; ox < p.OW; ox++ {
								s := -0.5
								for ky := 0; ky < 3; ky++ {
									for kx := 0; kx < 3; kx++ {
										iy, ix := oy*p.StrideH-pad+ky, ox*p.StrideW-pad+kx
										if iy >= 0 && iy < h && ix >= 0 && ix < w {
											s += float64(wt[ky*3+kx]) * float64(in[iy*w+ix])
										}
									}
								}
								if got := out[oy*p.OW+ox]; math.Abs(float64(got)-s) > 1e-5*(1+math.Abs(s)) {
									t.Fatalf("%s %+v: out[%d][%d] = %v, want %v", im.name, p, oy, ox, got, s)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestDepthwiseNEONInf: an infinite input reaches exactly the outputs
// whose windows hold it (zero padding must not be a 0·x product).
func TestDepthwiseNEONInf(t *testing.T) {
	for _, im := range impls {
		p := DWConv{H: 5, W: 20, OH: 5, OW: 20, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, DilH: 1, DilW: 1}
		in := make([]float32, p.H*p.W)
		in[2*p.W+9] = float32(math.Inf(1))
		wt := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
		out := make([]float32, p.OH*p.OW)
		im.dw(&p, in, wt, 0, out)
		for oy := 0; oy < p.OH; oy++ {
			for ox := 0; ox < p.OW; ox++ {
				near := oy >= 1 && oy <= 3 && ox >= 8 && ox <= 10
				if v := out[oy*p.OW+ox]; math.IsInf(float64(v), 1) != near || (!near && v != 0) {
					t.Fatalf("%s: out[%d][%d] = %v", im.name, oy, ox, v)
				}
			}
		}
	}
}
