package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// poolLengths are the output lengths the pooling tests sweep: 0…70
// (every tail of the 4-, 8-, 16- and 32-wide loops, and the overlapping
// last vector of the amd64 kernels) and some longer ones.
func poolLengths() []int {
	var n []int
	for i := 0; i <= 70; i++ {
		n = append(n, i)
	}
	return append(n, 127, 128, 129, 1000, 4099)
}

// poolInput is n random floats, about a quarter of them NaN, ±Inf, ±0 or
// extremes, and runs of equal values.
func poolInput(r *rand.Rand, n int) []float32 {
	inf := float32(math.Inf(1))
	special := []float32{float32(math.NaN()), inf, -inf, 0, float32(math.Copysign(0, -1)), 1, -1,
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32}
	s := randSlice(r, n)
	for j := range s {
		switch r.IntN(8) {
		case 0, 1:
			s[j] = special[r.IntN(len(special))]
		case 2:
			if j > 0 {
				s[j] = s[j-1]
			}
		}
	}
	return s
}

// samePool: a NaN must come out a NaN (any NaN); zeros compare equal
// whatever their sign (NEON's FMAX(-0, +0) is +0).
func samePool(a, b float32) bool { return a == b || (a != a && b != b) }

// TestPoolRows checks MaxRows and AddRows of every implementation against
// the generic loops: every length, unaligned starts of dst and src, guards
// around dst, special values in both operands, and dst as its own src.
func TestPoolRows(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	for i := range impls {
		im := &impls[i]
		for _, n := range poolLengths() {
			for _, off := range [][2]int{{0, 0}, {1, 0}, {0, 3}, {3, 1}, {2, 2}} {
				for _, isMax := range []bool{true, false} {
					for _, self := range []bool{false, true} {
						d0 := poolInput(r, n)
						src := poolInput(r, n+off[1]+1)[off[1] : off[1]+n]
						outer, dst := guarded(n+off[0], 8)
						dst = dst[off[0]:]
						copy(dst, d0)
						if self {
							src = dst
						}
						want := append([]float32(nil), d0...)
						wsrc := src
						if self {
							wsrc = d0
						}
						name, kernel := "AddRows", im.addRows
						if isMax {
							name, kernel = "MaxRows", im.maxRows
							maxRowsGeneric(want, wsrc)
						} else {
							addRowsGeneric(want, wsrc)
						}
						what := fmt.Sprintf("%s %s n=%d off=%v self=%v", im.name, name, n, off, self)
						kernel(dst, src)
						checkGuards(t, what, outer, 8)
						for j := 0; j < off[0]; j++ {
							if outer[8+j] != guard {
								t.Fatalf("%s: wrote before its start", what)
							}
						}
						for j := range dst {
							if !samePool(dst[j], want[j]) {
								t.Fatalf("%s: dst[%d] = %v, want %v (inputs %v, %v)", what, j, dst[j], want[j], d0[j], wsrc[j])
							}
						}
					}
				}
			}
		}
	}
}

// TestMaxPairs checks MaxPairs of every implementation against the
// generic loop: every output length, unaligned dst and row, guards around
// dst, special values, and a row exactly 2·len(dst) long (no slack past
// its end; the slice is capped, so an overread would touch the guard).
func TestMaxPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for i := range impls {
		im := &impls[i]
		for _, n := range poolLengths() {
			for _, off := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {3, 5}, {2, 2}} {
				rowOuter := poolInput(r, 2*n+off[1]+4)
				for j := range 4 {
					rowOuter[2*n+off[1]+j] = float32(math.NaN()) // poison past the end
				}
				row := rowOuter[off[1] : off[1]+2*n : off[1]+2*n]
				want := make([]float32, n)
				maxPairsGeneric(want, row)
				outer, dst := guarded(n+off[0], 8)
				dst = dst[off[0]:]
				what := fmt.Sprintf("%s MaxPairs n=%d off=%v", im.name, n, off)
				im.maxPairs(dst, row)
				checkGuards(t, what, outer, 8)
				for j := 0; j < off[0]; j++ {
					if outer[8+j] != guard {
						t.Fatalf("%s: wrote before its start", what)
					}
				}
				for j := range dst {
					if !samePool(dst[j], want[j]) {
						t.Fatalf("%s: dst[%d] = %v, want %v (inputs %v, %v)", what, j, dst[j], want[j], row[2*j], row[2*j+1])
					}
				}
			}
		}
	}
}

