//go:build !purego

package simd

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX512 is read once: the "avx512" GEMM kernels need AVX-512F and VL
// (and the OS saving the zmm and opmask registers, which x/sys/cpu checks).
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// The AVX-512 GEMM (kernels in gemm512_amd64.s) is the AVX2 one with a
// 4×48 tile of zmm accumulators: the same GotoBLAS loops (row blocks of
// mc512 panels, K blocks of ≤ kc512, column strips of nr512, A panels),
// the same packed A (4-row panels, so packedLen and packA are AVX2's and
// the gemv path for a few columns is shared), and B packed per K block ×
// strip into a 48-wide buffer on the stack unless fewer than packMinPanels
// panels read it, in place. The packed strip (kc512 × 48 floats, 48 KiB)
// is more than Zen 4's 32 KiB L1, but at 16 bytes of B per 12-cycle k step
// L2 keeps up: K blocks of 128 (24 KiB) measured no faster at 512³ and
// slower for K = 2304 (C read and written twice as often).
//
// The columns go in strips of 48; a last strip of w columns is
//
//	25–32 or 33–47   the 4×32 or 4×48 zmm kernel, the last vector of each
//	                 row under an opmask (B read in place when unpacked)
//	17–24            the AVX2 kernels (stripAVX2): a 24-column tail costs
//	                 them 6 cycles a k step where the 4×32 tile takes 8
//	1–16             gemm16z, three panels at a time, B under an opmask
//
// Which kernel computes a column depends only on n, and each element is
// one FMA chain per K block, so results do not depend on the rows a call
// covers, and GemmOffsets (the same strips, B through the offsets) equals
// GemmPacked on the gathered matrix bit for bit.
const (
	nr512 = 48
	kc512 = 256
	mc512 = 128 // panels
)

//go:noescape
func gemm4x48z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)

// gemm8x48z is gemm4x48z on two panels at a time, for an even number of
// panels (gemm8x48_amd64.s).
//
//go:noescape
func gemm8x48z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)

// gemm8x48zpb is gemm8x48z prefetching B a strip ahead (PREFETCH_B in
// gemm8x48_amd64.s), for gemmB512: its B, the packed weights, comes from
// memory.
//
//go:noescape
func gemm8x48zpb(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)

//go:noescape
func gemm4x32z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)

// epiArgs is the epilogue gemm4x48z and gemm4x32z apply before they store
// (nil: none): row r of the call's first panel, and so on down, becomes
// min(hi, max(lo, C + bias[r])), as BiasClampRows computes it.
type epiArgs struct {
	bias   *float32
	lo, hi float32
}

// epi512 is GemmPackedBiasClamp's epilogue in the AVX-512 drivers: bias[i]
// is row r0+i's.
type epi512 struct {
	bias   []float32
	lo, hi float32
}

// prefetchStripz prefetches a 48-column strip of rows rows of B, ld
// floats apart (gemm512_amd64.s).
//
//go:noescape
func prefetchStripz(p *float32, ld, rows int)

// gemm16z multiplies a strip of at most 16 columns (mask: its lanes) by
// `panels` A panels, three at a time (gemm512_amd64.s).
//
//go:noescape
func gemm16z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int)

//go:noescape
func gemm4x48zoff(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)

//go:noescape
func gemm4x32zoff(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)

// packB48 copies rows × 48 floats of B into dst with row stride 48, the
// columns whose bit in mask is clear as zeros (and not read).
//
//go:noescape
func packB48(dst, src *float32, ldb, rows, mask int)

