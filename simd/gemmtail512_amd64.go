//go:build !purego

package simd

import "unsafe"

// The tail of the AVX-512 GEMM: the 1–4 columns that gemvTail512 cuts off
// after whole 48-column strips (49 pixels of a 7×7 map, 196 of 14×14) or
// after an 8-column AVX2 strip (a last strip of 9–12 columns). They were
// matrix-vector products over the whole of A, one column at a time: each
// read all of A again, from L3 or memory where A is larger than L2 (the
// 1 MiB and 4 MiB weights of faces' 512- and 1024-channel pointwise
// layers), so a single column of 49 cost a quarter of the 48 before it.
// Here they are computed per row block and K block right after the strips
// of that block, while its A block (at most mc512 panels × kc512 steps,
// 512 KiB) is still in L2, by gemmTail4z: 4 rows × up to 4 columns, B
// repacked so that one zmm FMA makes 16 useful products (see
// gemmtail512_amd64.s). Every driver (GemmPacked, GemmOffsets,
// GemmPackedB) calls it on the same K blocks with the same packed values,
// so their results stay equal bit for bit.

// tailCols512 is the widest tail; tailGroup512 the floats of one group of
// four k steps of the packed tail (16 a column).
const (
	tailCols512  = 4
	tailGroup512 = 16 * tailCols512
)

// gemmTail4z multiplies `panels` A panels (K block of kc steps) by the
// packed tail bt into 4 × (mask's lanes) tiles of C (see the .s file).
//
//go:noescape
func gemmTail4z(a *float32, astride, panels int, bt *float32, kc int, c *float32, ldc, accum, mask, ncols int)

// tailLen512 is the length of a packed tail of kc rows.
func tailLen512(kc int) int { return (kc + 3) / 4 * tailGroup512 }

// packTail512 writes the t ≤ 4 tail columns of a K block of kc rows into
// dst (zeroed: the columns past t and the steps past kc stay zero): row p
// of the block is b[base+p·ldb:][:t], or b[base+offs[p]:][:t] when offs is
// not nil.
func packTail512(dst, b []float32, base, ldb int, offs []int32, kc, t int) {
	dst = dst[:tailLen512(kc)]
	for p := 0; p < kc; p++ {
		o := base + p*ldb
		if offs != nil {
			o = base + int(offs[p])
		}
		d := dst[p/4*tailGroup512+p%4*4:]
		for j, v := range b[o : o+t] {
			e := d[j*16 : j*16+4]
			e[0], e[1], e[2], e[3] = v, v, v, v
		}
	}
}

// tailPass512 packs the tail of K block [pc, pc+kc) (B row p of the block
// at b[base+p·ldb:] or b[base+offs[p]:]) and multiplies it by A panels
// [ib, ie) into C's columns [jt, jt+t).
// Its buffer comes in sizes by kc, as the strips' do (kTier0): Go zeroes
// it on every call, and a Winograd convolution's products of 9–12 tiles
// and K = 16–64 come here 16 times a unit.
func tailPass512(a PackedA, r0, r1, ib, ie, pc, kc int, b []float32, base, ldb int, offs []int32, t int, c []float32, ldc, jt int) {
	switch {
	case kc <= kTier0:
		var buf [kTier0/4*tailGroup512 + 16]float32
		tailPacked512(buf[:], a, r0, r1, ib, ie, pc, kc, b, base, ldb, offs, t, c, ldc, jt)
	case kc <= kTier1:
		var buf [kTier1/4*tailGroup512 + 16]float32
		tailPacked512(buf[:], a, r0, r1, ib, ie, pc, kc, b, base, ldb, offs, t, c, ldc, jt)
	default:
		var buf [kc512/4*tailGroup512 + 16]float32
		tailPacked512(buf[:], a, r0, r1, ib, ie, pc, kc, b, base, ldb, offs, t, c, ldc, jt)
	}
}

// tailPacked512 is tailPass512 with buf (zeroed) for the packed tail.
func tailPacked512(buf []float32, a PackedA, r0, r1, ib, ie, pc, kc int, b []float32, base, ldb int, offs []int32, t int, c []float32, ldc, jt int) {
	bt := buf[(16-int(uintptr(unsafe.Pointer(&buf[0]))/4)&15)&15:] // 64-byte aligned: a zmm load is one cache line (unaligned: twice the time)
	packTail512(bt, b, base, ldb, offs, kc, t)
	tail512(a, r0, r1, ib, ie, pc, kc, bt, t, c, ldc, jt)
}

// tail512 multiplies the packed tail bt of K block [pc, pc+kc) by A panels
// [ib, ie) into C's columns [jt, jt+t): the whole panels in one call, those
// cut by r0 or r1 through a stack tile.
func tail512(a PackedA, r0, r1, ib, ie, pc, kc int, bt []float32, t int, c []float32, ldc, jt int) {
	k := a.K
	_ = bt[tailLen512(kc)-1]
	acc, ncols := 0, tailCols512
	if pc > 0 {
		acc = 1
	}
	if t == 1 {
		ncols = 1
	}
	mask := 1<<t - 1
	fb, fe := wholePanels(ib, ie, r0, r1)
	if fe > fb {
		gemmTail4z(&a.data[fb*mrAVX2*k+pc*mrAVX2], mrAVX2*k*4, fe-fb, &bt[0], kc, &c[(fb*mrAVX2-r0)*ldc+jt], ldc, acc, mask, ncols)
	}
	for p := ib; p < ie; p++ {
		if p >= fb && p < fe {
			continue
		}
		var tile [mrAVX2 * tailCols512]float32
		lo, hi := max(r0, p*mrAVX2), min(r1, (p+1)*mrAVX2)
		if acc != 0 {
			for i := lo; i < hi; i++ {
				copy(tile[(i-p*mrAVX2)*tailCols512:][:t], c[(i-r0)*ldc+jt:])
			}
		}
		gemmTail4z(&a.data[p*mrAVX2*k+pc*mrAVX2], 0, 1, &bt[0], kc, &tile[0], tailCols512, acc, mask, ncols)
		for i := lo; i < hi; i++ {
			copy(c[(i-r0)*ldc+jt:][:t], tile[(i-p*mrAVX2)*tailCols512:])
		}
	}
}
