//go:build !purego

#include "textflag.h"

// SGEMM micro-kernels for arm64 (NEON). The design record, with the cycle
// counts behind the choices, is ARM64.md.
//
// Blocking (done by gemmNEON in impl_arm64.go): A is packed in panels of 8
// rows, k-major, so one k step of a panel is 8 consecutive floats. B stays
// unpacked; a micro-kernel reads an 8-column strip of it, one row per k
// step, LDB bytes apart. The driver cuts k into blocks of kcNEON steps so
// that the strip (one cache line per row) stays in L1 while the kernel runs
// down every panel of A; the first block writes C, later blocks add to it.
//
// The 8×8 tile of C lives in V16–V31, row r in V(16+2r) (columns 0–3) and
// V(17+2r) (columns 4–7). Each k step is 16 FMLA by element: the B row's
// two vectors times one lane of the A column (V0/V1 lanes = rows 0–7).
// The assembler cannot spell FMLA by element, hence the WORDs;
// words_arm64_test.go decodes each one and checks its comment.

#define PA R0    // packed A: 8 floats (rows 0–7) per k step
#define PB R1    // B: 8 floats of row p; row p+1 is LDB bytes further
#define LDB R2   // B row stride in bytes
#define PC R3    // C tile: 8 floats per row
#define LDC R4   // C row stride in bytes
#define K R5     // k steps left (the current one included)
#define ACC R6   // 0: C = A·B; otherwise C += A·B
#define T R7     // C row pointer while loading C
#define INCA R8  // A53 kernel: 32, or 0 once the look-ahead reaches the last step
#define INCB R9  // A53 kernel: LDB, or 0 likewise
#define C32 R10  // the constant 32
#define X0 R11   // A53 kernel: upper halves of the look-ahead loads
#define X1 R12

// INIT_C zeroes the accumulators, or loads them from C when ACC != 0.
#define INIT_C \
	CBZ	ACC, zero \
	MOVD	PC, T \
	VLD1.P	(T)(LDC), [V16.S4, V17.S4] \
	VLD1.P	(T)(LDC), [V18.S4, V19.S4] \
	VLD1.P	(T)(LDC), [V20.S4, V21.S4] \
	VLD1.P	(T)(LDC), [V22.S4, V23.S4] \
	VLD1.P	(T)(LDC), [V24.S4, V25.S4] \
	VLD1.P	(T)(LDC), [V26.S4, V27.S4] \
	VLD1.P	(T)(LDC), [V28.S4, V29.S4] \
	VLD1.P	(T)(LDC), [V30.S4, V31.S4] \
	B	ready \
zero: \
	VEOR	V16.B16, V16.B16, V16.B16 \
	VEOR	V17.B16, V17.B16, V17.B16 \
	VEOR	V18.B16, V18.B16, V18.B16 \
	VEOR	V19.B16, V19.B16, V19.B16 \
	VEOR	V20.B16, V20.B16, V20.B16 \
	VEOR	V21.B16, V21.B16, V21.B16 \
	VEOR	V22.B16, V22.B16, V22.B16 \
	VEOR	V23.B16, V23.B16, V23.B16 \
	VEOR	V24.B16, V24.B16, V24.B16 \
	VEOR	V25.B16, V25.B16, V25.B16 \
	VEOR	V26.B16, V26.B16, V26.B16 \
	VEOR	V27.B16, V27.B16, V27.B16 \
	VEOR	V28.B16, V28.B16, V28.B16 \
	VEOR	V29.B16, V29.B16, V29.B16 \
	VEOR	V30.B16, V30.B16, V30.B16 \
	VEOR	V31.B16, V31.B16, V31.B16 \
ready:

// STORE_C writes the tile to C.
#define STORE_C \
	VST1.P	[V16.S4, V17.S4], (PC)(LDC) \
	VST1.P	[V18.S4, V19.S4], (PC)(LDC) \
	VST1.P	[V20.S4, V21.S4], (PC)(LDC) \
	VST1.P	[V22.S4, V23.S4], (PC)(LDC) \
	VST1.P	[V24.S4, V25.S4], (PC)(LDC) \
	VST1.P	[V26.S4, V27.S4], (PC)(LDC) \
	VST1.P	[V28.S4, V29.S4], (PC)(LDC) \
	VST1.P	[V30.S4, V31.S4], (PC)(LDC)

// gemm8x8 is the kernel for the out-of-order cores (A72, A76): two LD1 of
// two registers and 16 FMLA per k step; the core's renaming and
// out-of-order issue overlap the loads of step p+1 with the FMLAs of step p.
// k >= 1.
//
// func gemm8x8(a, b *float32, ldb int, c *float32, ldc, k, acc int)
TEXT ·gemm8x8(SB), NOSPLIT, $0-56
	MOVD	a+0(FP), PA
	MOVD	b+8(FP), PB
	MOVD	ldb+16(FP), LDB
	MOVD	c+24(FP), PC
	MOVD	ldc+32(FP), LDC
	MOVD	k+40(FP), K
	MOVD	acc+48(FP), ACC
	INIT_C

