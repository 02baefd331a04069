//go:build !purego

#include "textflag.h"

// NEON Winograd F(2×2, 3×3) transforms (see winograd.go), four tiles of
// one tile row per block (one 128-bit vector per transformed position).
//
// winoIn4NEON: tile j is columns 2j … 2j+3 of four input rows. LD2 loads
// eight floats deinterleaved, so one LD2 at the block's first column gives
// the tiles' columns 0 and 1 (E, O) and one two floats further their
// columns 2 and 3 (E', O'): 8 LD2 for the four rows, 16 FADD/FSUB for the
// row transform s = Bᵀ d (V16–V31), 16 for the column transform s B
// (V0–V15), 16 ST1, one per position ξ: 56 instructions per 4 tiles,
// in the generic loop's order (the same sums, bit for bit).
//
// winoOut4NEON: 16 LD1 (M, one vector per ξ), 16 FADD/FSUB for q = Aᵀ M,
// 8 for y = q A, then per output row the bias, the residual (LD2: its
// even and odd columns), FMAX/FMIN against the bounds and an ST2, which
// interleaves the even and odd columns back: 8 columns per row per block.
// FMAX and FMIN return NaN when the value is NaN, as BiasClamp passes it
// through; against a zero bound they may give +0 where the scalar loop
// keeps -0.
//
// winoOutPool4NEON: winoOut4NEON's loads and sums, then the maximum of
// each tile's four outputs, bias and clamp, one value per tile (below).
//
// The assembler spells none of the vector FADD, FSUB, FMAX, FMIN: WORDs,
// decoded and checked by words_arm64_test.go.

#define DST R0
#define LDD R1
#define ROW0 R2
#define ROW1 R3
#define ROW2 R4
#define ROW3 R5
#define BLOCKS R6
#define DP R7
#define T R8

// func winoIn4NEON(dst *float32, ldd int, src *float32, ld, blocks int)
TEXT ·winoIn4NEON(SB), NOSPLIT, $0-40
	MOVD	dst+0(FP), DST
	MOVD	ldd+8(FP), LDD
	LSL	$2, LDD
	MOVD	src+16(FP), ROW0
	MOVD	ld+24(FP), T
	LSL	$2, T
	ADD	T, ROW0, ROW1
	ADD	T, ROW1, ROW2
	ADD	T, ROW2, ROW3
	MOVD	blocks+32(FP), BLOCKS

