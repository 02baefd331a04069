//go:build !purego

package simd

import "unsafe"

// The AVX2 GEMM (kernels in gemm_amd64.s) follows the GotoBLAS/BLIS
// scheme. A is packed once into panels of mrAVX2 rows, k-major; B is
// packed on the fly, one K block × nrAVX2 columns at a time, into a buffer
// on the stack, so the micro-kernel reads it contiguously from L1 whatever
// ldb is (a power-of-two row stride would otherwise map a column strip of
// B onto a few cache sets). The loops, outermost first:
//
//	row blocks of mcAVX2 panels   A block (≤ 256 rows × kc) stays in L2
//	K blocks of ≤ kcAVX2          C is overwritten by the first, then added to
//	column strips of nrAVX2       pack B (kc × 24, 24 KiB at most) into L1
//	A panels of the row block     one kernel call for all whole panels
//
// With fewer than packMinPanels panels in the row block, each B element is
// read too few times to repay copying it, and the kernels read B in place.
// A handful of columns (a fully connected layer on a small batch) is done
// column by column by the matrix-vector kernel instead: a 4×8 tile would
// spend most of its lanes on nothing.
//
// Each element of C is summed in the same order whatever rows a call
// covers, so results do not depend on how the threads split the rows.
const (
	mrAVX2 = 4
	nrAVX2 = 24
	kcAVX2 = 256
	mcAVX2 = 64

	packMinPanels = 4 // fewer A panels read B straight from memory, unpacked
	gemvMaxN      = 4 // up to this many columns are matrix-vector products
	gemvTailAVX2  = 2 // and up to this many after whole strips (gemvTail)
)

// gemm4x24, gemm4x16 and gemm4x8 compute 4×24, 4×16 and 4×8 tiles of C for
// `panels` consecutive A panels; see gemm_amd64.s.
//
//go:noescape
func gemm4x24(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum int, mask *int32)

//go:noescape
func gemm4x16(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum int, mask *int32)

//go:noescape
func gemm4x8(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum int, mask *int32)

// packB copies rows × w floats of B into dst with row stride 24.
//
//go:noescape
func packB(dst, src *float32, ldb, rows, w int, mask *int32)

// gemv4 is the n = 1 case for `panels` whole panels.
//
//go:noescape
func gemv4(a *float32, k, panels int, x *float32, incx int, y *float32, incy int)

// packMask[24-w:] starts with w lanes set: packB's load mask for w columns.
var packMask = [48]int32{
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
}

func packedLenAVX2(m, k int) int { return (m + mrAVX2 - 1) / mrAVX2 * mrAVX2 * k }

// packAAVX2 stores panel p (rows 4p…4p+3) at dst[4pk:], element (r, q) of
// the panel at 4q+r; rows past m are zero.
func packAAVX2(dst []float32, m, k int, a []float32, lda int) {
	for p0 := 0; p0 < m; p0 += mrAVX2 {
		panel := dst[p0*k : (p0+mrAVX2)*k]
		for r := 0; r < mrAVX2; r++ {
			if p0+r >= m {
				for q := 0; q < k; q++ {
					panel[q*mrAVX2+r] = 0
				}
				continue
			}
			for q, v := range a[(p0+r)*lda : (p0+r)*lda+k] {
				panel[q*mrAVX2+r] = v
			}
		}
	}
}

// kernelAVX2 runs the micro-kernel that is nv vectors wide.
func kernelAVX2(nv int, a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc int, accum bool, mask *int32) {
	acc := 0
	if accum {
		acc = 1
	}
	switch nv {
	case 3:
		gemm4x24(a, astride, panels, b, ldb, kc, c, ldc, acc, mask)
	case 2:
		gemm4x16(a, astride, panels, b, ldb, kc, c, ldc, acc, mask)
	default:
		gemm4x8(a, astride, panels, b, ldb, kc, c, ldc, acc, mask)
	}
}

// Go zeroes every stack array it declares, so the drivers' buffers for a
// packed strip of B come in sizes by the K block (kTier0, kTier1): a small
// product (a Winograd convolution's 16 products of K = 16, a convolution
// tile) does not clear 24 KiB or more per call.
const (
	kTier0 = 32
	kTier1 = 128
)

