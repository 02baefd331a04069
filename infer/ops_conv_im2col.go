package infer

import "github.com/edge-pi/edge/simd"

// The im2col path of convKernel (and the pointwise one, whose input is
// the matrix): tiles of the im2col matrix, each thread in its own slice of
// the scratch buffer, by the packed GEMM.

// convTile is the widest im2col tile, in output columns: a multiple of the
// GEMM kernels' column strip (24 on amd64, 8 on arm64). tileFor narrows it
// for large K so that one tile stays within about 512 KiB.
const convTile = 144

func tileFor(k int) int {
	t := (128 << 10) / max(k, 1) / 24 * 24
	return min(convTile, max(24, t))
}

// pad copies input planes [lo, hi) (over batch × cin) into the zero-padded
// planes of the scratch buffer (or their phase planes), the last of an
// image also clearing the overrun after the planes.
func (k *convKernel) pad(lo, hi int) {
	if k.phasePlanes {
		k.padPhases(lo, hi)
		return
	}
	x := k.n.in[0].t.F
	for i := lo; i < hi; i++ {
		k.padAhead(i, lo, hi)
		b, c := i/k.cin, i%k.cin
		dst := k.scratch[b*k.qlen : (b+1)*k.qlen]
		if c == k.cin-1 {
			clear(dst[k.cin*k.plane:])
		}
		pl := dst[c*k.plane : (c+1)*k.plane]
		src := x[(b*k.cin+c)*k.h*k.w:]
		clear(pl[:k.pt*k.wp])
		for y := 0; y < k.h; y++ {
			row := pl[(k.pt+y)*k.wp : (k.pt+y+1)*k.wp]
			clear(row[:k.pl])
			copy(row[k.pl:], src[y*k.w:(y+1)*k.w])
			clear(row[k.pl+k.w:])
		}
		clear(pl[(k.pt+k.h)*k.wp:])
	}
}

// units computes work units [lo, hi): one unit is a tile of up to
// k.tile output columns of one image and group, for one block of output
// channels. Splitting the channels too keeps every thread busy on the
// small feature maps of deep layers, where there are fewer tiles than
// threads.
func (k *convKernel) units(slot, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	cols := k.oh * k.ow
	var col, stage, band []float32
	if k.bandPhases {
		s := k.scratch[slot*slotStride(k.bandLen+k.slotLen()):]
		band, col = s[:k.bandLen], s[k.bandLen:][:k.k*k.tile]
	} else if !k.pointwise {
		s := k.scratch[slotsAt(k.batch*k.qlen)+slot*slotStride(k.slotLen()):]
		col = s[:k.k*k.tile]
		stage = s[k.k*k.tile:]
	}
	if k.rows && k.pool {
		k.shiftedRowPoolUnits(col, stage, lo, hi)
		return
	}
	if k.rows {
		k.shiftedRowUnits(col, band, lo, hi)
		return
	}
	if k.shifted {
		k.shiftedUnits(col, stage, lo, hi)
		return
	}
	for u := lo; u < hi; u++ {
		t, g, b, m0, m1 := k.unit(u)
		c0 := t * k.tile
		n := min(k.tile, cols-c0)
		in := x[(b*k.cin+g*k.cg)*k.h*k.w:]
		base := (b*k.cout + g*k.mg) * cols
		out := y[base:]
		bm, ldb := in[c0:], k.h*k.w
		if !k.pointwise {
			k.im2col(in, col, c0, n)
			bm, ldb = col, n
		}
		// an activation that is a clamp, and no residual: applied with
		// the bias as the GEMM stores the tile, where simd can, else in
		// one call for all its rows while the tile is in cache
		if lo, hi, clamp := k.act.clampBounds(); clamp && k.act.kind != actNone && res == nil {
			simd.GemmPackedBiasClamp(k.packed[g], m0, m1, n, bm, ldb, out[m0*cols+c0:], cols, k.bias[g*k.mg+m0:g*k.mg+m1], lo, hi)
			continue
		}
		simd.GemmPacked(k.packed[g], m0, m1, n, bm, ldb, out[m0*cols+c0:], cols)
		for m := m0; m < m1; m++ {
			var rr []float32
			if res != nil {
				rr = res[base+m*cols+c0 : base+m*cols+c0+n]
			}
			k.finish(out[m*cols+c0:m*cols+c0+n], rr, g*k.mg+m)
		}
	}
}

// im2col writes the K × n patch matrix for output columns [c0, c0+n) into
// col (row stride n). Each patch row is filled one output row at a time:
// the valid stretch of input is a copy (stride 1) or a strided gather, and
// the taps that fall into the padding are zeros, found by arithmetic
// instead of a bounds test per element.
func (k *convKernel) im2col(in, col []float32, c0, n int) {
	r := 0
	for c := 0; c < k.cg; c++ {
		plane := in[c*k.h*k.w : (c+1)*k.h*k.w]
		for ky := 0; ky < k.kh; ky++ {
			for kx := 0; kx < k.kw; kx++ {
				dst := col[r*n : (r+1)*n]
				r++
				k.patchRow(plane, dst, c0, ky*k.dh-k.pt, kx*k.dw-k.pl)
			}
		}
	}
}

// patchShort is the longest run of output columns patchRow fills element
// by element: resnet18's 4×4 maps at 112² spent 0.25 ms a layer (a third
// of it) in im2col, in calls to clear and copy for 4 floats each.
const patchShort = 8

// patchRow fills dst with in[oy·sh + dy][ox·sw + dx] for the output
// positions c0, c0+1, … (zero outside the input).
func (k *convKernel) patchRow(plane, dst []float32, c0, dy, dx int) {
	oy, ox := c0/k.ow, c0%k.ow
	// valid output columns: 0 ≤ ox·sw + dx < w for ox in [vlo, vhi)
	vlo := 0
	if dx < 0 {
		vlo = (-dx + k.sw - 1) / k.sw
	}
	vhi := (k.w - dx + k.sw - 1) / k.sw // first ox with ox·sw+dx ≥ w
	for j := 0; j < len(dst); {
		seg := min(k.ow-ox, len(dst)-j) // output columns left in this output row
		out := dst[j : j+seg]
		iy := oy*k.sh + dy
		if seg <= patchShort {
			// a few columns (a deep layer's small map): element by
			// element, cheaper than three calls to clear and copy
			if iy < 0 || iy >= k.h {
				clear(out)
			} else {
				row := plane[iy*k.w : (iy+1)*k.w]
				ix := ox*k.sw + dx
				for i := range out {
					var v float32
					if uint(ix) < uint(len(row)) {
						v = row[ix]
					}
					out[i] = v
					ix += k.sw
				}
			}
		} else if iy < 0 || iy >= k.h {
			clear(out)
		} else {
			row := plane[iy*k.w : (iy+1)*k.w]
			lo, hi := min(max(vlo-ox, 0), seg), min(max(vhi-ox, 0), seg)
			clear(out[:lo])
			if hi > lo {
				ix := (ox+lo)*k.sw + dx
				if k.sw == 1 {
					copy(out[lo:hi], row[ix:ix+hi-lo])
				} else {
					for i := lo; i < hi; i++ {
						out[i] = row[ix]
						ix += k.sw
					}
				}
			}
			if hi > lo {
				clear(out[hi:])
			} else {
				clear(out[lo:])
			}
		}
		j += seg
		ox = 0
		oy++
	}
}