// avx512Impl is the AVX2 implementation base with the AVX-512 GEMM.
func avx512Impl(base impl) impl {
	im := base
	im.name = "avx512"
	im.packedLen = packedLenAVX2 // the tile has 4 rows: AVX2's panels
	im.packA = packAAVX2
	im.gemm = gemmAVX512
	im.gemmBiasClamp = gemmBiasClampAVX512
	im.gemmOff = gemmOffAVX512
	im.gemmOffBiasClamp = gemmOffBiasClampAVX512
	im.winoOut, im.winoOutPool = winoOutAVX512, winoOutPoolAVX512
	im.dwPlane, im.dwPlaneNative = dwPlaneAVX512, true
	im.dwPlaneK = dwPlaneKAVX512
	im.erf, im.softmax, im.gelu = erfAVX512, softmaxAVX512, geluAVX512
	im.max3x3s2Plane = maxPool3x3s2PlaneAVX512
	im.dwPlanePool = dwPlanePoolAVX512
	im.dwChannels = dwChannelsAVX512
	im.dwFlat = dwFlatAVX512
	im.dwSame = dwSameAVX512
	im.dwStride2 = dwStride2AVX512
	im.splitRows = splitRowsAVX512
	im.compactClamp = compactClampAVX512
	im.biasClampRows = biasClampRowsAVX512
	im.copyRows = copyRowsAVX512
	im.stridedRows = stridedRowsAVX512
	im.packedBLen, im.packB, im.gemmB, im.bCut, im.packedBNative = packedBLen512, packB512, gemmB512, bCut512, true
	im.convLanes, im.transposeClamp = convLanesAVX512, transposeBiasClampAVX512
	im.colQuantum = 16
	im.gemmColumns = gemmColumns512
	im.offsetsSplit = offsetsSplit512
	im.gatherPlanes = gatherPlanesAVX512
	im.prefetchStore = prefetchStoreAVX512
	return im
}

func gemmAVX512(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	gemmEpiAVX512(a, r0, r1, n, b, ldb, c, ldc, nil)
}

// gemmBiasClampAVX512 is GemmPackedBiasClamp: the bias and clamp applied
// by the 4×48 and 4×32 kernels as they store their last K block's tiles,
// and by biasClampRowsz to the other strips' columns (and rows cut inside
// a panel) right after them.
func gemmBiasClampAVX512(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int, bias []float32, lo, hi float32) {
	gemmEpiAVX512(a, r0, r1, n, b, ldb, c, ldc, &epi512{bias: bias, lo: lo, hi: hi})
}

// gemmEpiAVX512 is GemmPacked, with the epilogue e unless nil.
func gemmEpiAVX512(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int, e *epi512) {
	k := a.K
	if k == 0 || n <= gemvMaxN {
		gemmAVX2(a, r0, r1, n, b, ldb, c, ldc)
		e.rows(c, ldc, 0, r1-r0, 0, n)
		return
	}
	_ = c[(r1-r0-1)*ldc+n-1] // the kernels write exactly the elements the generic version does
	_ = b[(k-1)*ldb+n-1]
	t := gemvTail512(n) // the tail columns, after the strips of each block (gemmtail512_amd64.go)
	n -= t
	aligned := ldb%16 == 0 && uintptr(unsafe.Pointer(&b[0]))%64 == 0
	if !packs512(n, (r1-1)/mrAVX2-r0/mrAVX2+1, kBlocks(k, kc512), aligned) { // every strip read in place: no buffer to clear
		gemmAVX512Buf(nil, aligned, a, r0, r1, n, t, b, ldb, c, ldc, e)
		return
	}
	switch kb := kBlocks(k, kc512); { // buffer sizes: see kTier0
	case kb <= kTier0:
		var buf [kTier0*nr512 + 16]float32
		gemmAVX512Buf(buf[:], aligned, a, r0, r1, n, t, b, ldb, c, ldc, e)
	case kb <= kTier1:
		var buf [kTier1*nr512 + 16]float32
		gemmAVX512Buf(buf[:], aligned, a, r0, r1, n, t, b, ldb, c, ldc, e)
	default:
		var buf [kc512*nr512 + 16]float32
		gemmAVX512Buf(buf[:], aligned, a, r0, r1, n, t, b, ldb, c, ldc, e)
	}
}

// gemvTail512 is the number of columns (1–4) after whole 48-column strips
// that the tail kernel computes (gemmtail512_amd64.go): a strip of 1–4
// columns in gemm16z costs a third of a whole strip (16 lanes for 1–4
// columns; 49 pixels of a 7×7 map, 196 of 14×14), the tail a twelfth.
// Every driver (GemmPacked, GemmOffsets, GemmPackedB) splits the same way,
// so their results stay equal bit for bit.
//
// A last strip of 9–12 columns is cut the same way into 8 columns for the
// AVX2 4×8 kernel and 1–4 tail columns: on Zen 4 a ymm FMA costs half a
// zmm one, so 8 columns in ymm take half of gemm16z's 16 lanes
// (Winograd's 9 tiles of a 6×6 map), and strips of 1–8 columns go to the
// 4×8 kernel for the same reason.
func gemvTail512(n int) int {
	last := (n-1)%nr512 + 1
	switch {
	case n > nr512 && last <= gemvMaxN:
		return last
	case last > 8 && last <= 8+gemvMaxN:
		return last - 8
	}
	return 0
}

