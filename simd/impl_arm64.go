//go:build !purego

package simd

import "golang.org/x/sys/cpu"

// CPU features, read once. NEON (ASIMD) is part of every arm64 core, but
// the check costs nothing and keeps the pattern of the other architectures.
// The core's part number (MIDR_EL1, which Linux emulates for user space
// when HasCPUID) picks the SGEMM kernel variant: the in-order Cortex-A53
// and A55 want 64-bit loads (see ARM64.md).
var (
	hasASIMD    = cpu.ARM64.HasASIMD
	inOrderCore = cpu.ARM64.HasCPUID && isInOrder(midr())
)

// isInOrder reports whether the MIDR_EL1 value names an Arm Cortex-A53
// (part 0xd03) or A55 (0xd05).
func isInOrder(midr uint64) bool {
	implementer, part := midr>>24&0xff, midr>>4&0xfff
	return implementer == 0x41 && (part == 0xd03 || part == 0xd05)
}

// midr returns MIDR_EL1; call only when cpu.ARM64.HasCPUID.
//
//go:noescape
func midr() uint64

// Both variants are registered, so that both always run the tests; the
// one that suits this core goes last and is used.
func init() {
	if !hasASIMD {
		return
	}
	neon := impl{
		name: "neon",
		gemmKernels: gemmKernels{
			packedLen: packedLenNEON,
			packA:     packANEON,
			gemm:      gemmNEON,
			gemmOff:   gemmOffNEON,
			packAT: func(dst []float32, m, k int, at []float32, ldat int) {
				packATPanels(dst, m, k, at, ldat, mrNEON)
			},
			packedBLen: packedBLenRowMajor,
			packB:      packBRowMajor,
			gemmB:      gemmBRowMajor,
			colQuantum: 8,
		},
		winoKernels: winoKernels{
			winoNative:  true,
			winoIn:      winoInNEON,
			winoOut:     winoOutNEON,
			winoOutPool: winoOutPoolNEON,
		},
		dwKernels: dwKernels{
			dw:            depthwiseNEON,
			dwPlane:       dwPlaneNEON,
			dwPlaneNative: true,
			dwPlanePool:   dwPlanePoolNEON,
			copyRows:      copyRowsGeneric,
			stridedRows:   stridedRowsNEON,
		},
		epiKernels: epiKernels{
			biasClamp:    biasClampNEON,
			biasAddClamp: biasAddClampNEON,
		},
		poolKernels: poolKernels{
			maxRows:  maxRowsNEON,
			addRows:  addRowsNEON,
			maxPairs: maxPairsNEON,
			max2x2:   maxPool2x2NEON,
			max3x3s2: maxPool3x3s2NEON,
		},
		distKernels: distKernels{
			l2:  l2NEON,
			dot: dotNEON,
		},
	}
	a53 := neon
	a53.name = "neon-a53"
	a53.gemm = gemmNEONA53
	a53.gemmOff = gemmOffGather // no A53 offsets kernel yet (ARM64.md)
	if inOrderCore {
		impls = append(impls, neon, a53)
	} else {
		impls = append(impls, a53, neon)
	}
	use()
}

//go:noescape
func gemm8x8(a, b *float32, ldb int, c *float32, ldc, k, acc int)

//go:noescape
func gemm8x8A53(a, b *float32, ldb int, c *float32, ldc, k, acc int)

//go:noescape
func gemv8(a, b *float32, k int, out *float32)

//go:noescape
func l2Asm(a, b []float32) float32

//go:noescape
func dotAsm(a, b []float32) float32

//go:noescape
func dw3x3s1(r0, r1, r2, w *float32, bias float32, out *float32, n int)

//go:noescape
func dw3x3s2(r0, r1, r2, w *float32, bias float32, out *float32, n int)

func l2NEON(a, b []float32) float32  { return l2Asm(a, b[:len(a)]) }
func dotNEON(a, b []float32) float32 { return dotAsm(a, b[:len(a)]) }

// Blocking of the NEON SGEMM (the kernels are in gemm_arm64.s).
const (
	mrNEON = 8 // rows per packed panel of A and per micro-tile
	nrNEON = 8 // columns per micro-tile
	// kcNEON is the k block: the kernel's 8-column strip of B touches one
	// 64-byte line per k step, so 256 steps are 16 KB, which stay in the
	// 32 KB L1D of the A53 and A72 (64 KB on the A76) while the kernel
	// runs down the panels of A (8 KB per panel block, streamed).
	kcNEON = 256
)

// packedLenNEON rounds m up to whole panels.
func packedLenNEON(m, k int) int { return (m + mrNEON - 1) / mrNEON * mrNEON * k }