block:
	VLD2	(ROW0), [V0.S4, V1.S4]   // row 0: E, O
	ADD	$8, ROW0, T
	VLD2	(T), [V2.S4, V3.S4]      // row 0: E', O'
	VLD2	(ROW1), [V4.S4, V5.S4]
	ADD	$8, ROW1, T
	VLD2	(T), [V6.S4, V7.S4]
	VLD2	(ROW2), [V8.S4, V9.S4]
	ADD	$8, ROW2, T
	VLD2	(T), [V10.S4, V11.S4]
	VLD2	(ROW3), [V12.S4, V13.S4]
	ADD	$8, ROW3, T
	VLD2	(T), [V14.S4, V15.S4]
	WORD $0x4ea8d410 // FSUB V16.4S, V0.4S, V8.4S
	WORD $0x4ea9d431 // FSUB V17.4S, V1.4S, V9.4S
	WORD $0x4eaad452 // FSUB V18.4S, V2.4S, V10.4S
	WORD $0x4eabd473 // FSUB V19.4S, V3.4S, V11.4S
	WORD $0x4e28d494 // FADD V20.4S, V4.4S, V8.4S
	WORD $0x4e29d4b5 // FADD V21.4S, V5.4S, V9.4S
	WORD $0x4e2ad4d6 // FADD V22.4S, V6.4S, V10.4S
	WORD $0x4e2bd4f7 // FADD V23.4S, V7.4S, V11.4S
	WORD $0x4ea4d518 // FSUB V24.4S, V8.4S, V4.4S
	WORD $0x4ea5d539 // FSUB V25.4S, V9.4S, V5.4S
	WORD $0x4ea6d55a // FSUB V26.4S, V10.4S, V6.4S
	WORD $0x4ea7d57b // FSUB V27.4S, V11.4S, V7.4S
	WORD $0x4eacd49c // FSUB V28.4S, V4.4S, V12.4S
	WORD $0x4eadd4bd // FSUB V29.4S, V5.4S, V13.4S
	WORD $0x4eaed4de // FSUB V30.4S, V6.4S, V14.4S
	WORD $0x4eafd4ff // FSUB V31.4S, V7.4S, V15.4S
	WORD $0x4eb2d600 // FSUB V0.4S, V16.4S, V18.4S
	WORD $0x4e32d621 // FADD V1.4S, V17.4S, V18.4S
	WORD $0x4eb1d642 // FSUB V2.4S, V18.4S, V17.4S
	WORD $0x4eb3d623 // FSUB V3.4S, V17.4S, V19.4S
	WORD $0x4eb6d684 // FSUB V4.4S, V20.4S, V22.4S
	WORD $0x4e36d6a5 // FADD V5.4S, V21.4S, V22.4S
	WORD $0x4eb5d6c6 // FSUB V6.4S, V22.4S, V21.4S
	WORD $0x4eb7d6a7 // FSUB V7.4S, V21.4S, V23.4S
	WORD $0x4ebad708 // FSUB V8.4S, V24.4S, V26.4S
	WORD $0x4e3ad729 // FADD V9.4S, V25.4S, V26.4S
	WORD $0x4eb9d74a // FSUB V10.4S, V26.4S, V25.4S
	WORD $0x4ebbd72b // FSUB V11.4S, V25.4S, V27.4S
	WORD $0x4ebed78c // FSUB V12.4S, V28.4S, V30.4S
	WORD $0x4e3ed7ad // FADD V13.4S, V29.4S, V30.4S
	WORD $0x4ebdd7ce // FSUB V14.4S, V30.4S, V29.4S
	WORD $0x4ebfd7af // FSUB V15.4S, V29.4S, V31.4S
	MOVD	DST, DP
	VST1.P	[V0.S4], (DP)(LDD)
	VST1.P	[V1.S4], (DP)(LDD)
	VST1.P	[V2.S4], (DP)(LDD)
	VST1.P	[V3.S4], (DP)(LDD)
	VST1.P	[V4.S4], (DP)(LDD)
	VST1.P	[V5.S4], (DP)(LDD)
	VST1.P	[V6.S4], (DP)(LDD)
	VST1.P	[V7.S4], (DP)(LDD)
	VST1.P	[V8.S4], (DP)(LDD)
	VST1.P	[V9.S4], (DP)(LDD)
	VST1.P	[V10.S4], (DP)(LDD)
	VST1.P	[V11.S4], (DP)(LDD)
	VST1.P	[V12.S4], (DP)(LDD)
	VST1.P	[V13.S4], (DP)(LDD)
	VST1.P	[V14.S4], (DP)(LDD)
	VST1.P	[V15.S4], (DP)(LDD)
	ADD	$16, DST
	ADD	$32, ROW0
	ADD	$32, ROW1
	ADD	$32, ROW2
	ADD	$32, ROW3
	SUBS	$1, BLOCKS
	BNE	block
	RET

#define SRC R0
#define LDS R1
#define YP R2
#define LDO R3
#define RESP R4
#define ROWS R5
#define SP2 R7
#define YP1 R8
#define RP1 R9

// func winoOut4NEON(dst *float32, ldo, rows int, src *float32, lds, blocks int, bias, lo, hi float32, res *float32)
// Whole blocks only: 8 columns of each of rows (1 or 2) output rows.
TEXT ·winoOut4NEON(SB), NOSPLIT, $0-72
	MOVD	dst+0(FP), YP
	MOVD	ldo+8(FP), LDO
	LSL	$2, LDO
	MOVD	rows+16(FP), ROWS
	MOVD	src+24(FP), SRC
	MOVD	lds+32(FP), LDS
	LSL	$2, LDS
	MOVD	blocks+40(FP), BLOCKS
	FMOVS	bias+48(FP), F28
	FMOVS	lo+52(FP), F29
	FMOVS	hi+56(FP), F30
	VDUP	V28.S[0], V28.S4
	VDUP	V29.S[0], V29.S4
	VDUP	V30.S[0], V30.S4
	MOVD	res+64(FP), RESP