// TestPoolNaN pins the semantics on every implementation: a NaN in either
// operand, in any lane, comes out NaN; -Inf loses to everything else.
func TestPoolNaN(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for i := range impls {
		im := &impls[i]
		for _, n := range []int{1, 5, 8, 13, 16, 37} {
			for pos := 0; pos < n; pos++ {
				for _, first := range []bool{true, false} {
					a, b := make([]float32, n), make([]float32, n)
					for j := range a {
						a[j], b[j] = -inf, float32(j)
					}
					if first {
						a[pos] = nan
					} else {
						b[pos] = nan
					}
					im.maxRows(a, b)
					row := make([]float32, 2*n)
					for j := range row {
						row[j] = -inf
					}
					row[2*n-1] = 7
					if first {
						row[2*pos] = nan
					} else {
						row[2*pos+1] = nan
					}
					p := make([]float32, n)
					im.maxPairs(p, row)
					for j := range a {
						wantNaN := j == pos
						if (a[j] != a[j]) != wantNaN || (!wantNaN && a[j] != float32(j)) {
							t.Fatalf("%s MaxRows n=%d NaN at %d (first %v): dst[%d] = %v", im.name, n, pos, first, j, a[j])
						}
						if (p[j] != p[j]) != wantNaN {
							t.Fatalf("%s MaxPairs n=%d NaN at %d (first %v): dst[%d] = %v", im.name, n, pos, first, j, p[j])
						}
						want := -inf
						if j == n-1 {
							want = 7
						}
						if !wantNaN && p[j] != want {
							t.Fatalf("%s MaxPairs n=%d: dst[%d] = %v, want %v", im.name, n, j, p[j], want)
						}
					}
				}
			}
		}
	}
}

// TestMaxPool2x2 checks MaxPool2x2 of every implementation against the
// generic loop as TestMaxPairs does, with the two rows at different
// offsets, and a lone NaN or +Inf at every position of either row.
func TestMaxPool2x2(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for i := range impls {
		im := &impls[i]
		for _, n := range poolLengths() {
			for _, off := range [][3]int{{0, 0, 0}, {1, 0, 3}, {0, 1, 0}, {3, 5, 2}, {2, 2, 7}} {
				row := func(o int) []float32 {
					s := poolInput(r, 2*n+o+4)
					for j := range 4 {
						s[2*n+o+j] = nan // poison past the end
					}
					return s[o : o+2*n : o+2*n]
				}
				top, bot := row(off[1]), row(off[2])
				want := make([]float32, n)
				maxPool2x2Generic(want, top, bot)
				outer, dst := guarded(n+off[0], 8)
				dst = dst[off[0]:]
				what := fmt.Sprintf("%s MaxPool2x2 n=%d off=%v", im.name, n, off)
				im.max2x2(dst, top, bot)
				checkGuards(t, what, outer, 8)
				for j := 0; j < off[0]; j++ {
					if outer[8+j] != guard {
						t.Fatalf("%s: wrote before its start", what)
					}
				}
				for j := range dst {
					if !samePool(dst[j], want[j]) {
						t.Fatalf("%s: dst[%d] = %v, want %v (inputs %v, %v / %v, %v)", what, j, dst[j], want[j],
							top[2*j], top[2*j+1], bot[2*j], bot[2*j+1])
					}
				}
			}
			if n > 40 {
				continue
			}
			for pos := 0; pos < 4*n; pos++ {
				for _, v := range []float32{nan, inf} {
					top, bot := make([]float32, 2*n), make([]float32, 2*n)
					for j := range top {
						top[j], bot[j] = -inf, float32(j%5)
					}
					if pos < 2*n {
						top[pos] = v
					} else {
						bot[pos-2*n] = v
					}
					dst := make([]float32, n)
					im.max2x2(dst, top, bot)
					for j := range dst {
						want := float32(max(2*j%5, (2*j+1)%5))
						if j == pos%(2*n)/2 {
							want = v
						}
						if !samePool(dst[j], want) {
							t.Fatalf("%s MaxPool2x2 n=%d %v at %d: dst[%d] = %v, want %v", im.name, n, v, pos, j, dst[j], want)
						}
					}
				}
			}
		}
	}
}

