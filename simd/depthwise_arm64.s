//go:build !purego

#include "textflag.h"

// Depthwise 3×3 kernels for arm64 (NEON): the interior of one output row,
// where all nine taps fall inside the input (depthwiseNEON in
// impl_arm64.go does the borders and every other shape). The nine weights
// are broadcast into V22–V30 and the bias into V31 once; each input row
// has its own accumulators (bias + row 0, row 1, row 2), added at the
// end, so one accumulator's FMLAs are never more than three deep. The
// assembler spells the vector FMLA (VFMLA) but not FMUL or FADD, hence
// the WORDs.

#define R0P R0  // input row iy, at the first tap of the first output
#define R1P R1  // row iy+1
#define R2P R2  // row iy+2
#define WP R3   // the 9 weights
#define OUT R4
#define N R5    // outputs left, a multiple of 4
#define STEP R6 // 4 (stride 1) or 8 (stride 2): the next tap's bytes

// LOAD_W broadcasts w[0..8] into V22–V30 and the bias into V31.
#define LOAD_W \
	VLD1R.P	4(WP), [V22.S4] \
	VLD1R.P	4(WP), [V23.S4] \
	VLD1R.P	4(WP), [V24.S4] \
	VLD1R.P	4(WP), [V25.S4] \
	VLD1R.P	4(WP), [V26.S4] \
	VLD1R.P	4(WP), [V27.S4] \
	VLD1R.P	4(WP), [V28.S4] \
	VLD1R.P	4(WP), [V29.S4] \
	VLD1R.P	4(WP), [V30.S4] \
	FMOVS	bias+32(FP), F31 \
	VDUP	V31.S[0], V31.S4

// func dw3x3s1(r0, r1, r2, w *float32, bias float32, out *float32, n int)
//
// Stride 1: out[x] = bias + Σ w[3ky+kx]·r_ky[x+kx], x < n. Eight outputs
// per iteration: per input row three overlapping LD1 of two registers
// (at x, x+1, x+2) and 6 FMLA, 18 in all, into V16–V21; reads
// r_ky[0 .. n+1] and no further.
TEXT ·dw3x3s1(SB), NOSPLIT, $0-56
	MOVD	r0+0(FP), R0P
	MOVD	r1+8(FP), R1P
	MOVD	r2+16(FP), R2P
	MOVD	w+24(FP), WP
	MOVD	out+40(FP), OUT
	MOVD	n+48(FP), N
	MOVD	$4, STEP
	LOAD_W

loop8:
	CMP	$8, N
	BLT	loop4
	VMOV	V31.B16, V16.B16
	VMOV	V31.B16, V17.B16
	VLD1.P	(R0P)(STEP), [V0.S4, V1.S4]
	VLD1.P	(R0P)(STEP), [V2.S4, V3.S4]
	VLD1	(R0P), [V4.S4, V5.S4]
	ADD	$24, R0P
	VFMLA	V22.S4, V0.S4, V16.S4
	VFMLA	V22.S4, V1.S4, V17.S4
	VFMLA	V23.S4, V2.S4, V16.S4
	VFMLA	V23.S4, V3.S4, V17.S4
	VFMLA	V24.S4, V4.S4, V16.S4
	VFMLA	V24.S4, V5.S4, V17.S4
	VLD1.P	(R1P)(STEP), [V6.S4, V7.S4]
	VLD1.P	(R1P)(STEP), [V8.S4, V9.S4]
	VLD1	(R1P), [V10.S4, V11.S4]
	ADD	$24, R1P
	WORD	$0x6e39dcd2 // FMUL V18.4S, V6.4S, V25.4S
	WORD	$0x6e39dcf3 // FMUL V19.4S, V7.4S, V25.4S
	VFMLA	V26.S4, V8.S4, V18.S4
	VFMLA	V26.S4, V9.S4, V19.S4
	VFMLA	V27.S4, V10.S4, V18.S4
	VFMLA	V27.S4, V11.S4, V19.S4
	VLD1.P	(R2P)(STEP), [V0.S4, V1.S4]
	VLD1.P	(R2P)(STEP), [V2.S4, V3.S4]
	VLD1	(R2P), [V4.S4, V5.S4]
	ADD	$24, R2P
	WORD	$0x6e3cdc14 // FMUL V20.4S, V0.4S, V28.4S
	WORD	$0x6e3cdc35 // FMUL V21.4S, V1.4S, V28.4S
	VFMLA	V29.S4, V2.S4, V20.S4
	VFMLA	V29.S4, V3.S4, V21.S4
	VFMLA	V30.S4, V4.S4, V20.S4
	VFMLA	V30.S4, V5.S4, V21.S4
	WORD	$0x4e32d610 // FADD V16.4S, V16.4S, V18.4S
	WORD	$0x4e33d631 // FADD V17.4S, V17.4S, V19.4S
	WORD	$0x4e34d610 // FADD V16.4S, V16.4S, V20.4S
	WORD	$0x4e35d631 // FADD V17.4S, V17.4S, V21.4S
	VST1.P	[V16.S4, V17.S4], 32(OUT)
	SUB	$8, N
	B	loop8