oblock:
	MOVD	SRC, SP2
	VLD1.P	(SP2)(LDS), [V0.S4]
	VLD1.P	(SP2)(LDS), [V1.S4]
	VLD1.P	(SP2)(LDS), [V2.S4]
	VLD1.P	(SP2)(LDS), [V3.S4]
	VLD1.P	(SP2)(LDS), [V4.S4]
	VLD1.P	(SP2)(LDS), [V5.S4]
	VLD1.P	(SP2)(LDS), [V6.S4]
	VLD1.P	(SP2)(LDS), [V7.S4]
	VLD1.P	(SP2)(LDS), [V8.S4]
	VLD1.P	(SP2)(LDS), [V9.S4]
	VLD1.P	(SP2)(LDS), [V10.S4]
	VLD1.P	(SP2)(LDS), [V11.S4]
	VLD1.P	(SP2)(LDS), [V12.S4]
	VLD1.P	(SP2)(LDS), [V13.S4]
	VLD1.P	(SP2)(LDS), [V14.S4]
	VLD1.P	(SP2)(LDS), [V15.S4]
	WORD $0x4e24d410 // FADD V16.4S, V0.4S, V4.4S
	WORD $0x4e28d610 // FADD V16.4S, V16.4S, V8.4S
	WORD $0x4ea8d494 // FSUB V20.4S, V4.4S, V8.4S
	WORD $0x4eacd694 // FSUB V20.4S, V20.4S, V12.4S
	WORD $0x4e25d431 // FADD V17.4S, V1.4S, V5.4S
	WORD $0x4e29d631 // FADD V17.4S, V17.4S, V9.4S
	WORD $0x4ea9d4b5 // FSUB V21.4S, V5.4S, V9.4S
	WORD $0x4eadd6b5 // FSUB V21.4S, V21.4S, V13.4S
	WORD $0x4e26d452 // FADD V18.4S, V2.4S, V6.4S
	WORD $0x4e2ad652 // FADD V18.4S, V18.4S, V10.4S
	WORD $0x4eaad4d6 // FSUB V22.4S, V6.4S, V10.4S
	WORD $0x4eaed6d6 // FSUB V22.4S, V22.4S, V14.4S
	WORD $0x4e27d473 // FADD V19.4S, V3.4S, V7.4S
	WORD $0x4e2bd673 // FADD V19.4S, V19.4S, V11.4S
	WORD $0x4eabd4f7 // FSUB V23.4S, V7.4S, V11.4S
	WORD $0x4eafd6f7 // FSUB V23.4S, V23.4S, V15.4S
	WORD $0x4e31d618 // FADD V24.4S, V16.4S, V17.4S
	WORD $0x4e32d718 // FADD V24.4S, V24.4S, V18.4S
	WORD $0x4eb2d639 // FSUB V25.4S, V17.4S, V18.4S
	WORD $0x4eb3d739 // FSUB V25.4S, V25.4S, V19.4S
	WORD $0x4e35d69a // FADD V26.4S, V20.4S, V21.4S
	WORD $0x4e36d75a // FADD V26.4S, V26.4S, V22.4S
	WORD $0x4eb6d6bb // FSUB V27.4S, V21.4S, V22.4S
	WORD $0x4eb7d77b // FSUB V27.4S, V27.4S, V23.4S
	WORD $0x4e3cd718 // FADD V24.4S, V24.4S, V28.4S
	WORD $0x4e3cd739 // FADD V25.4S, V25.4S, V28.4S
	CBZ	RESP, clamp0
	VLD2	(RESP), [V0.S4, V1.S4]
	WORD $0x4e20d718 // FADD V24.4S, V24.4S, V0.4S
	WORD $0x4e21d739 // FADD V25.4S, V25.4S, V1.4S