// TestMaxPool3x3s2 checks MaxPool3x3s2 of every implementation against
// the generic loop as TestMaxPool2x2 does: the three rows at different
// offsets, each exactly 2·len(dst)+1 long and capped with NaN poison past
// its end, guards around dst, and a lone NaN, ±Inf or ±0 at every position
// of every row.
func TestMaxPool3x3s2(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	for i := range impls {
		im := &impls[i]
		for _, n := range poolLengths() {
			if n == 0 {
				continue // the wrapper returns before the kernel
			}
			m := 2*n + 1
			for _, off := range [][4]int{{0, 0, 0, 0}, {1, 0, 3, 1}, {0, 1, 0, 2}, {3, 5, 2, 7}, {2, 2, 7, 3}} {
				row := func(o int) []float32 {
					s := poolInput(r, m+o+4)
					for j := range 4 {
						s[m+o+j] = nan // poison past the end
					}
					return s[o : o+m : o+m]
				}
				r0, r1, r2 := row(off[1]), row(off[2]), row(off[3])
				want := make([]float32, n)
				maxPool3x3s2Generic(want, r0, r1, r2)
				outer, dst := guarded(n+off[0], 8)
				dst = dst[off[0]:]
				what := fmt.Sprintf("%s MaxPool3x3s2 n=%d off=%v", im.name, n, off)
				im.max3x3s2(dst, r0, r1, r2)
				checkGuards(t, what, outer, 8)
				for j := 0; j < off[0]; j++ {
					if outer[8+j] != guard {
						t.Fatalf("%s: wrote before its start", what)
					}
				}
				for j := range dst {
					if !samePool(dst[j], want[j]) {
						t.Fatalf("%s: dst[%d] = %v, want %v (inputs %v / %v / %v)", what, j, dst[j], want[j],
							r0[2*j:2*j+3], r1[2*j:2*j+3], r2[2*j:2*j+3])
					}
				}
			}
			if n > 40 {
				continue
			}
			// one special value at every position of every row over a
			// background whose windows' maximum is known: -Inf in r0,
			// column%5 - 5 in r1 and r2 (so ±0 wins where it lands)
			for pos := 0; pos < 3*m; pos++ {
				for _, v := range []float32{nan, inf, -inf, 0, negZero} {
					rows := [3][]float32{make([]float32, m), make([]float32, m), make([]float32, m)}
					for j := range m {
						rows[0][j], rows[1][j], rows[2][j] = -inf, float32(j%5-5), float32((j+2)%5-5)
					}
					rows[pos/m][pos%m] = v
					dst := make([]float32, n)
					im.max3x3s2(dst, rows[0], rows[1], rows[2])
					for j := range dst {
						want := -inf
						hit := false
						for c := 2 * j; c <= 2*j+2; c++ {
							for k := range rows {
								want = max(want, rows[k][c])
								hit = hit || (c == pos%m && k == pos/m)
							}
						}
						if hit && v != v {
							want = nan
						}
						if !samePool(dst[j], want) {
							t.Fatalf("%s MaxPool3x3s2 n=%d %v at row %d col %d: dst[%d] = %v, want %v", im.name, n, v, pos/m, pos%m, j, dst[j], want)
						}
					}
				}
			}
		}
	}
}