loop:
	VLD1.P	32(PA), [V0.S4, V1.S4]   // A column: rows 0–3, 4–7
	VLD1.P	(PB)(LDB), [V2.S4, V3.S4] // B row: columns 0–3, 4–7
	WORD	$0x4f801050              // FMLA V16.4S, V2.4S, V0.S[0]
	WORD	$0x4f801071              // FMLA V17.4S, V3.4S, V0.S[0]
	WORD	$0x4fa01052              // FMLA V18.4S, V2.4S, V0.S[1]
	WORD	$0x4fa01073              // FMLA V19.4S, V3.4S, V0.S[1]
	WORD	$0x4f801854              // FMLA V20.4S, V2.4S, V0.S[2]
	WORD	$0x4f801875              // FMLA V21.4S, V3.4S, V0.S[2]
	WORD	$0x4fa01856              // FMLA V22.4S, V2.4S, V0.S[3]
	WORD	$0x4fa01877              // FMLA V23.4S, V3.4S, V0.S[3]
	WORD	$0x4f811058              // FMLA V24.4S, V2.4S, V1.S[0]
	WORD	$0x4f811079              // FMLA V25.4S, V3.4S, V1.S[0]
	WORD	$0x4fa1105a              // FMLA V26.4S, V2.4S, V1.S[1]
	WORD	$0x4fa1107b              // FMLA V27.4S, V3.4S, V1.S[1]
	WORD	$0x4f81185c              // FMLA V28.4S, V2.4S, V1.S[2]
	WORD	$0x4f81187d              // FMLA V29.4S, V3.4S, V1.S[2]
	WORD	$0x4fa1185e              // FMLA V30.4S, V2.4S, V1.S[3]
	WORD	$0x4fa1187f              // FMLA V31.4S, V3.4S, V1.S[3]
	SUBS	$1, K
	BNE	loop

	STORE_C
	RET

// gemm8x8off is gemm8x8 for GemmOffsets: row p of the B strip is at
// b + 4·offs[p] bytes (a tap of a stride-1 convolution over padded
// planes), read in place. Per k step two instructions more than gemm8x8:
// a sign-extending 32-bit load of the offset (post-incremented) and the
// address add, against 16 FMLAs. k >= 1.
//
// func gemm8x8off(a, b *float32, offs *int32, c *float32, ldc, k, acc int)
#define POFF R2 // offsets, in place of LDB
TEXT ·gemm8x8off(SB), NOSPLIT, $0-56
	MOVD	a+0(FP), PA
	MOVD	b+8(FP), PB
	MOVD	offs+16(FP), POFF
	MOVD	c+24(FP), PC
	MOVD	ldc+32(FP), LDC
	MOVD	k+40(FP), K
	MOVD	acc+48(FP), ACC
	INIT_C

loop:
	MOVW.P	4(POFF), T               // offs[p], sign-extended
	ADD	T<<2, PB, T              // B row p
	VLD1.P	32(PA), [V0.S4, V1.S4]   // A column: rows 0–3, 4–7
	VLD1	(T), [V2.S4, V3.S4]       // B row: columns 0–3, 4–7
	WORD	$0x4f801050              // FMLA V16.4S, V2.4S, V0.S[0]
	WORD	$0x4f801071              // FMLA V17.4S, V3.4S, V0.S[0]
	WORD	$0x4fa01052              // FMLA V18.4S, V2.4S, V0.S[1]
	WORD	$0x4fa01073              // FMLA V19.4S, V3.4S, V0.S[1]
	WORD	$0x4f801854              // FMLA V20.4S, V2.4S, V0.S[2]
	WORD	$0x4f801875              // FMLA V21.4S, V3.4S, V0.S[2]
	WORD	$0x4fa01856              // FMLA V22.4S, V2.4S, V0.S[3]
	WORD	$0x4fa01877              // FMLA V23.4S, V3.4S, V0.S[3]
	WORD	$0x4f811058              // FMLA V24.4S, V2.4S, V1.S[0]
	WORD	$0x4f811079              // FMLA V25.4S, V3.4S, V1.S[0]
	WORD	$0x4fa1105a              // FMLA V26.4S, V2.4S, V1.S[1]
	WORD	$0x4fa1107b              // FMLA V27.4S, V3.4S, V1.S[1]
	WORD	$0x4f81185c              // FMLA V28.4S, V2.4S, V1.S[2]
	WORD	$0x4f81187d              // FMLA V29.4S, V3.4S, V1.S[2]
	WORD	$0x4fa1185e              // FMLA V30.4S, V2.4S, V1.S[3]
	WORD	$0x4fa1187f              // FMLA V31.4S, V3.4S, V1.S[3]
	SUBS	$1, K
	BNE	loop

	STORE_C
	RET