// packANEON stores A in panels of 8 rows; within a panel, k-major: element
// (i, p) of panel P = i/8 is at P·8k + 8p + i%8. Rows past m are zero.
func packANEON(dst []float32, m, k int, a []float32, lda int) {
	for i0 := 0; i0 < m; i0 += mrNEON {
		panel := dst[i0*k : (i0+mrNEON)*k]
		rows := min(mrNEON, m-i0)
		for r := 0; r < rows; r++ {
			for p, v := range a[(i0+r)*lda : (i0+r)*lda+k] {
				panel[p*mrNEON+r] = v
			}
		}
		for r := rows; r < mrNEON; r++ {
			for p := 0; p < k; p++ {
				panel[p*mrNEON+r] = 0
			}
		}
	}
}

func gemmNEON(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	gemmDrive(false, a, r0, r1, n, b, ldb, c, ldc)
}

func gemmNEONA53(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	gemmDrive(true, a, r0, r1, n, b, ldb, c, ldc)
}

// gemmDrive blocks GemmPacked for the 8×8 kernels: for each k block, for
// each 8-column strip of B, down the panels of A (so the strip is reused
// from L1). Columns past the last whole strip: three or more go through a
// zero-padded copy of the strip; one or two (and products narrower than
// 4) through gemv8, column by column. The kernels get pointers; the
// slicing here bounds every address they touch.
func gemmDrive(a53 bool, a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int) {
	k, rows := a.K, r1-r0
	_ = c[(rows-1)*ldc+n-1]
	if k == 0 {
		for i := 0; i < rows; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	_ = b[(k-1)*ldb+n-1]
	_ = a.data[packedLenNEON(a.M, k)-1]
	full := n &^ (nrNEON - 1)
	for k0 := 0; k0 < k; k0 += kcNEON {
		kb := min(kcNEON, k-k0)
		for j := 0; j < full; j += nrNEON {
			tiles(a53, a, r0, r1, k0, kb, &b[k0*ldb+j], ldb, nil, c[j:], ldc, nrNEON)
		}
	}
	switch tail := n - full; {
	case tail >= 3:
		gemmTail(a53, a, r0, r1, full, n, b, ldb, c, ldc)
	case tail > 0:
		gemvCols(a, r0, r1, full, n, b, ldb, c, ldc)
	}
}

// tiles runs the kernel on k steps [k0, k0+kb) of every panel that meets
// rows [r0, r1), for the strip of B at bp (row stride ldb) and the w
// columns of C starting at c[0]. Tiles cut by r0, r1 or w go through a
// buffer.
//
// With offs (GemmOffsets), row p of the strip is at bp + offs[p] floats
// instead, and the A72/A76 kernel reads it through the table.
func tiles(a53 bool, a PackedA, r0, r1, k0, kb int, bp *float32, ldb int, offs *int32, c []float32, ldc, w int) {
	k, acc := a.K, 0
	if k0 > 0 {
		acc = 1
	}
	for i := r0 &^ (mrNEON - 1); i < r1; i += mrNEON {
		ap := &a.data[i*k+k0*mrNEON]
		lo, hi := max(i, r0), min(i+mrNEON, r1)
		if lo == i && hi == i+mrNEON && w == nrNEON {
			kernelOff(a53, ap, bp, ldb*4, offs, &c[(i-r0)*ldc], ldc*4, kb, acc)
			continue
		}
		var t [mrNEON * nrNEON]float32
		if acc != 0 {
			for r := lo; r < hi; r++ {
				copy(t[(r-i)*nrNEON:(r-i)*nrNEON+w], c[(r-r0)*ldc:])
			}
		}
		kernelOff(a53, ap, bp, ldb*4, offs, &t[0], nrNEON*4, kb, acc)
		for r := lo; r < hi; r++ {
			copy(c[(r-r0)*ldc:(r-r0)*ldc+w], t[(r-i)*nrNEON:])
		}
	}
}

// kernelOff is kernel, or gemm8x8off when offs is not nil.
func kernelOff(a53 bool, a, b *float32, ldb int, offs *int32, c *float32, ldc, k, acc int) {
	if offs != nil {
		gemm8x8off(a, b, offs, c, ldc, k, acc)
		return
	}
	kernel(a53, a, b, ldb, c, ldc, k, acc)
}

// kernel calls the variant directly (not through a func value) so that
// escape analysis sees the //go:noescape and the buffers stay on the stack.
func kernel(a53 bool, a, b *float32, ldb int, c *float32, ldc, k, acc int) {
	if a53 {
		gemm8x8A53(a, b, ldb, c, ldc, k, acc)
	} else {
		gemm8x8(a, b, ldb, c, ldc, k, acc)
	}
}

// gemmTail computes columns [j0, n), 3 to 7 of them, from a copy of
// the B strip padded with zero columns to 8.
func gemmTail(a53 bool, a PackedA, r0, r1, j0, n int, b []float32, ldb int, c []float32, ldc int) {
	k, w := a.K, n-j0
	var strip [kcNEON * nrNEON]float32
	for k0 := 0; k0 < k; k0 += kcNEON {
		kb := min(kcNEON, k-k0)
		for p := 0; p < kb; p++ {
			copy(strip[p*nrNEON:p*nrNEON+w], b[(k0+p)*ldb+j0:])
		}
		tiles(a53, a, r0, r1, k0, kb, &strip[0], nrNEON, nil, c[j0:], ldc, w)
	}
}

// gemvCols computes columns [j0, j1) one at a time with gemv8. A column
// of B is contiguous only when ldb == 1; otherwise it is gathered, a k
// block at a time, into a buffer.
func gemvCols(a PackedA, r0, r1, j0, j1 int, b []float32, ldb int, c []float32, ldc int) {
	k := a.K
	var col [kcNEON]float32
	var out [mrNEON]float32
	for j := j0; j < j1; j++ {
		for k0 := 0; k0 < k; {
			var bp *float32
			kb := k - k0
			if ldb == 1 {
				bp = &b[k0+j]
			} else {
				kb = min(kb, kcNEON)
				for p := 0; p < kb; p++ {
					col[p] = b[(k0+p)*ldb+j]
				}
				bp = &col[0]
			}
			for i := r0 &^ (mrNEON - 1); i < r1; i += mrNEON {
				gemv8(&a.data[i*k+k0*mrNEON], bp, kb, &out[0])
				for r := max(i, r0); r < min(i+mrNEON, r1); r++ {
					if k0 == 0 {
						c[(r-r0)*ldc+j] = out[r-i]
					} else {
						c[(r-r0)*ldc+j] += out[r-i]
					}
				}
			}
			k0 += kb
		}
	}
}

// depthwiseNEON runs the 3×3 kernels (stride 1 or 2 across, any stride
// down, no dilation) on the interior of each output row whose three input
// rows exist, a multiple of 4 outputs at a time; the other outputs, and
// other shapes, go through the generic loop.
func depthwiseNEON(p *DWConv, in, w []float32, bias float32, out []float32) {
	sw := p.StrideW
	if p.KH != 3 || p.KW != 3 || p.DilH != 1 || p.DilW != 1 || (sw != 1 && sw != 2) {
		depthwiseGeneric(p, in, w, bias, out)
		return
	}
	_ = w[8]
	_ = out[p.OH*p.OW-1]
	// Outputs from oxLo have their first tap inside the row.
	oxLo := min((p.PadL+sw-1)/sw, p.OW)
	x0 := oxLo*sw - p.PadL
	// n outputs read x0 .. x0+sw·(n-1)+2 (stride 1), x0 .. x0+2n+1
	// (stride 2, one float past the last tap), all within the row.
	n := 0
	if avail := p.W - x0 - 2; avail > 0 {
		n = min(p.OW-oxLo, avail/sw)
	}
	n &^= 3
	for oy := 0; oy < p.OH; oy++ {
		iy := oy*p.StrideH - p.PadT
		row := out[oy*p.OW : (oy+1)*p.OW]
		if n == 0 || iy < 0 || iy+2 >= p.H {
			for ox := range row {
				row[ox] = dwPixel(p, in, w, bias, oy, ox)
			}
			continue
		}
		r := in[iy*p.W : (iy+3)*p.W]
		r0, r1, r2 := &r[x0], &r[p.W+x0], &r[2*p.W+x0]
		if sw == 1 {
			dw3x3s1(r0, r1, r2, &w[0], bias, &row[oxLo], n)
		} else {
			dw3x3s2(r0, r1, r2, &w[0], bias, &row[oxLo], n)
		}
		for ox := 0; ox < oxLo; ox++ {
			row[ox] = dwPixel(p, in, w, bias, oy, ox)
		}
		for ox := oxLo + n; ox < p.OW; ox++ {
			row[ox] = dwPixel(p, in, w, bias, oy, ox)
		}
	}
}

// dwPixel is one output of depthwiseGeneric.
func dwPixel(p *DWConv, in, w []float32, bias float32, oy, ox int) float32 {
	s := bias
	for ky := 0; ky < p.KH; ky++ {
		iy := oy*p.StrideH - p.PadT + ky*p.DilH
		if iy < 0 || iy >= p.H {
			continue
		}
		for kx := 0; kx < p.KW; kx++ {
			ix := ox*p.StrideW - p.PadL + kx*p.DilW
			if ix >= 0 && ix < p.W {
				s += w[ky*p.KW+kx] * in[iy*p.W+ix]
			}
		}
	}
	return s
}
