//go:build !purego

#include "textflag.h"

// MaxRows, AddRows, MaxPairs, MaxPool2x2 and MaxPool3x3s2 for AVX2.
//
// MaxRows and AddRows: 32 floats per iteration (four ymm vectors,
// independent), then single vectors. As in epilogue_amd64.s, the last 1–7
// floats of a slice of at least 8 are neither a scalar loop nor a masked
// store: the last 8 floats are computed first, from the inputs before
// anything is stored, and stored at the end over the ones the loop wrote
// — the same values, as the kernels are element-wise. A slice shorter
// than 8 goes through a scalar loop.
//
// MaxPairs: 16 outputs (32 input floats, four loads) per iteration as two
// independent 8-output blocks, then one block, then the last 8 outputs
// computed first and stored last as above; under 8 outputs, a scalar loop.
// One block loads row[0:8] into A and row[8:16] into B; VSHUFPS 0x88
// picks the even floats of each 128-bit lane of A then of B, 0xDD the odd
// ones:
//
//	even: r0 r2 r8 r10 | r4 r6 r12 r14
//	odd:  r1 r3 r9 r11 | r5 r7 r13 r15
//
// so their maximum is outputs 0 1 4 5 | 2 3 6 7, which VPERMPD 0xD8
// (64-bit lanes 0 2 1 3) puts in order. Three shuffles per 8 outputs: the
// shuffle port, not the loads, bounds it.
//
// NaN: VMAXPS b, a, d is a > b ? a : b in Intel's order, so a NaN in a is
// lost (the comparison is false and b returned). MAXNAN ORs in the
// unordered comparison of a and b, all ones (a NaN) where either is a
// NaN: the result is a NaN exactly when an operand is, though not the
// operand's NaN.

#define D_PTR DI
#define S_PTR SI
#define N CX
#define LAST DX
#define LAST_V Y12
#define LAST_T Y13
#define LAST_U Y14

// MAXNAN sets a = max(a, b), NaN if either is; t is clobbered.
#define MAXNAN(b, a, t) \
	VCMPPS $3, b, a, t \
	VMAXPS b, a, a     \
	VORPS  t, a, a

// MR does 8 floats of MaxRows at off(D_PTR), off(S_PTR) in a, b, t.
#define MR(off, a, b, t) \
	VMOVUPS off(D_PTR), a \
	VMOVUPS off(S_PTR), b \
	MAXNAN(b, a, t)       \
	VMOVUPS a, off(D_PTR)

// AR does 8 floats of AddRows at off(D_PTR), off(S_PTR) in a.
#define AR(off, a) \
	VMOVUPS off(D_PTR), a     \
	VADDPS  off(S_PTR), a, a  \
	VMOVUPS a, off(D_PTR)

// PAIRS8 sets e to the 8 outputs of MaxPairs from the 16 floats at
// roff(S_PTR) and roff2 = roff+32; a and b are clobbered.
#define PAIRS8(roff, roff2, a, b, e) \
	VMOVUPS roff(S_PTR), a    \
	VMOVUPS roff2(S_PTR), b   \
	VSHUFPS $0x88, b, a, e    \
	VSHUFPS $0xDD, b, a, a    \
	MAXNAN(a, e, b)           \
	VPERMPD $0xD8, e, e

// func maxRowsAVX2(dst, src []float32)
// len(src) == len(dst) (the Go wrapper slices src).
TEXT ·maxRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), D_PTR
	MOVQ dst_len+8(FP), N
	MOVQ src_base+24(FP), S_PTR
	CMPQ N, $8
	JB   short
	LEAQ    -32(D_PTR)(N*4), LAST
	VMOVUPS (LAST), LAST_V
	VMOVUPS -32(S_PTR)(N*4), LAST_T
	MAXNAN(LAST_T, LAST_V, LAST_U)

loop32:
	CMPQ N, $32
	JB   loop8
	MR(0, Y0, Y1, Y2)
	MR(32, Y3, Y4, Y5)
	MR(64, Y6, Y7, Y8)
	MR(96, Y9, Y10, Y11)
	ADDQ $128, D_PTR
	ADDQ $128, S_PTR
	SUBQ $32, N
	JMP  loop32