// avx2Strip512 reports whether the AVX-512 drivers compute a strip of w
// columns with the AVX2 kernels: 1–8 (one ymm, half the cost of a zmm)
// and 17–24 (a 24-column tail costs them 6 cycles a k step where the
// 4×32 tile takes 8).
func avx2Strip512(w int) bool { return w <= 8 || (w > 16 && w <= 24) }

// packs512 reports whether gemmAVX512Buf packs any strip of B for n
// columns against `panels` A panels in K blocks of kb (as its loops
// decide: B is read in place by strips of 9–16 columns, and by all strips
// of a row block that reads in place (inPlace512) except an AVX2 one of a
// partial vector).
func packs512(n, panels, kb int, aligned bool) bool {
	if !inPlace512(panels, kb, aligned) { // the first row block packs all but a 9–16-column strip
		return n > 16 || n <= 8
	}
	last := (n-1)%nr512 + 1
	return avx2Strip512(last) && last%8 != 0
}

// inPlaceMaxK512 is the longest K block whose strips of B the kernels read
// in place whatever the number of panels: 64 rows of a 48-column strip
// are 12 KiB, which stay in L1 across the panels, so packing them (a copy
// of B per call: a tenth of faces' run, whose Winograd products have K =
// 16–64) buys nothing.
const inPlaceMaxK512 = 64

// inPlace512 reports whether a row block of `panels` panels reads B in
// place for K blocks of kb rows, B's rows 64-byte aligned or not. Rows
// of whole cache lines are read in place whatever the block: packing
// them cost more than it saved, most where few panels share a strip
// (GemmPacked interleaved, one core, Zen 5: 128×128 by 128×3136, faces'
// 56×56 pointwise layer, 766 µs packed, 608 in place; 64×128 by
// 128×3136 484 and 327; 256×128 by 128×784 307 and 267; 512×512 by
// 512×512 alike). Unaligned rows (a 14×14 map's 196 columns) split every
// 16-float load across two lines: packed, 644 µs against 783.
func inPlace512(panels, kb int, aligned bool) bool {
	return aligned || panels < packMinPanels || kb <= inPlaceMaxK512
}

// gemmAVX512Buf is gemmAVX512 with buf for the packed strips (a K block ×
// 48 floats, plus 16 to align it): n columns in strips, then t tail
// columns. A strip read in place has the next strip's rows prefetched
// while it is computed: its rows are ldb floats apart, one stream each,
// more than the hardware prefetchers follow (faces' 32 → 64-channel
// pointwise layer at 112², K = 32 rows 50 KB apart, in the network, one
// core, Zen 5: 347–361 µs against 369–393 without, runs alternated).
func gemmAVX512Buf(buf []float32, aligned bool, a PackedA, r0, r1, n, t int, b []float32, ldb int, c []float32, ldc int, e *epi512) {
	k := a.K
	kb := kBlocks(k, kc512)
	var packed *float32
	if buf != nil {
		packed = &buf[(16-int(uintptr(unsafe.Pointer(&buf[0]))/4)&15)&15] // 64-byte aligned
		_ = buf[kb*nr512+15]
	}
	first, last := r0/mrAVX2, (r1-1)/mrAVX2
	for ib := first; ib <= last; ib += mc512 {
		ie := min(last+1, ib+mc512)
		inPlace := inPlace512(ie-ib, kb, aligned)
		rlo, rhi := max(r0, ib*mrAVX2)-r0, min(r1, ie*mrAVX2)-r0 // the block's rows of C
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			var ee *epi512 // the epilogue, on the last K block
			if pc+kc == k {
				ee = e
			}
			for jc := 0; jc < n; jc += nr512 {
				w := min(nr512, n-jc)
				src := &b[pc*ldb+jc]
				if w > 8 && w <= 16 { // B in place: the kernel masks its loads to w columns
					s := strip512{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc, b: src, ldb: ldb}
					s.panels(ib, ie)
					ee.rows(c, ldc, rlo, rhi, jc, w)
					continue
				}
				if avx2Strip512(w) {
					s := stripAVX2{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc}
					if inPlace && w%8 == 0 {
						s.b, s.ldb = src, ldb
					} else {
						packB(packed, src, ldb, kc, w, &packMask[nrAVX2-w])
						s.b, s.ldb = packed, nrAVX2
					}
					s.panels(ib, ie)
					ee.rows(c, ldc, rlo, rhi, jc, w)
					continue
				}
				s := strip512{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc, epi: ee}
				if inPlace {
					s.b, s.ldb = src, ldb
					if jc+2*nr512 <= n { // the next strip's rows of B, while this one is computed
						prefetchStripz(&b[pc*ldb+jc+nr512], ldb, kc)
					}
				} else {
					packB48(packed, src, ldb, kc, 1<<w-1)
					s.b, s.ldb = packed, nr512
				}
				s.panels(ib, ie)
			}
			if t > 0 {
				tailPass512(a, r0, r1, ib, ie, pc, kc, b, pc*ldb+n, ldb, nil, t, c, ldc, n)
				ee.rows(c, ldc, rlo, rhi, n, t)
			}
		}
	}
}

