package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDepthwisePlane3 checks every implementation against the float64
// specification over map widths 1–40 and some wide ones (every chunk
// tail of 16, and at stride 2 the one- and two-accumulator cases), row
// strides with slack, the clamp (none, ReLU6), and a NaN and an infinite
// pixel whose results must come out NaN / infinite, clamped as BiasClamp
// clamps them. Outputs are guarded.
func TestDepthwisePlane3(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 31))
	inf := float32(math.Inf(1))
	widths := []int{}
	for w := 1; w <= 40; w++ {
		widths = append(widths, w)
	}
	widths = append(widths, 47, 48, 49, 56, 63, 65, 112)
	for i := range impls {
		im := &impls[i]
		for _, s := range []int{1, 2} {
			for _, ow := range widths {
				for _, c := range []struct {
					oh, slack int
					lo, hi    float32
				}{{1, 0, -inf, inf}, {3, 2, 0, 6}, {7, 0, -inf, inf}, {4, 5, -1, inf}} {
					oh := c.oh
					if ow > 40 {
						oh = 2
					}
					wp := (ow-1)*s + 3 + c.slack
					p := randSlice(r, ((oh-1)*s+3)*wp)
					special := ow%5 == 0
					if special {
						p[r.IntN(len(p))] = float32(math.NaN())
						p[r.IntN(len(p))] = inf
					}
					w := randSlice(r, 9)
					bias := float32(r.NormFloat64())
					outer, out := guarded(oh*ow, 16)
					im.dwPlane(out, oh, ow, p, wp, s, w, bias, c.lo, c.hi)
					what := fmt.Sprintf("%s s=%d oh=%d ow=%d wp=%d clamp [%v,%v]", im.name, s, oh, ow, wp, c.lo, c.hi)
					checkGuards(t, what, outer, 16)
					for y := 0; y < oh; y++ {
						for x := 0; x < ow; x++ {
							want := float64(bias)
							for dy := 0; dy < 3; dy++ {
								for dx := 0; dx < 3; dx++ {
									want += float64(w[3*dy+dx]) * float64(p[(s*y+dy)*wp+s*x+dx])
								}
							}
							if !math.IsNaN(want) {
								want = math.Min(math.Max(want, float64(c.lo)), float64(c.hi))
							}
							got := float64(out[y*ow+x])
							switch {
							case math.IsNaN(want) || math.IsInf(want, 0):
								if got != want && !(math.IsNaN(want) && math.IsNaN(got)) {
									t.Fatalf("%s: out[%d][%d] = %v, want %v", what, y, x, got, want)
								}
							case math.Abs(got-want) > 1e-5*(1+math.Abs(want)):
								t.Fatalf("%s: out[%d][%d] = %v, want %v", what, y, x, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestDepthwisePlane3Fenced runs the kernels on planes and outputs that
// end against an inaccessible page: the last row's masked loads must not
// read past the plane, nor the stores write past the output.
func TestDepthwisePlane3Fenced(t *testing.T) {
	r := rand.New(rand.NewPCG(32, 32))
	for i := range impls {
		im := &impls[i]
		for _, s := range []int{1, 2} {
			for _, ow := range []int{1, 4, 7, 8, 9, 16, 17, 28, 33} {
				oh, wp := 3, (ow-1)*s+3
				p := fenced(t, ((oh-1)*s+3)*wp, true)
				out := fenced(t, oh*ow, true)
				fill(r, p)
				w := randSlice(r, 9)
				im.dwPlane(out, oh, ow, p, wp, s, w, 0, 0, 6)
				dst := fenced(t, 3*ow, true)
				im.copyRows(dst, ow, out, ow, 3, ow)
				for j := range dst {
					if dst[j] != out[j] {
						t.Fatalf("%s copyRows %d: dst[%d] = %v, want %v", im.name, ow, j, dst[j], out[j])
					}
				}
			}
		}
	}
}

// TestCopyRows copies into the interior of a larger plane: exactly the
// rows × cols floats change, every tail of a 16-float vector included.
func TestCopyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 33))
	for i := range impls {
		im := &impls[i]
		for cols := 1; cols <= 50; cols++ {
			rows, ldd, lds := 3, cols+4, cols+1
			src := randSlice(r, (rows-1)*lds+cols)
			outer, dst := guarded(rows*ldd, 16)
			for j := range dst {
				dst[j] = -7
			}
			im.copyRows(dst[1:], ldd, src, lds, rows, cols)
			checkGuards(t, im.name+" copyRows", outer, 16)
			for j, v := range dst {
				rr, cc := (j-1)/ldd, (j-1)%ldd
				want := float32(-7)
				if j >= 1 && rr < rows && cc < cols {
					want = src[rr*lds+cc]
				}
				if v != want {
					t.Fatalf("%s copyRows cols=%d: dst[%d] = %v, want %v", im.name, cols, j, v, want)
				}
			}
		}
	}
}

// TestStridedRows: every implementation picks every s-th float, for
// every chunk tail, from sources ending against an inaccessible page
// (the last chunk's masked loads must stop at the last float taken).
func TestStridedRows(t *testing.T) {
	r := rand.New(rand.NewPCG(34, 34))
	for i := range impls {
		im := &impls[i]
		for _, s := range []int{1, 2, 3} {
			for n := 1; n <= 40; n++ {
				rows, ldd, lds := 3, n+2, s*n+5
				src := fenced(t, (rows-1)*lds+s*(n-1)+1, true)
				fill(r, src)
				outer, dst := guarded(rows*ldd, 16)
				im.stridedRows(dst, ldd, src, lds, rows, n, s)
				checkGuards(t, im.name+" stridedRows", outer, 16)
				for y := 0; y < rows; y++ {
					for x := 0; x < ldd; x++ {
						want := float32(guard) // the gaps between rows are not written
						if x < n {
							want = src[y*lds+s*x]
						}
						if got := dst[y*ldd+x]; got != want {
							t.Fatalf("%s s=%d n=%d: dst[%d][%d] = %v, want %v", im.name, s, n, y, x, got, want)
						}
					}
				}
			}
		}
	}
}

// TestSplitRows: every implementation writes each row's even floats to a
// and odd ones to b, and nothing else (guards around both, the gaps
// between rows included), for widths of one float to past two blocks,
// the source ending against an inaccessible page.
func TestSplitRows(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 39))
	for i := range impls {
		im := &impls[i]
		for cols := 1; cols <= 70; cols++ {
			rows, ldd, lds := 3, (cols+1)/2+3, cols+5
			src := fenced(t, (rows-1)*lds+cols, true)
			fill(r, src)
			outA, a := guarded(rows*ldd, 16)
			outB, b := guarded(rows*ldd, 16)
			im.splitRows(a, b, ldd, src, lds, rows, cols)
			checkGuards(t, im.name+" splitRows a", outA, 16)
			checkGuards(t, im.name+" splitRows b", outB, 16)
			for y := 0; y < rows; y++ {
				for x := 0; x < ldd; x++ {
					wantA, wantB := float32(guard), float32(guard)
					if 2*x < cols {
						wantA = src[y*lds+2*x]
					}
					if 2*x+1 < cols {
						wantB = src[y*lds+2*x+1]
					}
					if a[y*ldd+x] != wantA || b[y*ldd+x] != wantB {
						t.Fatalf("%s cols=%d: row %d col %d = %v, %v, want %v, %v", im.name, cols, y, x, a[y*ldd+x], b[y*ldd+x], wantA, wantB)
					}
				}
			}
		}
	}
}

// TestDepthwisePlane3Pool: every implementation is close to the reference
// (NaN where it is NaN) and equals its own DepthwisePlane3 followed by a
// 2×2 max bit for bit (the same sums: FMA or not is the implementation's),
// over pooled widths 1–40 and wide ones (the one- and
// two-vector chunks), slack in the rows, the clamp, NaN and Inf pixels,
// guarded outputs and planes ending against an inaccessible page.
func TestDepthwisePlane3Pool(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 35))
	inf := float32(math.Inf(1))
	widths := []int{}
	for w := 1; w <= 40; w++ {
		widths = append(widths, w)
	}
	widths = append(widths, 47, 56)
	for i := range impls {
		im := &impls[i]
		for _, pw := range widths {
			for _, c := range []struct {
				ph, slack int
				lo, hi    float32
			}{{1, 0, -inf, inf}, {3, 3, 0, 6}, {2, 0, 0, inf}} {
				ph, wp := c.ph, 2*pw+2+c.slack
				p := fenced(t, (2*ph+2)*wp, true)
				fill(r, p)
				if pw%6 == 1 {
					p[r.IntN(len(p))] = float32(math.NaN())
					p[r.IntN(len(p))] = -inf
				}
				w := randSlice(r, 9)
				bias := float32(r.NormFloat64())
				want := make([]float32, ph*pw)
				dwPlanePoolGeneric(want, ph, pw, p, wp, w, bias, c.lo, c.hi)
				outer, got := guarded(ph*pw, 16)
				saved := active
				active = im
				DepthwisePlane3Pool(got, ph, pw, p, wp, w, bias, c.lo, c.hi)
				active = saved
				what := fmt.Sprintf("%s ph=%d pw=%d wp=%d", im.name, ph, pw, wp)
				checkGuards(t, what, outer, 16)
				full := make([]float32, 2*ph*2*pw) // the plane of the same sums
				if im.dwPoolNative {
					im.dwPlane(full, 2*ph, 2*pw, p, wp, 1, w, bias, c.lo, c.hi)
				} else { // no kernel of its own: the generic pool, of the generic plane
					dwPlaneGeneric(full, 2*ph, 2*pw, p, wp, 1, w, bias, c.lo, c.hi)
				}
				for y := 0; y < ph; y++ {
					for x := 0; x < pw; x++ {
						g, ref := got[y*pw+x], want[y*pw+x]
						if (g != g) != (ref != ref) || (g == g && math.Abs(float64(g-ref)) > 1e-5*(1+math.Abs(float64(ref)))) {
							t.Fatalf("%s: [%d][%d] = %v, reference %v", what, y, x, g, ref)
						}
						m, nan := float32(math.Inf(-1)), false
						for _, v := range []float32{full[2*y*2*pw+2*x], full[2*y*2*pw+2*x+1], full[(2*y+1)*2*pw+2*x], full[(2*y+1)*2*pw+2*x+1]} {
							nan = nan || v != v
							m = max(m, v)
						}
						if nan != (g != g) || (!nan && g != m) {
							t.Fatalf("%s: [%d][%d] = %v, pool of DepthwisePlane3 %v", what, y, x, g, m)
						}
					}
				}
			}
		}
	}
}

// TestDepthwiseChannels3: every implementation's channel loop equals a
// CopyRows and a DepthwisePlane3 per channel, bit for bit, with one input
// plane per channel or one for all (inCh 0), at both strides, with the
// image at every parity of top and left padding (the AVX-512 loop splits
// a stride-2 plane into even and odd columns, in bands of dwBand output
// rows, two rows at a time), for rows of one vector and of several, maps
// of one band and of several, and a plane wider than the taps need.
func TestDepthwiseChannels3(t *testing.T) {
	r := rand.New(rand.NewPCG(36, 36))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, s := range []int{1, 2} {
			for _, c := range []struct{ h, w, pt, pl, extra int }{
				{7, 9, 1, 1, 0}, {7, 9, 0, 0, 0}, {6, 8, 0, 0, 0}, {6, 8, 1, 0, 0}, {6, 8, 0, 1, 0},
				{5, 40, 1, 1, 0}, {5, 40, 0, 0, 0}, {4, 41, 0, 1, 0}, {4, 41, 1, 0, 3}, {3, 70, 2, 3, 1},
				{37, 20, 1, 1, 0}, {36, 19, 0, 0, 0}, {40, 17, 2, 1, 0}, {33, 33, 1, 0, 2}, {34, 16, 0, 1, 0},
			} {
				for _, inCh := range []int{0, 1} {
					const ch = 5
					h, w := c.h, c.w
					oh, ow := (h+c.pt-1)/s+1, (w+c.pl-1)/s+1
					wp, hp := (ow-1)*s+3+c.extra, (oh-1)*s+3
					rows, cols := min(h, hp-c.pt), min(w, wp-c.pl)
					at := c.pt*wp + c.pl
					in := randSlice(r, ch*h*w)
					wt, bias := randSlice(r, 9*ch), randSlice(r, ch)
					plane := make([]float32, hp*wp)
					got := make([]float32, ch*oh*ow)
					DepthwiseChannels3(got, oh*ow, in, inCh*h*w, w, rows, cols, plane, at, wp, oh, ow, s, wt, bias, 0, 6)
					want := make([]float32, ch*oh*ow)
					ref := make([]float32, hp*wp)
					for k := 0; k < ch; k++ {
						CopyRows(ref[at:], wp, in[k*inCh*h*w:], w, rows, cols)
						DepthwisePlane3(want[k*oh*ow:], oh, ow, ref, wp, s, wt[9*k:], bias[k], 0, 6)
					}
					for j := range want {
						if got[j] != want[j] {
							t.Fatalf("%s s=%d %+v inCh=%d: out[%d] = %v, per channel %v", im.name, s, c, inCh, j, got[j], want[j])
						}
					}
				}
			}
		}
		active = saved
	}
}

