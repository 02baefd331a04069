package infer

import "github.com/edge-pi/edge/simd"

// The shifted path of convKernel: the im2col rows read in place from
// zero-padded planes (stride 1) or phase planes (strides 2–4) through tap
// offsets, by tiles through a stage or, on wide maps, by whole output rows.

// rowsMinWidth is the narrowest output row a shifted convolution computes
// one row per GEMM (convKernel.rows): a row of fewer columns would be a
// product too narrow for the kernels' strips.
const rowsMinWidth = 64

// rowsTile is the most output columns of a unit of rows (faces' stem:
// 112, 224, 448 and 896 measured alike, all faster than the stage).
const rowsTile = 448

// padGrain is about the fewest floats of padded planes a piece of the
// padding loop writes.
const padGrain = 8192

// rowsOff turns the rows of shifted convolutions off (tests compare).
var rowsOff = false

// shiftedWaste bounds the share of dropped columns (wp-ow)/wp of a
// shifted convolution (see convKernel.shifted) to 1/shiftedWaste. The
// shifted GEMM reads the padded planes in place (amd64) or with one
// contiguous copy per tap and tile, where im2col needs one per tap and
// output row: on squeezenet1_1's 6×6 maps (a quarter of the columns
// dropped) the shifted 3×3 convolutions took 0.75 of the im2col time
// (AMD Zen 4), on 13×13 maps 0.95.
const shiftedWaste = 3

// padPhases writes the s×s phase planes of the zero-padded input (see
// convKernel.phasePlanes): phase (py, px), row i, column j holds input row
// s·i + py - pt, column s·j + px - pl, or zero outside the input.
func (k *convKernel) padPhases(lo, hi int) {
	if k.sh == 2 {
		k.padPhases2(lo, hi)
		return
	}
	x := k.n.in[0].t.F
	s, ph := k.sh, k.hp*k.wp
	for i := lo; i < hi; i++ {
		k.padAhead(i, lo, hi)
		b, c := i/k.cin, i%k.cin
		dst := k.scratch[b*k.qlen : (b+1)*k.qlen]
		if c == k.cin-1 {
			clear(dst[k.cin*k.plane:])
		}
		src := x[(b*k.cin+c)*k.h*k.w : (b*k.cin+c+1)*k.h*k.w]
		for py := 0; py < s; py++ {
			for px := 0; px < s; px++ {
				q := dst[c*k.plane+(py*s+px)*ph : c*k.plane+(py*s+px+1)*ph]
				// columns j whose input column s·j + px - pl lies in [0, w),
				// rows i whose input row s·i + py - pt does
				jlo := min(k.wp, max(0, (k.pl-px+s-1)/s))
				jhi := max(jlo, min(k.wp, (k.w+k.pl-px+s-1)/s))
				ilo := min(k.hp, max(0, (k.pt-py+s-1)/s))
				ihi := max(ilo, min(k.hp, (k.h+k.pt-py+s-1)/s))
				if jlo > 0 || jhi < k.wp || ilo > 0 || ihi < k.hp {
					clear(q) // the padding, then the inside over it
				}
				if jhi > jlo && ihi > ilo {
					simd.StridedRows(q[ilo*k.wp+jlo:], k.wp, src[(s*ilo+py-k.pt)*k.w+s*jlo+px-k.pl:], s*k.w, ihi-ilo, jhi-jlo, s)
				}
			}
		}
	}
}

// padPhases2 is padPhases at stride 2: an input row goes into both column
// phases of its row phase in one simd.SplitRows, and only the padding
// around what it writes is cleared (a stem's 3×224×224 input: 40 µs
// with a call per phase and the planes cleared whole, AMD Zen 5).
func (k *convKernel) padPhases2(lo, hi int) {
	x := k.n.in[0].t.F
	ph := k.hp * k.wp
	cols := min(k.w, 2*k.wp-k.pl) // input columns inside the planes
	na, nb := (cols+1)/2, cols/2  // of them in a's phase, b's
	ja, jb := k.pl/2, (k.pl+1)/2  // the first column of each
	for i := lo; i < hi; i++ {
		k.padAhead(i, lo, hi)
		b, c := i/k.cin, i%k.cin
		dst := k.scratch[b*k.qlen : (b+1)*k.qlen]
		if c == k.cin-1 {
			clear(dst[k.cin*k.plane:])
		}
		src := x[(b*k.cin+c)*k.h*k.w : (b*k.cin+c+1)*k.h*k.w]
		for py := 0; py < 2; py++ {
			// rows i whose input row 2i + py - pt lies in [0, h)
			ilo := min(k.hp, max(0, (k.pt-py+1)/2))
			ihi := max(ilo, min(k.hp, (k.h+k.pt-py+1)/2))
			// input column 0 is padded column pl: phase (py, pl mod 2)
			pa := dst[c*k.plane+(2*py+k.pl%2)*ph:][:ph]
			pb := dst[c*k.plane+(2*py+(k.pl+1)%2)*ph:][:ph]
			clearOutside(pa, k.hp, k.wp, ilo, ihi, ja, ja+na)
			clearOutside(pb, k.hp, k.wp, ilo, ihi, jb, jb+nb)
			if ihi > ilo && cols > 0 {
				simd.SplitRows(pa[ilo*k.wp+ja:], pb[ilo*k.wp+jb:], k.wp, src[(2*ilo+py-k.pt)*k.w:], 2*k.w, ihi-ilo, cols)
			}
		}
	}
}