loop8:
	CMPQ N, $8
	JB   last
	MR(0, Y0, Y1, Y2)
	ADDQ $32, D_PTR
	ADDQ $32, S_PTR
	SUBQ $8, N
	JMP  loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	TESTQ   N, N
	JZ      done
	VMOVSS  (D_PTR), X0
	VMOVSS  (S_PTR), X1
	VCMPSS  $3, X1, X0, X2
	VMAXSS  X1, X0, X0
	VORPS   X2, X0, X0
	VMOVSS  X0, (D_PTR)
	ADDQ    $4, D_PTR
	ADDQ    $4, S_PTR
	DECQ    N
	JMP     short

done:
	VZEROUPPER
	RET

// func addRowsAVX2(dst, src []float32)
// len(src) == len(dst) (the Go wrapper slices src).
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), D_PTR
	MOVQ dst_len+8(FP), N
	MOVQ src_base+24(FP), S_PTR
	CMPQ N, $8
	JB   short
	LEAQ    -32(D_PTR)(N*4), LAST
	VMOVUPS (LAST), LAST_V
	VADDPS  -32(S_PTR)(N*4), LAST_V, LAST_V

loop32:
	CMPQ N, $32
	JB   loop8
	AR(0, Y0)
	AR(32, Y1)
	AR(64, Y2)
	AR(96, Y3)
	ADDQ $128, D_PTR
	ADDQ $128, S_PTR
	SUBQ $32, N
	JMP  loop32

loop8:
	CMPQ N, $8
	JB   last
	AR(0, Y0)
	ADDQ $32, D_PTR
	ADDQ $32, S_PTR
	SUBQ $8, N
	JMP  loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	TESTQ  N, N
	JZ     done
	VMOVSS (D_PTR), X0
	VADDSS (S_PTR), X0, X0
	VMOVSS X0, (D_PTR)
	ADDQ   $4, D_PTR
	ADDQ   $4, S_PTR
	DECQ   N
	JMP    short

done:
	VZEROUPPER
	RET

// func maxPairsAVX2(dst, row []float32)
// len(row) == 2·len(dst) (the Go wrapper slices row); S_PTR walks row.
TEXT ·maxPairsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), D_PTR
	MOVQ dst_len+8(FP), N
	MOVQ row_base+24(FP), S_PTR
	CMPQ N, $8
	JB   short
	// the last 8 outputs, from the last 16 floats of row
	LEAQ    -32(D_PTR)(N*4), LAST
	LEAQ    -64(S_PTR)(N*8), AX
	VMOVUPS (AX), LAST_T
	VMOVUPS 32(AX), LAST_U
	VSHUFPS $0x88, LAST_U, LAST_T, LAST_V
	VSHUFPS $0xDD, LAST_U, LAST_T, LAST_T
	MAXNAN(LAST_T, LAST_V, LAST_U)
	VPERMPD $0xD8, LAST_V, LAST_V

loop16:
	CMPQ    N, $16
	JB      loop8
	PAIRS8(0, 32, Y0, Y1, Y2)
	PAIRS8(64, 96, Y3, Y4, Y5)
	VMOVUPS Y2, (D_PTR)
	VMOVUPS Y5, 32(D_PTR)
	ADDQ    $64, D_PTR
	ADDQ    $128, S_PTR
	SUBQ    $16, N
	JMP     loop16

loop8:
	CMPQ    N, $8
	JB      last
	PAIRS8(0, 32, Y0, Y1, Y2)
	VMOVUPS Y2, (D_PTR)
	ADDQ    $32, D_PTR
	ADDQ    $64, S_PTR
	SUBQ    $8, N
	JMP     loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	TESTQ  N, N
	JZ     done
	VMOVSS (S_PTR), X0
	VMOVSS 4(S_PTR), X1
	VCMPSS $3, X1, X0, X2
	VMAXSS X1, X0, X0
	VORPS  X2, X0, X0
	VMOVSS X0, (D_PTR)
	ADDQ   $4, D_PTR
	ADDQ   $8, S_PTR
	DECQ   N
	JMP    short

done:
	VZEROUPPER
	RET