// gemmOffAVX512 is GemmOffsets: the loops of gemmAVX512 with the strips of
// 25–48 columns read in place through the offsets (the opmask keeps a
// narrower last strip inside its columns), those of 17–24 done as
// gemmOffAVX2 does them, and those of 1–16 gathered for gemm16z.
func gemmOffAVX512(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int) {
	gemmOffEpiAVX512(a, r0, r1, n, b, offs, col, c, ldc, nil)
}

// gemmOffBiasClampAVX512 is GemmOffsetsBiasClamp: the bias and clamp
// applied as the 4×48 and 4×32 kernels store C, and row by row after the
// other strips.
func gemmOffBiasClampAVX512(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int, bias []float32, lo, hi float32) {
	gemmOffEpiAVX512(a, r0, r1, n, b, offs, col, c, ldc, &epi512{bias: bias, lo: lo, hi: hi})
}

// gemmOffEpiAVX512 is GemmOffsets with the epilogue e (nil: none).
func gemmOffEpiAVX512(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int, e *epi512) {
	k := a.K
	if k == 0 || n <= gemvMaxN {
		gemmOffGather(a, r0, r1, n, b, offs, col, c, ldc)
		e.rows(c, ldc, 0, r1-r0, 0, n)
		return
	}
	_ = c[(r1-r0-1)*ldc+n-1]
	t := gemvTail512(n) // the tail columns, gathered by the tail pass
	n -= t
	if last := (n-1)%nr512 + 1; last > 24 || (avx2Strip512(last) && last%8 == 0) { // no strip is gathered: no buffer
		gemmOffAVX512Buf(nil, a, r0, r1, n, t, b, offs, c, ldc, e)
		return
	}
	switch kb := kBlocks(k, kc512); {
	case kb <= kTier0:
		var buf [kTier0 * nrAVX2]float32
		gemmOffAVX512Buf(buf[:], a, r0, r1, n, t, b, offs, c, ldc, e)
	case kb <= kTier1:
		var buf [kTier1 * nrAVX2]float32
		gemmOffAVX512Buf(buf[:], a, r0, r1, n, t, b, offs, c, ldc, e)
	default:
		var buf [kc512 * nrAVX2]float32
		gemmOffAVX512Buf(buf[:], a, r0, r1, n, t, b, offs, c, ldc, e)
	}
}