clamp0:
	WORD $0x4e3df718 // FMAX V24.4S, V24.4S, V29.4S
	WORD $0x4ebef718 // FMIN V24.4S, V24.4S, V30.4S
	WORD $0x4e3df739 // FMAX V25.4S, V25.4S, V29.4S
	WORD $0x4ebef739 // FMIN V25.4S, V25.4S, V30.4S
	VST2	[V24.S4, V25.S4], (YP)
	CMP	$2, ROWS
	BLT	onext
	ADD	LDO, YP, YP1
	ADD	LDO, RESP, RP1
	WORD $0x4e3cd75a // FADD V26.4S, V26.4S, V28.4S
	WORD $0x4e3cd77b // FADD V27.4S, V27.4S, V28.4S
	CBZ	RESP, clamp1
	VLD2	(RP1), [V0.S4, V1.S4]
	WORD $0x4e20d75a // FADD V26.4S, V26.4S, V0.4S
	WORD $0x4e21d77b // FADD V27.4S, V27.4S, V1.4S
clamp1:
	WORD $0x4e3df75a // FMAX V26.4S, V26.4S, V29.4S
	WORD $0x4ebef75a // FMIN V26.4S, V26.4S, V30.4S
	WORD $0x4e3df77b // FMAX V27.4S, V27.4S, V29.4S
	WORD $0x4ebef77b // FMIN V27.4S, V27.4S, V30.4S
	VST2	[V26.S4, V27.S4], (YP1)

onext:
	ADD	$16, SRC
	ADD	$32, YP
	CBZ	RESP, 2(PC)
	ADD	$32, RESP
	SUBS	$1, BLOCKS
	BNE	oblock
	RET

#define DROW R10
#define SROW R11
#define SSTEP R12
#define TAIL R13
#define CNT R14

// func winoOutPool4NEON(dst *float32, ldo, rows int, src *float32, lds, srcStep, blocks, tail int, bias, lo, hi float32)
// Per tile row (rows of them, srcStep and ldo floats apart), blocks whole
// blocks of 4 tiles, then, when tail > 0, one more block of which the
// first tail (1–3) values are stored. Per block: winoOut4NEON's 16 LD1 and
// 24 FADD/FSUB, giving the four outputs of each tile (y00 y01 y10 y11 in
// V24–V27); their maximum (three FMAX: NaN if any is NaN, which is the
// max of the generic loop but for the sign of a zero that meets a zero;
// the bias makes that moot unless it is -0); the bias; the clamp (FMAX,
// FMIN, as winoOut4NEON); one ST1 of the 4 values.
TEXT ·winoOutPool4NEON(SB), NOSPLIT, $0-76
	MOVD	dst+0(FP), DROW
	MOVD	ldo+8(FP), LDO
	LSL	$2, LDO
	MOVD	rows+16(FP), ROWS
	MOVD	src+24(FP), SROW
	MOVD	lds+32(FP), LDS
	LSL	$2, LDS
	MOVD	srcStep+40(FP), SSTEP
	LSL	$2, SSTEP
	MOVD	blocks+48(FP), BLOCKS
	MOVD	tail+56(FP), TAIL
	FMOVS	bias+64(FP), F28
	FMOVS	lo+68(FP), F29
	FMOVS	hi+72(FP), F30
	VDUP	V28.S[0], V28.S4
	VDUP	V29.S[0], V29.S4
	VDUP	V30.S[0], V30.S4

prow:
	MOVD	DROW, YP
	MOVD	SROW, SRC
	MOVD	BLOCKS, CNT
	CBNZ	CNT, pblock
	CBZ	TAIL, pnext