// QUAD8 sets e to the 8 outputs of MaxPool2x2 from the 16 floats at
// roff(t) and roff2(t) = roff+32, and the same of bt: the two rows' maximum
// (a, b), then PAIRS8's shuffles; a–d are clobbered.
#define QUAD8(t, bt, roff, roff2, a, b, c, d, e) \
	VMOVUPS roff(t), a     \
	VMOVUPS roff2(t), b    \
	VMOVUPS roff(bt), c    \
	VMOVUPS roff2(bt), d   \
	MAXNAN(c, a, e)        \
	MAXNAN(d, b, c)        \
	VSHUFPS $0x88, b, a, e \
	VSHUFPS $0xDD, b, a, a \
	MAXNAN(a, e, b)        \
	VPERMPD $0xD8, e, e

#define B_PTR BX

// func maxPool2x2AVX2(dst, top, bot []float32)
// len(top) == len(bot) == 2·len(dst) (the Go wrapper slices them); S_PTR
// walks top, B_PTR bot. Blocked as maxPairsAVX2: 16 outputs, 8, the last
// 8 computed first and stored last; under 8 outputs, a scalar loop.
TEXT ·maxPool2x2AVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), D_PTR
	MOVQ dst_len+8(FP), N
	MOVQ top_base+24(FP), S_PTR
	MOVQ bot_base+48(FP), B_PTR
	CMPQ N, $8
	JB   short
	LEAQ    -32(D_PTR)(N*4), LAST
	LEAQ    -64(S_PTR)(N*8), AX
	LEAQ    -64(B_PTR)(N*8), R8
	QUAD8(AX, R8, 0, 32, Y0, Y1, Y2, Y3, LAST_V)