// gemmOffAVX512Buf is gemmOffAVX512 with buf for a gathered last strip of
// 1–23 columns (a K block × 24 floats; nil when the last strip is read in
// place), then t tail columns, and the epilogue e on the last K block.
func gemmOffAVX512Buf(buf []float32, a PackedA, r0, r1, n, t int, b []float32, offs []int32, c []float32, ldc int, e *epi512) {
	k := a.K
	kb := kBlocks(k, kc512)
	first, last := r0/mrAVX2, (r1-1)/mrAVX2
	for ib := first; ib <= last; ib += mc512 {
		ie := min(last+1, ib+mc512)
		rlo, rhi := max(r0, ib*mrAVX2)-r0, min(r1, ie*mrAVX2)-r0 // the block's rows of C
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			var ee *epi512 // the epilogue, on the last K block
			if pc+kc == k {
				ee = e
			}
			for jc := 0; jc < n; jc += nr512 {
				w := min(nr512, n-jc)
				if w > 24 {
					s := strip512{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc, epi: ee}
					s.b, s.offs = &b[jc], &offs[pc]
					s.panels(ib, ie)
					continue
				}
				if w > 8 && w <= 16 { // gathered, row stride 16, for gemm16z
					for p := 0; p < kc; p++ {
						copy(buf[p*16:p*16+w], b[int(offs[pc+p])+jc:][:w])
					}
					s := strip512{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc, b: &buf[0], ldb: 16}
					s.panels(ib, ie)
					ee.rows(c, ldc, rlo, rhi, jc, w)
					continue
				}
				s := stripAVX2{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc}
				if w%8 == 0 {
					s.b, s.offs = &b[jc], &offs[pc]
				} else {
					for p := 0; p < kc; p++ {
						row := buf[p*nrAVX2 : (p+1)*nrAVX2]
						copy(row, b[int(offs[pc+p])+jc:][:w])
						clear(row[w:])
					}
					s.b, s.ldb = &buf[0], nrAVX2
				}
				s.panels(ib, ie)
				ee.rows(c, ldc, rlo, rhi, jc, w)
			}
			if t > 0 {
				tailPass512(a, r0, r1, ib, ie, pc, kc, b, n, 0, offs[pc:], t, c, ldc, n)
				ee.rows(c, ldc, rlo, rhi, n, t)
			}
		}
	}
}

// strip512 is one B micro-panel of 1–16 or 25–48 columns, K block [pc,
// pc+kc) × columns [jc, jc+w), at b with row stride ldb (or through offs),
// against the A panels of a row block.
type strip512 struct {
	a             PackedA
	r0, r1        int
	pc, kc, jc, w int
	b             *float32
	ldb           int
	offs          *int32 // B row p at b + offs[p] (GemmOffsets), when not nil
	c             []float32
	ldc           int
	epi           *epi512 // the epilogue (a 4×48 or 4×32 strip's last K block), or nil
	pfB           bool    // B is streamed from memory (PackedB): prefetch it (gemm8x48zpb)
}

// rows applies the epilogue to rows [i0, i1) (from r0) of C's columns
// [j0, j0+w); nothing where e is nil.
func (e *epi512) rows(c []float32, ldc, i0, i1, j0, w int) {
	if e == nil || i1 <= i0 {
		return
	}
	biasClampRowsz(&c[i0*ldc+j0], ldc, i1-i0, w, &e.bias[i0], e.lo, e.hi)
}

// panels multiplies the strip by A panels [ib, ie): the whole ones in one
// kernel call writing into C, those cut by r0 or r1 through a stack tile.
func (s *strip512) panels(ib, ie int) {
	k := s.a.K
	fb, fe := wholePanels(ib, ie, s.r0, s.r1)
	if fe > fb {
		var ep *epiArgs
		if s.epi != nil {
			ep = &epiArgs{bias: &s.epi.bias[fb*mrAVX2-s.r0], lo: s.epi.lo, hi: s.epi.hi}
		}
		s.kernel(&s.a.data[fb*mrAVX2*k+s.pc*mrAVX2], mrAVX2*k*4, fe-fb, &s.c[(fb*mrAVX2-s.r0)*s.ldc+s.jc], s.ldc, s.pc > 0, ep)
	}
	for p := ib; p < ie; p++ {
		if p < fb || p >= fe {
			s.edge(p)
		}
	}
}