loop4:
	CBZ	N, done
	VMOV	V31.B16, V16.B16
	VLD1.P	(R0P)(STEP), [V0.S4]
	VLD1.P	(R0P)(STEP), [V1.S4]
	VLD1	(R0P), [V2.S4]
	ADD	$8, R0P
	VFMLA	V22.S4, V0.S4, V16.S4
	VFMLA	V23.S4, V1.S4, V16.S4
	VFMLA	V24.S4, V2.S4, V16.S4
	VLD1.P	(R1P)(STEP), [V0.S4]
	VLD1.P	(R1P)(STEP), [V1.S4]
	VLD1	(R1P), [V2.S4]
	ADD	$8, R1P
	WORD	$0x6e39dc12 // FMUL V18.4S, V0.4S, V25.4S
	VFMLA	V26.S4, V1.S4, V18.S4
	VFMLA	V27.S4, V2.S4, V18.S4
	VLD1.P	(R2P)(STEP), [V0.S4]
	VLD1.P	(R2P)(STEP), [V1.S4]
	VLD1	(R2P), [V2.S4]
	ADD	$8, R2P
	WORD	$0x6e3cdc14 // FMUL V20.4S, V0.4S, V28.4S
	VFMLA	V29.S4, V1.S4, V20.S4
	VFMLA	V30.S4, V2.S4, V20.S4
	WORD	$0x4e32d610 // FADD V16.4S, V16.4S, V18.4S
	WORD	$0x4e34d610 // FADD V16.4S, V16.4S, V20.4S
	VST1.P	[V16.S4], 16(OUT)
	SUB	$4, N
	B	loop4

done:
	RET

// func dw3x3s2(r0, r1, r2, w *float32, bias float32, out *float32, n int)
//
// Stride 2: out[x] = bias + Σ w[3ky+kx]·r_ky[2x+kx], x < n. Four outputs
// per iteration: per input row, LD2 at 2x splits the even taps (kx = 0)
// from the odd (kx = 1), and LD2 at 2x+2 gives the next even (kx = 2);
// 6 LD2 and 9 FMLA in all. Reads r_ky[0 .. 2n+1], one float more than
// the taps need: the caller allows for it.
TEXT ·dw3x3s2(SB), NOSPLIT, $0-56
	MOVD	r0+0(FP), R0P
	MOVD	r1+8(FP), R1P
	MOVD	r2+16(FP), R2P
	MOVD	w+24(FP), WP
	MOVD	out+40(FP), OUT
	MOVD	n+48(FP), N
	MOVD	$8, STEP
	LOAD_W

loop4:
	CBZ	N, done
	VMOV	V31.B16, V16.B16
	VLD2.P	(R0P)(STEP), [V0.S4, V1.S4]
	VLD2	(R0P), [V2.S4, V3.S4]
	ADD	$24, R0P
	VFMLA	V22.S4, V0.S4, V16.S4
	VFMLA	V23.S4, V1.S4, V16.S4
	VFMLA	V24.S4, V2.S4, V16.S4
	VLD2.P	(R1P)(STEP), [V0.S4, V1.S4]
	VLD2	(R1P), [V2.S4, V3.S4]
	ADD	$24, R1P
	WORD	$0x6e39dc12 // FMUL V18.4S, V0.4S, V25.4S
	VFMLA	V26.S4, V1.S4, V18.S4
	VFMLA	V27.S4, V2.S4, V18.S4
	VLD2.P	(R2P)(STEP), [V0.S4, V1.S4]
	VLD2	(R2P), [V2.S4, V3.S4]
	ADD	$24, R2P
	WORD	$0x6e3cdc14 // FMUL V20.4S, V0.4S, V28.4S
	VFMLA	V29.S4, V1.S4, V20.S4
	VFMLA	V30.S4, V2.S4, V20.S4
	WORD	$0x4e32d610 // FADD V16.4S, V16.4S, V18.4S
	WORD	$0x4e34d610 // FADD V16.4S, V16.4S, V20.4S
	VST1.P	[V16.S4], 16(OUT)
	SUB	$4, N
	B	loop4

done:
	RET