// gemm8x8A53 computes the same tile for the in-order Cortex-A53. A 128-bit
// load there blocks the NEON pipe for two cycles and cannot pair with an
// FMLA, so each vector is loaded as a 64-bit LDR D (one cycle, pairing with
// the INS of the previous vector), a 64-bit LDR X into a general register
// (pairs with an FMLA) and an INS of that half into the vector. The loads
// run one k step ahead into the other register set: the even half computes
// from V0–V3 while loading V4–V7, the odd half the reverse. So that the
// look-ahead never reads past step k-1 (B is the caller's memory), the
// pointers stop advancing at the last step (INCA, INCB = 0) and the final
// look-ahead reloads it, unused. The first 8 FMLAs of a half use the B
// columns 0–3 so the INS of columns 4–7, last, is not waited for. k >= 1.
//
// func gemm8x8A53(a, b *float32, ldb int, c *float32, ldc, k, acc int)
TEXT ·gemm8x8A53(SB), NOSPLIT, $0-56
	MOVD	a+0(FP), PA
	MOVD	b+8(FP), PB
	MOVD	ldb+16(FP), LDB
	MOVD	c+24(FP), PC
	MOVD	ldc+32(FP), LDC
	MOVD	k+40(FP), K
	MOVD	acc+48(FP), ACC
	MOVD	$32, C32
	INIT_C

	// Step 0 into V0–V3; PA, PB then point at step 1, or stay when k == 1.
	VLD1	(PA), [V0.S4, V1.S4]
	VLD1	(PB), [V2.S4, V3.S4]
	CMP	$2, K
	CSEL	GE, C32, ZR, INCA
	CSEL	GE, LDB, ZR, INCB
	ADD	INCA, PA
	ADD	INCB, PB

loop:
	// Even half: step from V0–V3, look-ahead into V4–V7. The pointers
	// advance while a step after the look-ahead remains (K >= 3).
	CMP	$3, K
	WORD	$0x4f801050   // FMLA V16.4S, V2.4S, V0.S[0]
	FMOVD	(PA), F4
	WORD	$0x4fa01052   // FMLA V18.4S, V2.4S, V0.S[1]
	MOVD	8(PA), X0
	WORD	$0x4f801854   // FMLA V20.4S, V2.4S, V0.S[2]
	CSEL	GE, C32, ZR, INCA
	WORD	$0x4fa01856   // FMLA V22.4S, V2.4S, V0.S[3]
	FMOVD	16(PA), F5
	VMOV	X0, V4.D[1]
	WORD	$0x4f811058   // FMLA V24.4S, V2.4S, V1.S[0]
	MOVD	24(PA), X1
	WORD	$0x4fa1105a   // FMLA V26.4S, V2.4S, V1.S[1]
	ADD	INCA, PA
	WORD	$0x4f81185c   // FMLA V28.4S, V2.4S, V1.S[2]
	CSEL	GE, LDB, ZR, INCB
	WORD	$0x4fa1185e   // FMLA V30.4S, V2.4S, V1.S[3]
	FMOVD	(PB), F6
	VMOV	X1, V5.D[1]
	WORD	$0x4f801071   // FMLA V17.4S, V3.4S, V0.S[0]
	MOVD	8(PB), X0
	WORD	$0x4fa01073   // FMLA V19.4S, V3.4S, V0.S[1]
	WORD	$0x4f801875   // FMLA V21.4S, V3.4S, V0.S[2]
	WORD	$0x4fa01877   // FMLA V23.4S, V3.4S, V0.S[3]
	FMOVD	16(PB), F7
	VMOV	X0, V6.D[1]
	WORD	$0x4f811079   // FMLA V25.4S, V3.4S, V1.S[0]
	MOVD	24(PB), X1
	WORD	$0x4fa1107b   // FMLA V27.4S, V3.4S, V1.S[1]
	ADD	INCB, PB
	WORD	$0x4f81187d   // FMLA V29.4S, V3.4S, V1.S[2]
	WORD	$0x4fa1187f   // FMLA V31.4S, V3.4S, V1.S[3]
	VMOV	X1, V7.D[1]
	SUBS	$1, K
	BEQ	done

	// Odd half: step from V4–V7, look-ahead into V0–V3.
	CMP	$3, K
	WORD	$0x4f8410d0   // FMLA V16.4S, V6.4S, V4.S[0]
	FMOVD	(PA), F0
	WORD	$0x4fa410d2   // FMLA V18.4S, V6.4S, V4.S[1]
	MOVD	8(PA), X0
	WORD	$0x4f8418d4   // FMLA V20.4S, V6.4S, V4.S[2]
	CSEL	GE, C32, ZR, INCA
	WORD	$0x4fa418d6   // FMLA V22.4S, V6.4S, V4.S[3]
	FMOVD	16(PA), F1
	VMOV	X0, V0.D[1]
	WORD	$0x4f8510d8   // FMLA V24.4S, V6.4S, V5.S[0]
	MOVD	24(PA), X1
	WORD	$0x4fa510da   // FMLA V26.4S, V6.4S, V5.S[1]
	ADD	INCA, PA
	WORD	$0x4f8518dc   // FMLA V28.4S, V6.4S, V5.S[2]
	CSEL	GE, LDB, ZR, INCB
	WORD	$0x4fa518de   // FMLA V30.4S, V6.4S, V5.S[3]
	FMOVD	(PB), F2
	VMOV	X1, V1.D[1]
	WORD	$0x4f8410f1   // FMLA V17.4S, V7.4S, V4.S[0]
	MOVD	8(PB), X0
	WORD	$0x4fa410f3   // FMLA V19.4S, V7.4S, V4.S[1]
	WORD	$0x4f8418f5   // FMLA V21.4S, V7.4S, V4.S[2]
	WORD	$0x4fa418f7   // FMLA V23.4S, V7.4S, V4.S[3]
	FMOVD	16(PB), F3
	VMOV	X0, V2.D[1]
	WORD	$0x4f8510f9   // FMLA V25.4S, V7.4S, V5.S[0]
	MOVD	24(PB), X1
	WORD	$0x4fa510fb   // FMLA V27.4S, V7.4S, V5.S[1]
	ADD	INCB, PB
	WORD	$0x4f8518fd   // FMLA V29.4S, V7.4S, V5.S[2]
	WORD	$0x4fa518ff   // FMLA V31.4S, V7.4S, V5.S[3]
	VMOV	X1, V3.D[1]
	SUBS	$1, K
	BNE	loop