// TestCompactBiasClamp: every implementation writes exactly the columns
// ox < ow of a padded-width tile, in order, with the bias and clamp, for
// tiles starting anywhere in a row, across several rows, and from a NaN.
func TestCompactBiasClamp(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 37))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, c := range []struct{ ow, wp int }{{1, 3}, {7, 9}, {15, 16}, {16, 17}, {17, 19}, {55, 56}, {40, 40}} {
			for _, ox0 := range []int{0, 1, c.wp - 1} {
				for _, n := range []int{1, 5, 16, 33, 144, 3 * c.wp} {
					src := randSlice(r, n)
					src[n/2] = float32(math.NaN())
					var want []float32
					for j, ox := 0, ox0; j < n; j, ox = j+1, (ox+1)%c.wp {
						if ox < c.ow {
							want = append(want, clampKeepNaN(src[j]+0.5, 0, 1))
						}
					}
					outer, dst := guarded(len(want), 16)
					got := CompactBiasClamp(dst, src, n, ox0, c.ow, c.wp, 0.5, 0, 1)
					what := fmt.Sprintf("%s ow=%d wp=%d ox0=%d n=%d", im.name, c.ow, c.wp, ox0, n)
					checkGuards(t, what, outer, 16)
					if got != len(want) {
						t.Fatalf("%s: wrote %d, want %d", what, got, len(want))
					}
					for j := range want {
						if dst[j] != want[j] && !(dst[j] != dst[j] && want[j] != want[j]) {
							t.Fatalf("%s: dst[%d] = %v, want %v", what, j, dst[j], want[j])
						}
					}
				}
			}
		}
		active = saved
	}
}