// inPlaceMaxKAVX2 is the longest K block whose whole-vector strips of B
// the AVX2 driver reads in place whatever the number of panels: 64 rows
// of a 24-column strip are 6 KiB, which stay in L1 across the panels
// (see inPlaceMaxK512).
const inPlaceMaxKAVX2 = 64

// gemvTail is how many of a product's n columns (more than gemvMaxN) the
// AVX2 drivers take by matrix-vector products after whole strips: the
// last 1–2 (a masked 4×8 tile computes 8 lanes for them: faces' 7×7
// pointwise layers, 49 columns, spent a fifth of their time on the last
// one). Each reads all of A once, where the strips read a row block of it
// from L2: the last 4 of faces' 14×14 tiles of 52 columns (512 × 512)
// were 2–5% slower by matrix-vector products.
func gemvTail(n int) int {
	if t := n % nrAVX2; t <= gemvTailAVX2 {
		return t
	}
	return 0
}

// kBlocks is the size of equal K blocks of at most kc.
func kBlocks(k, kc int) int {
	nk := max(1, (k+kc-1)/kc)
	return (k + nk - 1) / nk
}

func gemmAVX2(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	switch kb := kBlocks(a.K, kcAVX2); {
	case kb <= kTier0:
		var buf [kTier0*nrAVX2 + 8]float32
		gemmAVX2Buf(buf[:], a, r0, r1, n, b, ldb, c, ldc)
	case kb <= kTier1:
		var buf [kTier1*nrAVX2 + 8]float32
		gemmAVX2Buf(buf[:], a, r0, r1, n, b, ldb, c, ldc)
	default:
		var buf [kcAVX2*nrAVX2 + 8]float32
		gemmAVX2Buf(buf[:], a, r0, r1, n, b, ldb, c, ldc)
	}
}

