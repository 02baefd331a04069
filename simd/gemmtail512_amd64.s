//go:build !purego

#include "textflag.h"

// gemmTail4z: the tail columns of the AVX-512 GEMM (driver:
// gemmtail512_amd64.go). For `panels` A panels (astride bytes apart) and
// one K block of kc steps, the 4 rows of each panel times the packed tail
// bt: group q (k steps 4q…4q+3) is 4 columns × 16 floats, column j's 16
// being B[4q+i][j] for i = 0…3, each repeated 4 times. One zmm load of
// the panel (16 floats: 4 k steps × 4 rows) times column j's 16 is then
// one FMA for 16 useful products: lane 4i + r is row r, k step 4q + i.
//
// Chains, so that every driver sums alike: with four columns (ncols = 4)
// groups alternate between two sets of accumulators, Z0–Z3 and Z4–Z7,
// added at the end (Z0 + Z4, …); with one (ncols = 1), four groups at a
// time go to Z0, Z1, Z2, Z3 and the rest to Z0, added as (Z0 + Z2) +
// (Z1 + Z3). A column's zmm is then reduced as (lanes of k steps 0 + 2)
// + (1 + 3), transposed with the other columns into rows and added to C
// (accum != 0) or stored, under the opmask `mask` (the tail's 1–4
// columns). A last group of kc mod 4 steps loads A zero-masked (bt holds
// zeros there), so nothing past the K block is read.

#define A_PTR SI
#define BT DI
#define C_PTR DX
#define LDC R8
#define C1 R9
#define C2 R12
#define C3 R13
#define K_LEFT CX
#define PANELS BX
#define ACCUM R10
#define A_NEXT R11
#define NCOLS AX
#define PF_PTR R9 // the next panel's line matching A_PTR's (C1's register, free until the store)

// TG4(aoff, boff, s0, s1, s2, s3): one group of four columns into s0–s3
#define TG4(a, boff, s0, s1, s2, s3) \
	VFMADD231PS boff(BT), a, s0     \
	VFMADD231PS boff+64(BT), a, s1  \
	VFMADD231PS boff+128(BT), a, s2 \
	VFMADD231PS boff+192(BT), a, s3

// ZSUM4(z, y, x): x = (lanes 0–3 + 8–11) + (4–7 + 12–15) of z
#define ZSUM4(z, y, x) \
	VEXTRACTF64X4 $1, z, Y12 \
	VADDPS        Y12, y, y  \
	VEXTRACTF128  $1, y, X12 \
	VADDPS        X12, x, x

// func gemmTail4z(a *float32, astride, panels int, bt *float32, kc int, c *float32, ldc, accum, mask, ncols int)
TEXT ·gemmTail4z(SB), NOSPLIT, $0-80
	MOVQ  mask+64(FP), CX
	KMOVW CX, K1
	MOVQ  kc+32(FP), CX      // K2: the lanes of a last group of kc mod 4 steps
	ANDQ  $3, CX
	SHLQ  $2, CX
	MOVL  $1, R9
	SHLQ  CX, R9
	DECQ  R9
	KMOVW R9, K2
	MOVQ  a+0(FP), A_NEXT
	MOVQ  panels+16(FP), PANELS
	MOVQ  c+40(FP), C_PTR
	MOVQ  ldc+48(FP), LDC
	SHLQ  $2, LDC
	MOVQ  accum+56(FP), ACCUM
	MOVQ  ncols+72(FP), NCOLS

panel:
	MOVQ   A_NEXT, A_PTR
	ADDQ   astride+8(FP), A_NEXT
	MOVQ   A_NEXT, PF_PTR
	MOVQ   bt+24(FP), BT
	MOVQ   kc+32(FP), K_LEFT
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	CMPQ   NCOLS, $1
	JEQ    one
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

pairs: // two groups: the even one into Z0–Z3, the odd one into Z4–Z7
	CMPQ    K_LEFT, $8
	JB      pair1
	PREFETCHT0 (PF_PTR)
	PREFETCHT0 64(PF_PTR)
	ADDQ    $128, PF_PTR
	VMOVUPS (A_PTR), Z8
	VMOVUPS 64(A_PTR), Z9
	TG4(Z8, 0, Z0, Z1, Z2, Z3)
	TG4(Z9, 256, Z4, Z5, Z6, Z7)
	ADDQ    $128, A_PTR
	ADDQ    $512, BT
	SUBQ    $8, K_LEFT
	JMP     pairs

