//go:build linux

package simd

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// fenced returns n floats that end (atEnd) or start right against a page
// that cannot be read or written, so a kernel that touches one float past
// its input crashes the test instead of reading a neighbour.
func fenced(t *testing.T, n int, atEnd bool) []float32 {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n*4+page-1)/page*page + 2*page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	off := page
	if atEnd {
		off = size - page - n*4
	}
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[off])), n)
}

func fill(r *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
}

// TestKernelsFencedByPages runs every kernel on inputs and outputs fenced
// by inaccessible pages: the masked tails, the matrix-vector path, the
// tail columns after the strips (packed A fenced too), the packing of B
// and the depthwise rows.
func TestKernelsFencedByPages(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	for i := range impls {
		im := &impls[i]
		for _, atEnd := range []bool{true, false} {
			for n := 0; n <= 40; n++ {
				a, b := fenced(t, n, atEnd), fenced(t, n, !atEnd)
				fill(r, a)
				fill(r, b)
				im.l2(a, b)
				im.dot(a, b)
				if n > 0 {
					im.prefetchStore(a) // runs (a prefetch never faults, so no more is shown)
				}
			}
			for _, sz := range [][3]int{{5, 1, 7}, {9, 3, 5}, {6, 13, 9}, {4, 24, 300}, {13, 31, 2}, {8, 49, 40}, {17, 100, 3}, {9, 52, 301}, {6, 11, 30}, {5, 97, 7}} {
				m, n, k := sz[0], sz[1], sz[2]
				a := make([]float32, m*k)
				fill(r, a)
				pk := fenced(t, im.packedLen(m, k), atEnd) // the tail kernel reads A's last K block masked
				im.packA(pk, m, k, a, k)
				pa := PackedA{M: m, K: k, data: pk, impl: im}
				bb, c := fenced(t, k*n, atEnd), fenced(t, (m-1)*n+n, !atEnd)
				fill(r, bb)
				GemmPacked(pa, 0, m, n, bb, n, c, n)
				GemmPacked(pa, 1, m, n, bb, n, c, n)
			}
			for _, p := range []DWConv{
				{H: 9, W: 21, OH: 9, OW: 21, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, DilH: 1, DilW: 1},
				{H: 9, W: 21, OH: 7, OW: 19, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1},
				{H: 9, W: 34, OH: 5, OW: 17, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, DilH: 1, DilW: 1},
				{H: 9, W: 35, OH: 4, OW: 17, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1},
				{H: 3, W: 6, OH: 3, OW: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, DilH: 1, DilW: 1},
			} {
				in, out := fenced(t, p.H*p.W, atEnd), fenced(t, p.OH*p.OW, !atEnd)
				fill(r, in)
				w := make([]float32, 9)
				fill(r, w)
				im.dw(&p, in, w, 0, out)
			}
			for _, hw := range [][2]int{{7, 7}, {1, 3}, {14, 14}, {16, 16}, {3, 16}, {4, 17}} {
				// the flat kernel's first and last taps reach a row and a
				// float past the map, the row kernel's a float before and
				// after each row, under masks
				const ch = 2
				n := hw[0] * hw[1]
				in, out := fenced(t, ch*n, atEnd), fenced(t, ch*n, !atEnd)
				fill(r, in)
				wt, bias := make([]float32, 9*ch), make([]float32, ch)
				fill(r, wt)
				if n <= FlatMaxMap {
					im.dwFlat(out, in, ch, hw[0], hw[1], wt, bias, 0, 6)
				}
				im.dwSame(out, in, ch, hw[0], hw[1], wt, bias, 0, 6)
			}
			for _, c := range [][2]int{{17, 32}, {16, 16}, {3, 48}, {33, 20}, {1, 16}} {
				// the block transpose loads whole rows of 16 columns and
				// stores whole rows of 16 pixels under masks; strides the
				// least they may be
				rows, cols := c[0], c[1]
				src, dst := fenced(t, rows*cols, atEnd), fenced(t, cols*rows, !atEnd)
				fill(r, src)
				bias, res := make([]float32, cols), fenced(t, cols*rows, atEnd)
				im.transposeClamp(dst, rows, src, cols, rows, cols, bias, nil, 0, 6)
				im.transposeClamp(dst, rows, src, cols, rows, cols, bias, res, 0, 6)
			}
			for _, c := range [][4]int{{7, 7, 1, 1}, {1, 3, 0, 0}, {14, 14, 0, 0}, {4, 33, 1, 1}, {5, 32, 0, 1}} {
				// the stride-2 kernel's loads reach past a row's ends, under masks
				const ch = 2
				h, w, pt, pl := c[0], c[1], c[2], c[3]
				oh, ow := (h+pt+1-3)/2+1, (w+pl+1-3)/2+1
				in, out := fenced(t, ch*h*w, atEnd), fenced(t, ch*oh*ow, !atEnd)
				fill(r, in)
				wt, bias := make([]float32, 9*ch), make([]float32, ch)
				fill(r, wt)
				im.dwStride2(out, in, ch, h, w, oh, ow, pt, pl, wt, bias, 0, 6)
			}
			for _, w := range []int{14, 15, 40, 112} {
				// the stride-2 copy into a split plane reads to the row's end
				const ch, h = 2, 4
				oh, ow := (h-1)/2+1, (w-1)/2+1
				wp, hp := 2*ow+1, 2*oh+1
				in, out := fenced(t, ch*h*w, atEnd), fenced(t, ch*oh*ow, !atEnd)
				fill(r, in)
				wt, bias := make([]float32, 9*ch), make([]float32, ch)
				fill(r, wt)
				plane := make([]float32, hp*wp)
				im.dwChannels(out, oh*ow, in, h*w, w, h, w, plane, 0, wp, oh, ow, 2, wt, bias, 0, 6)
			}
		}
	}
}