func TestMaxPool3x3s2ShortRow(t *testing.T) {
	for k := range 3 {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("MaxPool3x3s2 with row %d short did not panic", k)
				}
			}()
			rows := [3][]float32{make([]float32, 9), make([]float32, 9), make([]float32, 9)}
			rows[k] = rows[k][:8]
			MaxPool3x3s2(make([]float32, 4), rows[0], rows[1], rows[2])
		}()
	}
	MaxPool3x3s2(nil, nil, nil, nil) // nothing to read
}

func TestMaxPairsShortRow(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MaxPairs with a short row did not panic")
		}
	}()
	MaxPairs(make([]float32, 4), make([]float32, 7))
}

func TestPoolRowsShortSrc(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MaxRows with a short src did not panic")
		}
	}()
	MaxRows(make([]float32, 4), make([]float32, 3))
}

// BenchmarkPool times each kernel on a row of the faces model's first
// MaxPool's width (46), a ResNet's (224) and a wide one, per call, and
// that whole MaxPool (2×2 stride 2 on 16 planes of 56×46) both as the
// two passes and fused (MaxPool2x2), for every implementation.
func BenchmarkPool(b *testing.B) {
	r := rand.New(rand.NewPCG(14, 14))
	for i := range impls {
		im := &impls[i]
		for _, w := range []int{46, 224, 4096} {
			src := randSlice(r, 2*w)
			dst := make([]float32, w)
			out := make([]float32, w/2)
			b.Run(fmt.Sprintf("%s/MaxRows/%d", im.name, w), func(b *testing.B) {
				b.SetBytes(int64(8 * w))
				for b.Loop() {
					im.maxRows(dst, src[:w])
				}
			})
			b.Run(fmt.Sprintf("%s/AddRows/%d", im.name, w), func(b *testing.B) {
				b.SetBytes(int64(8 * w))
				for b.Loop() {
					im.addRows(dst, src[:w])
				}
			})
			b.Run(fmt.Sprintf("%s/MaxPairs/%d", im.name, w), func(b *testing.B) {
				b.SetBytes(int64(4 * w))
				for b.Loop() {
					im.maxPairs(out, src[:w])
				}
			})
			b.Run(fmt.Sprintf("%s/MaxPool2x2/%d", im.name, w), func(b *testing.B) {
				b.SetBytes(int64(8 * w))
				for b.Loop() {
					im.max2x2(out, src[:w], src[w:])
				}
			})
			b.Run(fmt.Sprintf("%s/MaxPool3x3s2/%d", im.name, w), func(b *testing.B) {
				b.SetBytes(int64(12 * w))
				o := out[:(w-1)/2]
				for b.Loop() {
					im.max3x3s2(o, src[:w], src[w/2:w/2+w], src[w:])
				}
			})
		}
		// the whole 2×2/2 plane set of faces' first MaxPool: vertical then
		// horizontal pass per output row
		const planes, h, w = 16, 56, 46
		in := randSlice(r, planes*h*w)
		outPlane := make([]float32, planes*(h/2)*(w/2))
		row := make([]float32, w)
		b.Run(fmt.Sprintf("%s/Plane2x2TwoPass/16x56x46", im.name), func(b *testing.B) {
			for b.Loop() {
				for p := 0; p < planes; p++ {
					for oy := 0; oy < h/2; oy++ {
						r0 := in[(p*h+2*oy)*w:]
						copy(row, r0[:w])
						im.maxRows(row, r0[w:2*w])
						o := outPlane[(p*(h/2)+oy)*(w/2):]
						im.maxPairs(o[:w/2], row[:w/2*2])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(outPlane)), "ns/output")
		})
		b.Run(fmt.Sprintf("%s/Plane2x2Fused/16x56x46", im.name), func(b *testing.B) {
			for b.Loop() {
				for p := 0; p < planes; p++ {
					for oy := 0; oy < h/2; oy++ {
						r0 := in[(p*h+2*oy)*w:]
						o := outPlane[(p*(h/2)+oy)*(w/2):]
						im.max2x2(o[:w/2], r0[:w/2*2], r0[w:w+w/2*2])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(outPlane)), "ns/output")
		})
		// SqueezeNet's first MaxPool, 3×3/2 on 64 planes of 55×55: the
		// separable passes (a copy and two MaxRows down, two MaxPairs and
		// a MaxRows across) per output row, and MaxPool3x3s2
		const planes3, n3, o3 = 64, 55, 27
		in3 := randSlice(r, planes3*n3*n3)
		out3 := make([]float32, planes3*o3*o3)
		row3 := make([]float32, n3+o3)
		b.Run(fmt.Sprintf("%s/Plane3x3s2TwoPass/64x55x55", im.name), func(b *testing.B) {
			for b.Loop() {
				for p := 0; p < planes3; p++ {
					for oy := 0; oy < o3; oy++ {
						r0 := in3[(p*n3+2*oy)*n3:]
						buf, tmp := row3[:n3], row3[n3:]
						copy(buf, r0[:n3])
						im.maxRows(buf, r0[n3:2*n3])
						im.maxRows(buf, r0[2*n3:3*n3])
						o := out3[(p*o3+oy)*o3:][:o3]
						im.maxPairs(o, buf[:2*o3])
						im.maxPairs(tmp, buf[1:1+2*o3])
						im.maxRows(o, tmp)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out3)), "ns/output")
		})
		b.Run(fmt.Sprintf("%s/Plane3x3s2Fused/64x55x55", im.name), func(b *testing.B) {
			for b.Loop() {
				for p := 0; p < planes3; p++ {
					for oy := 0; oy < o3; oy++ {
						r0 := in3[(p*n3+2*oy)*n3:]
						o := out3[(p*o3+oy)*o3:][:o3]
						im.max3x3s2(o, r0[:2*o3+1], r0[n3:n3+2*o3+1], r0[2*n3:2*n3+2*o3+1])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out3)), "ns/output")
		})
	}
}

// TestMaxPool3x3s2Plane: the plane form equals MaxPool3x3s2 row by row,
// bit for bit, from an offset column, with a NaN, on rows around the
// AVX-512 kernel's 16 outputs, reading nothing past the last window
// (fenced) and writing nothing past the plane; and checks its plane.
func TestMaxPool3x3s2Plane(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 39))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, c := range []struct{ oh, ow, w, x0 int }{{6, 6, 13, 0}, {13, 13, 27, 0}, {3, 5, 14, 2}, {1, 1, 3, 0}, {4, 20, 41, 0},
			{2, 16, 33, 0}, {3, 17, 36, 1}, {2, 27, 55, 0}, {1, 33, 67, 0}, {5, 8, 17, 0}} {
			// the plane ends at the last window's last float, against an
			// inaccessible page (the AVX-512 kernel's masked loads)
			n := 2*c.oh*c.w + c.x0 + 2*c.ow + 1
			src := fenced(t, n, true)
			fill(r, src)
			src[len(src)/2] = float32(math.NaN())
			outer, got := guarded(c.oh*c.ow, 16)
			MaxPool3x3s2Plane(got, c.oh, c.ow, src, c.w, c.x0)
			checkGuards(t, fmt.Sprintf("%s %+v", im.name, c), outer, 16)
			want := make([]float32, c.oh*c.ow)
			for y := 0; y < c.oh; y++ {
				r0 := src[2*y*c.w+c.x0:]
				MaxPool3x3s2(want[y*c.ow:(y+1)*c.ow], r0, r0[c.w:], r0[2*c.w:])
			}
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) && !(got[j] != got[j] && want[j] != want[j]) {
					t.Fatalf("%s %+v: dst[%d] = %v, want %v", im.name, c, j, got[j], want[j])
				}
			}
		}
		active = saved
	}
	defer func() {
		if recover() == nil {
			t.Error("MaxPool3x3s2Plane accepted a window past the row")
		}
	}()
	MaxPool3x3s2Plane(make([]float32, 4), 2, 2, make([]float32, 100), 5, 1)
}