// padAhead asks for the lines of padded plane i+1 of a pad loop over
// planes [lo, hi) (over batch × cin), and at lo of plane i too, for
// writing (simd.PrefetchStore): the scratch was last written by another
// layer's kernel, much of it by the other threads' cores. resnet18's
// stride-2 layer at 112² (64 planes of 28²) at 2 threads: 42–47 → 23–27
// µs a thread (AMD Zen 5).
func (k *convKernel) padAhead(i, lo, hi int) {
	if k.threads > 1 {
		storeAhead(i, lo, hi, k.paddedPlane)
	}
}

// paddedPlane is padded plane i (over batch × cin) of the shifted paths,
// with its phase planes.
func (k *convKernel) paddedPlane(i int) []float32 {
	b, c := i/k.cin, i%k.cin
	return k.scratch[b*k.qlen+c*k.plane:][:k.plane]
}

// storeAhead asks for plane(i+1) of a loop over planes [lo, hi), and at
// lo for plane(i) too, for writing (simd.PrefetchStore).
func storeAhead(i, lo, hi int, plane func(int) []float32) {
	if i == lo {
		simd.PrefetchStore(plane(i))
	}
	if i+1 < hi {
		simd.PrefetchStore(plane(i + 1))
	}
}

// bandPhasesOff turns the rows path's band padding off (tests compare).
var bandPhasesOff = false

// setBandPhases chooses band padding for the rows path at stride 2 (see
// convKernel.bandPhases) and lays out a band: per input channel the four
// phase planes of bandRows rows, the phase rows of a unit's tileRows
// output rows and the taps below them. On faces' stem (3 channels of
// 224², 613 KB of phase planes) the whole planes were written into lines
// a run finds cold, and read back from L2; a unit's band (27 KB) stays
// in L1.
func (k *convKernel) setBandPhases() {
	k.bandPhases = !bandPhasesOff && k.rows && k.phasePlanes && k.sh == 2 && !k.pool && k.groups == 1 &&
		!k.lanes && !k.wino && !k.tposed
	if k.bandPhases {
		k.setBand(k.tileRows, (k.kw-1)*k.dw/2)
	}
}

// setBand lays out a band for units of rows output rows: bandRows phase
// rows a plane, slack floats after the last plane.
func (k *convKernel) setBand(rows, slack int) {
	k.bandRows = rows + (k.kh-1)*k.dh/2
	plane := 4 * k.bandRows * k.wp
	k.bandLen = k.cin*plane + slack
	k.bandOffs = k.bandOffs[:0]
	for c := 0; c < k.cin; c++ {
		for ky := 0; ky < k.kh; ky++ {
			for kx := 0; kx < k.kw; kx++ {
				py, dy := ky*k.dh%2, ky*k.dh/2
				px, dx := kx*k.dw%2, kx*k.dw/2
				k.bandOffs = append(k.bandOffs, int32(c*plane+(py*2+px)*k.bandRows*k.wp+dy*k.wp+dx))
			}
		}
	}
}

// unitPlanes returns the padded input a unit of output rows [oy0, oy1)
// of image b and group g reads, and the output row of its row 0: with a
// band (bandPhases), the unit's phase rows padded into it; else the
// planes the threads padded together.
func (k *convKernel) unitPlanes(band []float32, b, g, oy0, oy1 int) ([]float32, int) {
	if band == nil {
		return k.scratch[b*k.qlen+g*k.cg*k.plane : (b+1)*k.qlen], 0
	}
	k.padBand(band, b, oy0, oy1)
	return band, oy0
}