done:
	STORE_C
	RET

// gemv8 computes out[r] = Σ_p a[8p+r]·b[p] for r < 8 over k steps of one
// packed panel: the n == 1 case (fully connected layers at batch 1) and
// the last one or two columns of wider products. Four k steps per
// iteration: one LD1 of b[p..p+4), two LD1 of four registers (32 floats of
// A) and 8 FMLA by element into four pairs of accumulators (V16–V23), so
// that consecutive FMLAs into one register are 4 apart. Each float of A is
// used once: the loop is bound by loads (memory), not by FMLA.
//
// func gemv8(a, b *float32, k int, out *float32)
TEXT ·gemv8(SB), NOSPLIT, $0-32
	MOVD	a+0(FP), R0
	MOVD	b+8(FP), R1
	MOVD	k+16(FP), R2
	MOVD	out+24(FP), R3
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16

loop4:
	CMP	$4, R2
	BLT	tail
	VLD1.P	16(R1), [V0.S4]
	VLD1.P	64(R0), [V1.S4, V2.S4, V3.S4, V4.S4]
	VLD1.P	64(R0), [V5.S4, V6.S4, V7.S4, V8.S4]
	WORD	$0x4f801030 // FMLA V16.4S, V1.4S, V0.S[0]
	WORD	$0x4f801051 // FMLA V17.4S, V2.4S, V0.S[0]
	WORD	$0x4fa01072 // FMLA V18.4S, V3.4S, V0.S[1]
	WORD	$0x4fa01093 // FMLA V19.4S, V4.4S, V0.S[1]
	WORD	$0x4f8018b4 // FMLA V20.4S, V5.4S, V0.S[2]
	WORD	$0x4f8018d5 // FMLA V21.4S, V6.4S, V0.S[2]
	WORD	$0x4fa018f6 // FMLA V22.4S, V7.4S, V0.S[3]
	WORD	$0x4fa01917 // FMLA V23.4S, V8.4S, V0.S[3]
	SUB	$4, R2
	B	loop4

tail:
	CBZ	R2, sum
	VLD1R.P	4(R1), [V0.S4]
	VLD1.P	32(R0), [V1.S4, V2.S4]
	VFMLA	V1.S4, V0.S4, V16.S4
	VFMLA	V2.S4, V0.S4, V17.S4
	SUB	$1, R2
	B	tail

sum:
	WORD	$0x4e32d610 // FADD V16.4S, V16.4S, V18.4S
	WORD	$0x4e33d631 // FADD V17.4S, V17.4S, V19.4S
	WORD	$0x4e36d694 // FADD V20.4S, V20.4S, V22.4S
	WORD	$0x4e37d6b5 // FADD V21.4S, V21.4S, V23.4S
	WORD	$0x4e34d610 // FADD V16.4S, V16.4S, V20.4S
	WORD	$0x4e35d631 // FADD V17.4S, V17.4S, V21.4S
	VST1	[V16.S4, V17.S4], (R3)
	RET