loop16:
	CMPQ    N, $16
	JB      loop8
	QUAD8(S_PTR, B_PTR, 0, 32, Y0, Y1, Y2, Y3, Y4)
	QUAD8(S_PTR, B_PTR, 64, 96, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS Y4, (D_PTR)
	VMOVUPS Y9, 32(D_PTR)
	ADDQ    $64, D_PTR
	ADDQ    $128, S_PTR
	ADDQ    $128, B_PTR
	SUBQ    $16, N
	JMP     loop16

loop8:
	CMPQ    N, $8
	JB      last
	QUAD8(S_PTR, B_PTR, 0, 32, Y0, Y1, Y2, Y3, Y4)
	VMOVUPS Y4, (D_PTR)
	ADDQ    $32, D_PTR
	ADDQ    $64, S_PTR
	ADDQ    $64, B_PTR
	SUBQ    $8, N
	JMP     loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	TESTQ  N, N
	JZ     done
	VMOVSS (S_PTR), X0
	VMOVSS 4(S_PTR), X1
	VMOVSS (B_PTR), X2
	VMOVSS 4(B_PTR), X3
	VCMPSS $3, X1, X0, X4
	VMAXSS X1, X0, X0
	VORPS  X4, X0, X0
	VCMPSS $3, X3, X2, X4
	VMAXSS X3, X2, X2
	VORPS  X4, X2, X2
	VCMPSS $3, X2, X0, X4
	VMAXSS X2, X0, X0
	VORPS  X4, X0, X0
	VMOVSS X0, (D_PTR)
	ADDQ   $4, D_PTR
	ADDQ   $8, S_PTR
	ADDQ   $8, B_PTR
	DECQ   N
	JMP    short

done:
	VZEROUPPER
	RET

// VMAX3 sets a to the three rows' maximum of the 8 floats at off(P0),
// off(P1) and off(P2); t and u are clobbered.
#define VMAX3(off, a, t, u) \
	VMOVUPS off(P0), a  \
	VMOVUPS off(P1), t  \
	MAXNAN(t, a, u)     \
	VMOVUPS off(P2), t  \
	MAXNAN(t, a, u)

// POOL3S2 sets e to the 8 outputs of MaxPool3x3s2 from the 17 floats of
// each row at o0(P0) …: the rows' maximum of floats 0–7 (a), 8–15 (b),
// 2–9 (c, o2 = o0+8) and 9–16 (d, o3 = o0+36), then PAIRS8's split of a
// and b into the even and odd columns, and VSHUFPS 0xD8 (floats 0 2 of
// each lane of c, then 1 3 of d) for the columns two further in the same
// lane order:
//
//	even: r0 r2 r8 r10  | r4 r6 r12 r14
//	odd:  r1 r3 r9 r11  | r5 r7 r13 r15
//	+2:   r2 r4 r10 r12 | r6 r8 r14 r16
//
// their maximum, and VPERMPD 0xD8 to put it in order. Reading 9–16 rather
// than 10–17 keeps the last block inside the rows. a–d and t are
// clobbered.
#define POOL3S2(o0, o1, o2, o3, a, b, c, d, t, e) \
	VMAX3(o0, a, t, e)      \
	VMAX3(o1, b, t, e)      \
	VMAX3(o2, c, t, e)      \
	VMAX3(o3, d, t, e)      \
	VSHUFPS $0x88, b, a, e  \
	VSHUFPS $0xDD, b, a, a  \
	VSHUFPS $0xD8, d, c, c  \
	MAXNAN(a, e, b)         \
	MAXNAN(c, e, b)         \
	VPERMPD $0xD8, e, e

// MAXNANS is MAXNAN on the low floats.
#define MAXNANS(b, a, t) \
	VCMPSS $3, b, a, t \
	VMAXSS b, a, a     \
	VORPS  t, a, a

// MAX3S sets a to the maximum of the floats at 0, 4 and 8 bytes from p,
// folded into a (a max3 of the first row starts with a = (p)); t and u
// are clobbered.
#define MAX3S(p, a, t, u) \
	VMOVSS 4(p), t      \
	MAXNANS(t, a, u)    \
	VMOVSS 8(p), t      \
	MAXNANS(t, a, u)

#define P0 SI
#define P1 BX
#define P2 R9

// func maxPool3x3s2AVX2(dst, r0, r1, r2 []float32)
// len(r0) == len(r1) == len(r2) == 2·len(dst)+1 > 1 (the Go wrapper
// slices them). Blocked as maxPairsAVX2: 16 outputs (two independent
// blocks), 8, the last 8 computed first and stored last; under 8
// outputs, a scalar loop over the nine floats of each window.
TEXT ·maxPool3x3s2AVX2(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), D_PTR
	MOVQ dst_len+8(FP), N
	MOVQ r0_base+24(FP), P0
	MOVQ r1_base+48(FP), P1
	MOVQ r2_base+72(FP), P2
	CMPQ N, $8
	JB   short
	// the last 8 outputs, from the last 17 floats of each row: move the
	// row pointers there and back
	LEAQ    -32(D_PTR)(N*4), LAST
	LEAQ    -64(N*8), AX
	ADDQ    AX, P0
	ADDQ    AX, P1
	ADDQ    AX, P2
	POOL3S2(0, 32, 8, 36, Y0, Y1, Y2, Y3, Y4, LAST_V)
	SUBQ    AX, P0
	SUBQ    AX, P1
	SUBQ    AX, P2

loop16:
	CMPQ    N, $16
	JB      loop8
	POOL3S2(0, 32, 8, 36, Y0, Y1, Y2, Y3, Y4, Y5)
	POOL3S2(64, 96, 72, 100, Y6, Y7, Y8, Y9, Y10, Y11)
	VMOVUPS Y5, (D_PTR)
	VMOVUPS Y11, 32(D_PTR)
	ADDQ    $64, D_PTR
	ADDQ    $128, P0
	ADDQ    $128, P1
	ADDQ    $128, P2
	SUBQ    $16, N
	JMP     loop16

loop8:
	CMPQ    N, $8
	JB      last
	POOL3S2(0, 32, 8, 36, Y0, Y1, Y2, Y3, Y4, Y5)
	VMOVUPS Y5, (D_PTR)
	ADDQ    $32, D_PTR
	ADDQ    $64, P0
	ADDQ    $64, P1
	ADDQ    $64, P2
	SUBQ    $8, N
	JMP     loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	VMOVSS (P0), X0
	MAX3S(P0, X0, X1, X2)
	VMOVSS (P1), X3
	MAX3S(P1, X3, X1, X2)
	VMOVSS (P2), X4
	MAX3S(P2, X4, X1, X2)
	MAXNANS(X3, X0, X2)
	MAXNANS(X4, X0, X2)
	VMOVSS X0, (D_PTR)
	ADDQ   $4, D_PTR
	ADDQ   $8, P0
	ADDQ   $8, P1
	ADDQ   $8, P2
	DECQ   N
	JNZ    short
	VZEROUPPER
	RET