// padBand is padPhases2 for the phase rows that output rows [oy0, oy1)
// of image b read, into band (see setBandPhases): row i of a band plane
// holds phase row oy0 + i.
func (k *convKernel) padBand(band []float32, b, oy0, oy1 int) {
	x := k.n.in[0].t.F
	r0, r1 := oy0, min(k.hp, oy1+(k.kh-1)*k.dh/2) // the phase rows
	n := r1 - r0
	ph := k.bandRows * k.wp
	cols := min(k.w, 2*k.wp-k.pl) // input columns inside the planes
	na, nb := (cols+1)/2, cols/2
	ja, jb := k.pl/2, (k.pl+1)/2
	clear(band[k.cin*4*ph:])
	for c := 0; c < k.cin; c++ {
		src := x[(b*k.cin+c)*k.h*k.w : (b*k.cin+c+1)*k.h*k.w]
		for py := 0; py < 2; py++ {
			// phase rows i in [r0, r1) whose input row 2i + py - pt lies in [0, h)
			ilo := min(r1, max(r0, (k.pt-py+1)/2))
			ihi := max(ilo, min(r1, (k.h+k.pt-py+1)/2))
			pa := band[c*4*ph+(2*py+k.pl%2)*ph:][:ph]
			pb := band[c*4*ph+(2*py+(k.pl+1)%2)*ph:][:ph]
			clearOutside(pa, n, k.wp, ilo-r0, ihi-r0, ja, ja+na)
			clearOutside(pb, n, k.wp, ilo-r0, ihi-r0, jb, jb+nb)
			if ihi > ilo && cols > 0 {
				simd.SplitRows(pa[(ilo-r0)*k.wp+ja:], pb[(ilo-r0)*k.wp+jb:], k.wp, src[(2*ilo+py-k.pt)*k.w:], 2*k.w, ihi-ilo, cols)
			}
		}
	}
}

// clearOutside zeroes an hp × wp plane but for rows [ilo, ihi) ×
// columns [jlo, jhi).
func clearOutside(q []float32, hp, wp, ilo, ihi, jlo, jhi int) {
	if ihi <= ilo || jhi <= jlo {
		clear(q[:hp*wp])
		return
	}
	clear(q[:ilo*wp])
	clear(q[ihi*wp : hp*wp])
	for i := ilo; i < ihi; i++ {
		clear(q[i*wp : i*wp+jlo])
		clear(q[i*wp+jhi : (i+1)*wp])
	}
}

// rowGemm is one call of the rows path's product over n columns from b:
// with bias (not nil) the bias and clamp [lo, hi] applied as it stores.
func (k *convKernel) rowGemm(g, m0, m1, n int, b []float32, offs []int32, col, out []float32, ldc int, bias []float32, lo, hi float32) {
	if bias != nil {
		simd.GemmOffsetsBiasClamp(k.packed[g], m0, m1, n, b, offs, col[:k.k*n], out, ldc, bias, lo, hi)
		return
	}
	simd.GemmOffsets(k.packed[g], m0, m1, n, b, offs, col[:k.k*n], out, ldc)
}

// shiftedUnits is units for a shifted convolution: the GEMM reads the
// im2col tile from the padded input through the tap offsets (on amd64 in
// place; elsewhere copied into col first), writes the tile of output
// columns q into stage, and the columns inside the image go to the output
// (for one output channel, the valid columns of a tile are one contiguous
// run of it), where the bias, residual and activation are applied.
func (k *convKernel) shiftedUnits(col, stage []float32, lo, hi int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	cols, qcols := k.oh*k.ow, k.oh*k.wp
	for u := lo; u < hi; u++ {
		t, g, b, m0, m1 := k.unit(u)
		q0 := t * k.tile
		n := min(k.tile, qcols-q0)
		padded := k.scratch[b*k.qlen+g*k.cg*k.plane : (b+1)*k.qlen]
		simd.GemmOffsets(k.packed[g], m0, m1, n, padded[q0:], k.offs, col[:k.k*n], stage, n)
		// output positions [p0, p1) of the tile
		oy0, ox0 := q0/k.wp, q0%k.wp
		p0 := oy0*k.ow + min(ox0, k.ow)
		oy1, ox1 := (q0+n)/k.wp, (q0+n)%k.wp
		p1 := oy1*k.ow + min(ox1, k.ow)
		if p1 == p0 {
			continue
		}
		base := (b*k.cout + g*k.mg) * cols
		actLo, actHi, clamp := k.act.clampBounds()
		for m := m0; m < m1; m++ {
			src := stage[(m-m0)*n : (m-m0+1)*n]
			dst := y[base+m*cols+p0 : base+m*cols+p1]
			if clamp && res == nil { // the runs of columns ox < ow, the bias and clamp, in one pass
				simd.CompactBiasClamp(dst, src, n, ox0, k.ow, k.wp, k.bias[g*k.mg+m], actLo, actHi)
				continue
			}
			simd.CompactRows(dst, src, n, ox0, k.ow, k.wp)
			var rr []float32
			if res != nil {
				rr = res[base+m*cols+p0 : base+m*cols+p1]
			}
			k.finish(dst, rr, g*k.mg+m)
		}
	}
}