pair1: // 0–7 steps left: a whole even group, then a part of an odd one
	CMPQ      K_LEFT, $4
	JB        pair2
	VMOVUPS   (A_PTR), Z8
	TG4(Z8, 0, Z0, Z1, Z2, Z3)
	SUBQ      $4, K_LEFT
	JZ        fourSum
	VMOVUPS.Z 64(A_PTR), K2, Z9
	TG4(Z9, 256, Z4, Z5, Z6, Z7)
	JMP       fourSum

pair2: // 0–3 steps left: a part of an even group
	TESTQ     K_LEFT, K_LEFT
	JZ        fourSum
	VMOVUPS.Z (A_PTR), K2, Z8
	TG4(Z8, 0, Z0, Z1, Z2, Z3)

fourSum:
	VADDPS Z4, Z0, Z0
	VADDPS Z5, Z1, Z1
	VADDPS Z6, Z2, Z2
	VADDPS Z7, Z3, Z3
	JMP    reduce

one: // column 0 only: four groups into Z0–Z3, the rest into Z0
	CMPQ        K_LEFT, $16
	JB          one1
	PREFETCHT0  (PF_PTR)
	PREFETCHT0  64(PF_PTR)
	PREFETCHT0  128(PF_PTR)
	PREFETCHT0  192(PF_PTR)
	ADDQ        $256, PF_PTR
	VMOVUPS     (A_PTR), Z8
	VMOVUPS     64(A_PTR), Z9
	VMOVUPS     128(A_PTR), Z10
	VMOVUPS     192(A_PTR), Z11
	VFMADD231PS (BT), Z8, Z0
	VFMADD231PS 256(BT), Z9, Z1
	VFMADD231PS 512(BT), Z10, Z2
	VFMADD231PS 768(BT), Z11, Z3
	ADDQ        $256, A_PTR
	ADDQ        $1024, BT
	SUBQ        $16, K_LEFT
	JMP         one

one1:
	CMPQ        K_LEFT, $4
	JB          one2
	VMOVUPS     (A_PTR), Z8
	VFMADD231PS (BT), Z8, Z0
	ADDQ        $64, A_PTR
	ADDQ        $256, BT
	SUBQ        $4, K_LEFT
	JMP         one1

one2:
	TESTQ       K_LEFT, K_LEFT
	JZ          oneSum
	VMOVUPS.Z   (A_PTR), K2, Z8
	VFMADD231PS (BT), Z8, Z0

oneSum: // Z1–Z3 then hold only column 0's other chains; their lanes are never stored
	VADDPS Z2, Z0, Z0
	VADDPS Z3, Z1, Z1
	VADDPS Z1, Z0, Z0

reduce:
	ZSUM4(Z0, Y0, X0)
	ZSUM4(Z1, Y1, X1)
	ZSUM4(Z2, Y2, X2)
	ZSUM4(Z3, Y3, X3)

	// X0–X3 are columns 0–3 (lanes: rows 0–3); X4–X7 become rows 0–3
	VUNPCKLPS X1, X0, X8
	VUNPCKHPS X1, X0, X9
	VUNPCKLPS X3, X2, X10
	VUNPCKHPS X3, X2, X11
	VMOVLHPS  X10, X8, X4
	VMOVHLPS  X8, X10, X5
	VMOVLHPS  X11, X9, X6
	VMOVHLPS  X9, X11, X7

	LEAQ      (C_PTR)(LDC*1), C1
	LEAQ      (C_PTR)(LDC*2), C2
	LEAQ      (C1)(LDC*2), C3
	TESTQ     ACCUM, ACCUM
	JZ        save
	VMOVUPS.Z (C_PTR), K1, X8
	VADDPS    X8, X4, X4
	VMOVUPS.Z (C1), K1, X9
	VADDPS    X9, X5, X5
	VMOVUPS.Z (C2), K1, X10
	VADDPS    X10, X6, X6
	VMOVUPS.Z (C3), K1, X11
	VADDPS    X11, X7, X7

save:
	VMOVUPS X4, K1, (C_PTR)
	VMOVUPS X5, K1, (C1)
	VMOVUPS X6, K1, (C2)
	VMOVUPS X7, K1, (C3)
	LEAQ    (C_PTR)(LDC*4), C_PTR
	DECQ    PANELS
	JNZ     panel
	VZEROUPPER
	RET