// kernel runs the 4×48 or 4×32 kernel, the last vector masked to w, with
// the epilogue ep where not nil (the 4×48 and 4×32 kernels reading B
// through a stride only: the only strips given an epi). A 48-column strip
// read through a stride goes two panels at a time (gemm8x48z) and its
// last odd panel alone: GemmPacked on faces' pointwise products, one
// core, Zen 5, best of 2000: 512×512 by 512×196 198 → 201–210 GFLOP/s,
// 1024×1024 by 1024×49 184–187 → 190–197 (BenchmarkGemmPointwise).
func (s *strip512) kernel(a *float32, astride, panels int, c *float32, ldc int, accum bool, ep *epiArgs) {
	acc := 0
	if accum {
		acc = 1
	}
	mask := 1<<((s.w-1)%16+1) - 1 // lanes of the last vector
	switch {
	case s.w <= 16: // B in place or gathered, never through offsets
		gemm16z(a, astride, panels, s.b, s.ldb, s.kc, c, ldc, acc, mask)
	case s.w > 32 && s.offs != nil:
		gemm4x48zoff(a, astride, panels, s.b, s.offs, s.kc, c, ldc, acc, mask, ep)
	case s.w > 32:
		if pairs := panels &^ 1; pairs > 0 {
			if s.pfB {
				gemm8x48zpb(a, astride, pairs, s.b, s.ldb, s.kc, c, ldc, acc, mask, ep)
			} else {
				gemm8x48z(a, astride, pairs, s.b, s.ldb, s.kc, c, ldc, acc, mask, ep)
			}
			if panels == pairs {
				return
			}
			a = (*float32)(unsafe.Add(unsafe.Pointer(a), pairs*astride))
			c = (*float32)(unsafe.Add(unsafe.Pointer(c), 4*pairs*mrAVX2*ldc))
			if ep != nil {
				ep = &epiArgs{bias: (*float32)(unsafe.Add(unsafe.Pointer(ep.bias), 4*pairs*mrAVX2)), lo: ep.lo, hi: ep.hi}
			}
		}
		gemm4x48z(a, astride, 1, s.b, s.ldb, s.kc, c, ldc, acc, mask, ep)
	case s.offs != nil:
		gemm4x32zoff(a, astride, panels, s.b, s.offs, s.kc, c, ldc, acc, mask, ep)
	default:
		gemm4x32z(a, astride, panels, s.b, s.ldb, s.kc, c, ldc, acc, mask, ep)
	}
}

// edge computes panel p through a 4×48 tile, copying only rows within
// [r0, r1) and the strip's w columns.
func (s *strip512) edge(p int) {
	var tile [mrAVX2 * nr512]float32
	lo, hi := max(s.r0, p*mrAVX2), min(s.r1, (p+1)*mrAVX2)
	accum := s.pc > 0
	if accum {
		for i := lo; i < hi; i++ {
			copy(tile[(i-p*mrAVX2)*nr512:][:s.w], s.c[(i-s.r0)*s.ldc+s.jc:])
		}
	}
	k := s.a.K
	s.kernel(&s.a.data[p*mrAVX2*k+s.pc*mrAVX2], 0, 1, &tile[0], nr512, accum, nil)
	for i := lo; i < hi; i++ {
		copy(s.c[(i-s.r0)*s.ldc+s.jc:][:s.w], tile[(i-p*mrAVX2)*nr512:])
	}
	s.epi.rows(s.c, s.ldc, lo-s.r0, hi-s.r0, s.jc, s.w)
}

// PackedB for AVX-512: B as the driver's packed strips, once: strip j
// (columns 48j…48j+47, those past n zero) is k rows of 48 floats at
// j·k·48, so that a strip's K blocks (kBlocks(k, kc512) rows each, block
// pc at row pc) follow one another in memory: gemmB512 goes through each
// strip's blocks in turn, a stream the prefetches of gemm8x48zpb keep
// ahead of, and GemmPackedBCols reads its columns' strips only.
//
// The tail columns (gemvTail512) follow, packed for gemmTail4z: each K
// block's in tailLen512(kb) floats (packTail512).
func packedBLen512(k, n int) int {
	t := gemvTail512(n)
	l := k * (n - t + nr512 - 1) / nr512 * nr512
	if t > 0 {
		kb := kBlocks(k, kc512)
		l += (k + kb - 1) / kb * tailLen512(kb)
	}
	return l
}

func packB512(dst []float32, k, n int, b []float32, ldb int) {
	if k == 0 || n == 0 {
		return
	}
	kb := kBlocks(k, kc512)
	if t := gemvTail512(n); t > 0 {
		n -= t
		tail := dst[k*(n+nr512-1)/nr512*nr512:]
		clear(tail)
		for pc := 0; pc < k; pc += kb {
			packTail512(tail[pc/kb*tailLen512(kb):], b, pc*ldb+n, ldb, nil, min(kb, k-pc), t)
		}
	}
	ns := (n + nr512 - 1) / nr512
	for j := 0; j < ns; j++ {
		w := min(nr512, n-j*nr512)
		strip := dst[j*k*nr512:]
		for p := 0; p < k; p++ {
			row := strip[p*nr512 : (p+1)*nr512]
			copy(row[:w], b[p*ldb+j*nr512:])
			clear(row[w:])
		}
	}
}