// shiftedRowUnits is units for a shifted convolution by whole output rows
// (convKernel.rows): each row is one GEMM of ow columns, reading the
// im2col rows in place from the padded input at the row's first column
// (the padded width's extra columns are never computed) and writing the
// output row of every channel of the block where it belongs, so there is
// no stage to compact; then the bias, residual and activation over the
// unit's rows, contiguous in each channel, in one call where they are a
// clamp. On faces' 224×224 stem (3 → 32 channels, stride 2, 112 columns)
// the stage and its compaction cost as much as the product.
func (k *convKernel) shiftedRowUnits(col, band []float32, lo, hi int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	cols := k.oh * k.ow
	actLo, actHi, clamp := k.act.clampBounds()
	for u := lo; u < hi; u++ {
		t, g, b, m0, m1 := k.unit(u)
		oy0 := t * k.tileRows
		oy1 := min(k.oh, oy0+k.tileRows)
		padded, first := k.unitPlanes(band, b, g, oy0, oy1)
		offs := k.offs
		if band != nil {
			offs = k.bandOffs
		}
		base := (b*k.cout + g*k.mg) * cols
		split := simd.GemmOffsetsSplit(k.ow) // a row in two calls where that reads B in place
		// a clamp (or none) and no residual: the bias and clamp applied
		// as the product is stored, not in a second pass over the tile
		fused := clamp && k.act.kind != actNone && res == nil
		var bias []float32 // with fused, the rows' bias
		if fused {
			bias = k.bias[g*k.mg+m0 : g*k.mg+m1]
		}
		for oy := oy0; oy < oy1; oy++ {
			out := y[base+m0*cols+oy*k.ow:]
			row := padded[(oy-first)*k.wp:]
			if split == 0 {
				k.rowGemm(g, m0, m1, k.ow, row, offs, col, out, cols, bias, actLo, actHi)
				continue
			}
			k.rowGemm(g, m0, m1, split, row, offs, col, out, cols, bias, actLo, actHi)
			k.rowGemm(g, m0, m1, k.ow-split, row[split:], offs, col, out[split:], cols, bias, actLo, actHi)
		}
		if fused {
			continue
		}
		p0, n := oy0*k.ow, (oy1-oy0)*k.ow
		for m := m0; m < m1; m++ {
			var rr []float32
			if res != nil {
				rr = res[base+m*cols+p0 : base+m*cols+p0+n]
			}
			k.finish(y[base+m*cols+p0:base+m*cols+p0+n], rr, g*k.mg+m)
		}
	}
}

// shiftedRowPoolUnits is shiftedRowUnits with a 2×2/2 MaxPool fused
// (fusePool): each pair of output rows is computed into the slot's stage
// (the block's channels × 2 rows, the bias and clamp applied as it is
// stored) and pooled into the output (the last row of an odd map is
// dropped, as the pool's floor rounding does). Koch's 10×10 layer on
// 105²: the pool a step of its own took 13 µs at one thread, 23 at two.
func (k *convKernel) shiftedRowPoolUnits(col, stage []float32, lo, hi int) {
	y := k.n.out[0].t.F
	ph, pw := k.oh/2, k.ow/2
	actLo, actHi, _ := k.act.clampBounds()
	pair := stage[:2*k.mg*k.ow]
	split := simd.GemmOffsetsSplit(k.ow)
	for u := lo; u < hi; u++ {
		t, g, b, m0, m1 := k.unit(u)
		oy0 := t * k.tileRows
		oy1 := min(k.oh, oy0+k.tileRows)
		padded := k.scratch[b*k.qlen+g*k.cg*k.plane : (b+1)*k.qlen]
		bias := k.bias[g*k.mg+m0 : g*k.mg+m1]
		for oy := oy0; oy+1 < oy1 && oy/2 < ph; oy += 2 {
			for r := 0; r < 2; r++ {
				out := pair[r*k.ow:]
				row := padded[(oy+r)*k.wp:]
				if split == 0 {
					k.rowGemm(g, m0, m1, k.ow, row, k.offs, col, out, 2*k.ow, bias, actLo, actHi)
					continue
				}
				k.rowGemm(g, m0, m1, split, row, k.offs, col, out, 2*k.ow, bias, actLo, actHi)
				k.rowGemm(g, m0, m1, k.ow-split, row[split:], k.offs, col, out[split:], 2*k.ow, bias, actLo, actHi)
			}
			for m := m0; m < m1; m++ {
				rows := pair[(m-m0)*2*k.ow : (m-m0+1)*2*k.ow]
				co := g*k.mg + m
				simd.MaxPool2x2(y[((b*k.cout+co)*ph+oy/2)*pw:][:pw], rows[:k.ow], rows[k.ow:])
			}
		}
	}
}