// TestBiasClampRows: every implementation equals BiasClamp row by row,
// bit for bit, for every tail of a 16-float vector, rows with gaps between
// them (untouched), NaN kept.
func TestBiasClampRows(t *testing.T) {
	r := rand.New(rand.NewPCG(38, 38))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for n := 1; n <= 40; n++ {
			rows, ld := 3, n+3
			x := randSlice(r, rows*ld)
			x[n/2] = float32(math.NaN())
			bias := randSlice(r, rows)
			want := append([]float32(nil), x...)
			for row := 0; row < rows; row++ {
				BiasClamp(want[row*ld:row*ld+n], bias[row], 0, 1.5)
			}
			got := append([]float32(nil), x...)
			BiasClampRows(got, ld, rows, n, bias, 0, 1.5)
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) && !(got[j] != got[j] && want[j] != want[j]) {
					t.Fatalf("%s n=%d: x[%d] = %v, want %v", im.name, n, j, got[j], want[j])
				}
			}
		}
		active = saved
	}
}

// TestRowsInPlace: CompactBiasClamp with dst the same memory as src (a
// tile compacted in place: every kept column moves down or stays) and
// CopyRows between overlapping rows give what the generic loops give, in
// every implementation (AVX2's last vector of a run, and the vectors of a
// row, would re-read floats already written); StridedRows refuses a
// negative row stride, which would read before src.
func TestRowsInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 39))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, c := range []struct{ n, ox0, ow, wp int }{{13, 0, 13, 14}, {40, 3, 17, 19}, {100, 0, 55, 56}, {9, 0, 9, 10}} {
			src := randSlice(r, c.n)
			want := make([]float32, c.n)
			nw := compactClampGeneric(want, src, c.n, c.ox0, c.ow, c.wp, 1, -100, 100)
			got := append([]float32(nil), src...)
			ng := CompactBiasClamp(got, got, c.n, c.ox0, c.ow, c.wp, 1, -100, 100)
			if ng != nw {
				t.Fatalf("%s %+v in place: wrote %d, want %d", im.name, c, ng, nw)
			}
			for j := 0; j < nw; j++ {
				if got[j] != want[j] {
					t.Fatalf("%s %+v in place: dst[%d] = %v, want %v", im.name, c, j, got[j], want[j])
				}
			}
		}
		for _, cols := range []int{3, 7, 9, 20} {
			for _, shift := range []int{1, 5, -3} {
				buf := randSlice(r, 4*cols+40)
				want := append([]float32(nil), buf...)
				// overlapping: rows cols+2 apart, shifted by less than a
				// vector; the reference a memmove a row, in order
				d, s := 20, 20+shift
				copyRowsGeneric(want[d:], cols+2, want[s:], cols+2, 3, cols)
				CopyRows(buf[d:], cols+2, buf[s:], cols+2, 3, cols)
				for j := range buf {
					if buf[j] != want[j] {
						t.Fatalf("%s overlapping CopyRows cols=%d shift=%d: [%d] = %v, want %v", im.name, cols, shift, j, buf[j], want[j])
					}
				}
			}
		}
		active = saved
	}
	defer func() {
		if recover() == nil {
			t.Fatal("StridedRows with a negative source stride did not panic")
		}
	}()
	big := make([]float32, 64)
	StridedRows(make([]float32, 2), 1, big[32:33], -8, 2, 1, 2)
}