// gemmB512 is GemmPackedB: gemmAVX512Buf's loops and kernels, each strip
// read from the packed B (row stride 48) instead of packed per call. The
// kernel for a strip depends on its width only, as there, so the result
// equals GemmPacked's bit for bit.
func gemmB512(a PackedA, r0, r1 int, b PackedB, j0, j1 int, c []float32, ldc int) {
	k, n := a.K, b.N
	if k == 0 {
		for i := 0; i < r1-r0; i++ {
			clear(c[i*ldc+j0 : i*ldc+j1])
		}
		return
	}
	if n <= gemvMaxN { // GemmPacked's matrix-vector path: one strip is B with row stride 48
		for j := j0; j < j1; j++ {
			gemvAVX2(a, r0, r1, b.data[j:], nr512, c[j:], ldc)
		}
		return
	}
	t := gemvTail512(n)
	n -= t
	tail := b.data[k*(n+nr512-1)/nr512*nr512:]
	kb, ns := kBlocks(k, kc512), (n+nr512-1)/nr512
	s0, s1 := j0/nr512, ns // the strips of the columns, and the tail where j1 is b.N
	if j1 < b.N {
		s1, t = j1/nr512, 0
	}
	first, last := r0/mrAVX2, (r1-1)/mrAVX2
	for ib := first; ib <= last; ib += mc512 {
		ie := min(last+1, ib+mc512)
		for j := s0; j < s1; j++ {
			for pc := 0; pc < k; pc += kb {
				kc := min(kb, k-pc)
				jc := j * nr512
				w := min(nr512, n-jc)
				src := &b.data[(j*k+pc)*nr512]
				if avx2Strip512(w) {
					s := stripAVX2{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc, b: src, ldb: nr512}
					s.panels(ib, ie)
					continue
				}
				s := strip512{a: a, r0: r0, r1: r1, pc: pc, kc: kc, jc: jc, w: w, c: c, ldc: ldc, b: src, ldb: nr512, pfB: true}
				s.panels(ib, ie)
			}
		}
		for pc := 0; t > 0 && pc < k; pc += kb {
			tail512(a, r0, r1, ib, ie, pc, min(kb, k-pc), tail[pc/kb*tailLen512(kb):], t, c, ldc, n)
		}
	}
}

// bCut512 is PackedBCut for packB512's layout: a strip's first column,
// no further than the tail's first (j < n).
func bCut512(n, j int) int {
	if n <= gemvMaxN {
		return j
	}
	return min(j, n-gemvTail512(n)) / nr512 * nr512
}

// offsetsSplit512 is GemmOffsetsSplit: n = 48q + w with w in 9–16 (the
// strip gemmOffAVX512 gathers) and q ≥ 1 is cut so that the second call
// is ⌊(48+w)/2⌋ columns, 28–32, and the first call's last strip the rest,
// 29–32: the 4×32 kernel twice, in place, for the 4×48 and gemm16z.
func offsetsSplit512(n int) int {
	w := (n-1)%nr512 + 1
	if n <= nr512 || w <= 8 || w > 16 {
		return 0
	}
	return n - (nr512+w)/2
}

// gemmColumns512 is GemmColumns for the AVX-512 drivers, in columns of the
// 4×48 tile's cost (12 zmm FMAs a panel and k step: 4 columns a cycle):
// the strips of 48, then the last strip's kernels (ymm FMAs cost half a
// zmm one, so an 8-column AVX2 strip costs 8, a 24-column one 24, a
// 16-column one 16, a 4×32 one 32 and a 4×48 one 48) and each
// matrix-vector column 2 (one ymm FMA a panel and k step, half its lanes
// used). A tail column (gemmTail4z) counts 2 as well, as when tails were
// matrix-vector products, so that the paths the convolutions chose stay
// (its FMAs cost less: 1–4 columns a zmm FMA per 4 k steps; its reduction
// and packing per block more).
func gemmColumns512(n int) int {
	if n <= gemvMaxN {
		return 2 * n
	}
	cost := 0
	if t := gemvTail512(n); t > 0 {
		cost, n = 2*t, n-t
	}
	last := (n-1)%nr512 + 1
	cost += (n - last) // whole strips
	switch {
	case last <= 8:
		return cost + 8
	case last <= 16:
		return cost + 16
	case last <= 24:
		return cost + 24
	case last <= 32:
		return cost + 32
	}
	return cost + 48
}
