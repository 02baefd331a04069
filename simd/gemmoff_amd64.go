//go:build !purego

package simd

// gemm4x24off, gemm4x16off and gemm4x8off are gemm4x24, gemm4x16 and
// gemm4x8 with B row p at b + offs[p] floats (gemmoff_amd64.s).
//
//go:noescape
func gemm4x24off(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum int)

//go:noescape
func gemm4x16off(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum int)

//go:noescape
func gemm4x8off(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum int)

func kernelOffAVX2(nv int, a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc int, accum bool) {
	acc := 0
	if accum {
		acc = 1
	}
	switch nv {
	case 3:
		gemm4x24off(a, astride, panels, b, offs, kc, c, ldc, acc)
	case 2:
		gemm4x16off(a, astride, panels, b, offs, kc, c, ldc, acc)
	default:
		gemm4x8off(a, astride, panels, b, offs, kc, c, ldc, acc)
	}
}

// gemmOffAVX2 is GemmOffsets. The loops are those of gemmAVX2 (row blocks,
// K blocks, column strips of 24, A panels), with the B strip read in place
// through the offsets instead of packed. A last strip whose width is not a
// multiple of 8 would read past its columns, so it is gathered into a
// packed strip on the stack (zero columns after w) and done by the packed
// kernels.
func gemmOffAVX2(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int) {
	k := a.K
	_ = c[(r1-r0-1)*ldc+n-1]
	if k == 0 || n <= gemvMaxN {
		gemmOffGather(a, r0, r1, n, b, offs, col, c, ldc)
		return
	}
	if t := gemvTail(n); t > 0 {
		// the last columns as gemmAVX2 takes them (matrix-vector
		// products), from a copy in col
		j0 := n - t
		for p := 0; p < k; p++ {
			copy(col[p*t:(p+1)*t], b[int(offs[p])+j0:][:t])
		}
		for j := 0; j < t; j++ {
			gemvAVX2(a, r0, r1, col[j:], t, c[j0+j:], ldc)
		}
		n = j0
	}
	if n%8 == 0 { // no strip is gathered: no buffer
		gemmOffAVX2Buf(nil, a, r0, r1, n, b, offs, c, ldc)
		return
	}
	switch kb := kBlocks(k, kcAVX2); {
	case kb <= kTier0:
		var buf [kTier0 * nrAVX2]float32
		gemmOffAVX2Buf(buf[:], a, r0, r1, n, b, offs, c, ldc)
	case kb <= kTier1:
		var buf [kTier1 * nrAVX2]float32
		gemmOffAVX2Buf(buf[:], a, r0, r1, n, b, offs, c, ldc)
	default:
		var buf [kcAVX2 * nrAVX2]float32
		gemmOffAVX2Buf(buf[:], a, r0, r1, n, b, offs, c, ldc)
	}
}

// gemmOffAVX2Buf is gemmOffAVX2 with buf for a gathered last strip (room
// for a K block × 24 floats; nil when n is a multiple of 8).
func gemmOffAVX2Buf(buf []float32, a PackedA, r0, r1, n int, b []float32, offs []int32, c []float32, ldc int) {
	k := a.K
	kb := kBlocks(k, kcAVX2)
	first, last := r0/mrAVX2, (r1-1)/mrAVX2
	for ib := first; ib <= last; ib += mcAVX2 {
		ie := min(last+1, ib+mcAVX2)
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			s := stripAVX2{a: a, r0: r0, r1: r1, pc: pc, kc: kc, c: c, ldc: ldc}
			for s.jc = 0; s.jc < n; s.jc += nrAVX2 {
				s.w = min(nrAVX2, n-s.jc)
				if s.w%8 == 0 {
					s.b, s.offs = &b[s.jc], &offs[pc]
				} else {
					for p := 0; p < kc; p++ {
						src := b[int(offs[pc+p])+s.jc:][:s.w]
						row := buf[p*nrAVX2 : (p+1)*nrAVX2]
						copy(row, src)
						clear(row[s.w:])
					}
					s.b, s.ldb, s.offs = &buf[0], nrAVX2, nil
				}
				s.panels(ib, ie)
			}
		}
	}
}