// gemmAVX2Buf is gemmAVX2 with buf for the packed strips (room for a K
// block × 24 floats, plus 8 to align it).
func gemmAVX2Buf(buf []float32, a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	k := a.K
	_ = c[(r1-r0-1)*ldc+n-1] // the kernels write exactly the elements the generic version does
	if k == 0 {
		for i := 0; i < r1-r0; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	_ = b[(k-1)*ldb+n-1]
	if n <= gemvMaxN {
		for j := 0; j < n; j++ {
			gemvAVX2(a, r0, r1, b[j:], ldb, c[j:], ldc)
		}
		return
	}
	if t := gemvTail(n); t > 0 {
		for j := n - t; j < n; j++ {
			gemvAVX2(a, r0, r1, b[j:], ldb, c[j:], ldc)
		}
		n -= t
	}
	packed := &buf[(8-int(uintptr(unsafe.Pointer(&buf[0]))/4)&7)&7] // 32-byte aligned
	kb := kBlocks(k, kcAVX2)                                        // K blocks of equal size
	_ = buf[kb*nrAVX2+7]
	first, last := r0/mrAVX2, (r1-1)/mrAVX2
	for ib := first; ib <= last; ib += mcAVX2 {
		ie := min(last+1, ib+mcAVX2)
		for pc := 0; pc < k; pc += kb {
			s := stripAVX2{a: a, r0: r0, r1: r1, pc: pc, kc: min(kb, k-pc), c: c, ldc: ldc}
			for s.jc = 0; s.jc < n; s.jc += nrAVX2 {
				s.w = min(nrAVX2, n-s.jc)
				src := &b[pc*ldb+s.jc]
				if (ie-ib < packMinPanels || kb <= inPlaceMaxKAVX2) && s.w%8 == 0 {
					s.b, s.ldb = src, ldb // too few panels to repay the packing
				} else {
					packB(packed, src, ldb, s.kc, s.w, &packMask[nrAVX2-s.w])
					s.b, s.ldb = packed, nrAVX2
				}
				s.panels(ib, ie)
			}
		}
	}
}

// stripAVX2 is one B micro-panel, K block [pc, pc+kc) × columns [jc,
// jc+w), at b with row stride ldb, against the A panels of a row block.
type stripAVX2 struct {
	a             PackedA
	r0, r1        int
	pc, kc, jc, w int
	b             *float32
	ldb           int
	offs          *int32 // B row p at b + offs[p] (GemmOffsets), when not nil
	c             []float32
	ldc           int
}

// panels multiplies the strip by A panels [ib, ie): the whole ones in a
// single kernel call writing straight into C (the last vector of each row
// masked when w is not a whole number of vectors), the ones cut by r0 or
// r1 through a tile on the stack.
func (s *stripAVX2) panels(ib, ie int) {
	k := s.a.K
	nv := (s.w + 7) / 8
	fb, fe := wholePanels(ib, ie, s.r0, s.r1)
	var mask *int32
	if s.w%8 != 0 { // B is packed, zero past w: compute nv vectors, store w columns
		mask = &packMask[nrAVX2-s.w]
	}
	if fe > fb {
		s.kernel(nv, &s.a.data[fb*mrAVX2*k+s.pc*mrAVX2], mrAVX2*k*4, fe-fb, &s.c[(fb*mrAVX2-s.r0)*s.ldc+s.jc], s.ldc, s.pc > 0, mask)
	}
	for p := ib; p < ie; p++ {
		if p < fb || p >= fe {
			s.edge(p, nv)
		}
	}
}

// wholePanels returns the panels [fb, fe) of [ib, ie) that rows [r0, r1)
// cover whole; the others (at most the first and the last) are cut.
func wholePanels(ib, ie, r0, r1 int) (fb, fe int) {
	fb, fe = ib, ie
	if fb*mrAVX2 < r0 {
		fb++
	}
	if fe*mrAVX2 > r1 {
		fe--
	}
	return fb, max(fe, fb)
}

// kernel runs the micro-kernel nv vectors wide on the strip, in place or
// through the offsets.
func (s *stripAVX2) kernel(nv int, a *float32, astride, panels int, c *float32, ldc int, accum bool, mask *int32) {
	if s.offs != nil { // whole vectors only
		kernelOffAVX2(nv, a, astride, panels, s.b, s.offs, s.kc, c, ldc, accum)
		return
	}
	kernelAVX2(nv, a, astride, panels, s.b, s.ldb, s.kc, c, ldc, accum, mask)
}

// edge computes panel p through a 4×24 tile, copying only rows within
// [r0, r1) and the strip's w columns.
func (s *stripAVX2) edge(p, nv int) {
	var tile [mrAVX2 * nrAVX2]float32
	lo, hi := max(s.r0, p*mrAVX2), min(s.r1, (p+1)*mrAVX2)
	accum := s.pc > 0
	if accum {
		for i := lo; i < hi; i++ {
			copy(tile[(i-p*mrAVX2)*nrAVX2:][:s.w], s.c[(i-s.r0)*s.ldc+s.jc:])
		}
	}
	k := s.a.K
	s.kernel(nv, &s.a.data[p*mrAVX2*k+s.pc*mrAVX2], 0, 1, &tile[0], nrAVX2, accum, nil)
	for i := lo; i < hi; i++ {
		copy(s.c[(i-s.r0)*s.ldc+s.jc:][:s.w], tile[(i-p*mrAVX2)*nrAVX2:])
	}
}

// gemvAVX2 is the n = 1 case: y = A·x for rows [r0, r1), strided.
func gemvAVX2(a PackedA, r0, r1 int, x []float32, incx int, y []float32, incy int) {
	k := a.K
	fb, fe := (r0+mrAVX2-1)/mrAVX2, r1/mrAVX2 // whole panels
	if fe > fb {
		gemv4(&a.data[fb*mrAVX2*k], k, fe-fb, &x[0], incx, &y[(fb*mrAVX2-r0)*incy], incy)
	}
	pf, pl := r0/mrAVX2, (r1-1)/mrAVX2
	if pf < fb { // cut by r0
		gemvEdgeAVX2(a, pf, r0, r1, x, incx, y, incy)
	}
	if pl >= fe && (pl != pf || pf >= fb) { // cut by r1, unless done above
		gemvEdgeAVX2(a, pl, r0, r1, x, incx, y, incy)
	}
}

// gemvEdgeAVX2 computes panel p into a small array and copies the rows
// within [r0, r1).
func gemvEdgeAVX2(a PackedA, p, r0, r1 int, x []float32, incx int, y []float32, incy int) {
	var t [mrAVX2]float32
	gemv4(&a.data[p*mrAVX2*a.K], a.K, 1, &x[0], incx, &t[0], 1)
	for i := max(r0, p*mrAVX2); i < min(r1, (p+1)*mrAVX2); i++ {
		y[(i-r0)*incy] = t[i-p*mrAVX2]
	}
}