pblock:
	// M: one vector per ξ, 4 tiles.
	MOVD	SRC, SP2
	VLD1.P	(SP2)(LDS), [V0.S4]
	VLD1.P	(SP2)(LDS), [V1.S4]
	VLD1.P	(SP2)(LDS), [V2.S4]
	VLD1.P	(SP2)(LDS), [V3.S4]
	VLD1.P	(SP2)(LDS), [V4.S4]
	VLD1.P	(SP2)(LDS), [V5.S4]
	VLD1.P	(SP2)(LDS), [V6.S4]
	VLD1.P	(SP2)(LDS), [V7.S4]
	VLD1.P	(SP2)(LDS), [V8.S4]
	VLD1.P	(SP2)(LDS), [V9.S4]
	VLD1.P	(SP2)(LDS), [V10.S4]
	VLD1.P	(SP2)(LDS), [V11.S4]
	VLD1.P	(SP2)(LDS), [V12.S4]
	VLD1.P	(SP2)(LDS), [V13.S4]
	VLD1.P	(SP2)(LDS), [V14.S4]
	VLD1.P	(SP2)(LDS), [V15.S4]
	// q = Aᵀ M: q[0][b] in V16–V19, q[1][b] in V20–V23.
	WORD $0x4e24d410 // FADD V16.4S, V0.4S, V4.4S
	WORD $0x4e28d610 // FADD V16.4S, V16.4S, V8.4S
	WORD $0x4ea8d494 // FSUB V20.4S, V4.4S, V8.4S
	WORD $0x4eacd694 // FSUB V20.4S, V20.4S, V12.4S
	WORD $0x4e25d431 // FADD V17.4S, V1.4S, V5.4S
	WORD $0x4e29d631 // FADD V17.4S, V17.4S, V9.4S
	WORD $0x4ea9d4b5 // FSUB V21.4S, V5.4S, V9.4S
	WORD $0x4eadd6b5 // FSUB V21.4S, V21.4S, V13.4S
	WORD $0x4e26d452 // FADD V18.4S, V2.4S, V6.4S
	WORD $0x4e2ad652 // FADD V18.4S, V18.4S, V10.4S
	WORD $0x4eaad4d6 // FSUB V22.4S, V6.4S, V10.4S
	WORD $0x4eaed6d6 // FSUB V22.4S, V22.4S, V14.4S
	WORD $0x4e27d473 // FADD V19.4S, V3.4S, V7.4S
	WORD $0x4e2bd673 // FADD V19.4S, V19.4S, V11.4S
	WORD $0x4eabd4f7 // FSUB V23.4S, V7.4S, V11.4S
	WORD $0x4eafd6f7 // FSUB V23.4S, V23.4S, V15.4S
	// y = q A: y00 y01 (V24, V25), y10 y11 (V26, V27).
	WORD $0x4e31d618 // FADD V24.4S, V16.4S, V17.4S
	WORD $0x4e32d718 // FADD V24.4S, V24.4S, V18.4S
	WORD $0x4eb2d639 // FSUB V25.4S, V17.4S, V18.4S
	WORD $0x4eb3d739 // FSUB V25.4S, V25.4S, V19.4S
	WORD $0x4e35d69a // FADD V26.4S, V20.4S, V21.4S
	WORD $0x4e36d75a // FADD V26.4S, V26.4S, V22.4S
	WORD $0x4eb6d6bb // FSUB V27.4S, V21.4S, V22.4S
	WORD $0x4eb7d77b // FSUB V27.4S, V27.4S, V23.4S
	// The pool: max of the four, as a tree (two FMAX in parallel, then
	// one); FMAX is commutative and associative up to which NaN comes out.
	WORD $0x4e39f718 // FMAX V24.4S, V24.4S, V25.4S
	WORD $0x4e3bf75a // FMAX V26.4S, V26.4S, V27.4S
	WORD $0x4e3af718 // FMAX V24.4S, V24.4S, V26.4S
	// Bias and clamp.
	WORD $0x4e3cd718 // FADD V24.4S, V24.4S, V28.4S
	WORD $0x4e3df718 // FMAX V24.4S, V24.4S, V29.4S
	WORD $0x4ebef718 // FMIN V24.4S, V24.4S, V30.4S
	CBZ	CNT, ptail
	VST1.P	[V24.S4], 16(YP)
	ADD	$16, SRC
	SUBS	$1, CNT
	BNE	pblock
	CBNZ	TAIL, pblock // the partial block: CNT is 0 now
	B	pnext

ptail:
	// The first tail (1–3) values of the partial block.
	VST1.P	V24.S[0], 4(YP)
	CMP	$2, TAIL
	BLT	pnext
	VST1.P	V24.S[1], 4(YP)
	CMP	$3, TAIL
	BLT	pnext
	VST1	V24.S[2], (YP)

pnext:
	ADD	LDO, DROW
	ADD	SSTEP, SROW
	SUBS	$1, ROWS
	BNE	prow
	RET
