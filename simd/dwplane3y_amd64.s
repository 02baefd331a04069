//go:build !purego

#include "textflag.h"

// dwPlane3y is DepthwisePlane3 in AVX2 for rows of 8 outputs or more:
// each vector of 8 outputs starts at the bias and adds the nine taps in
// order (the generic version's sums), then the clamp (VMAXPS/VMINPS with
// the sum as second source keep a NaN) and one store; a row's last 1–7
// outputs are its last vector again, ending at the row's end. The nine
// weights, the bias and the bounds stay in registers for the plane.
//
// At stride 1 the taps are FMAs from memory. At stride 2 each padded row
// is loaded as 16 floats at 2x and 16 at 2x+1, and VSHUFPS picks the
// even, odd and next even floats within each 128-bit lane (the order
// [0 1 4 5 | 2 3 6 7], dwRow3s2's): the sums are made in that order and
// one VPERMPD puts each vector back in place. A vector reads its padded
// rows up to column 2x+16 (stride 2) or x+9 (stride 1), within the
// (ow-1)·s+3 columns the taps need.

#define DST DI
#define SRC SI
#define ROWB R8
#define OW R9
#define STEP R10
#define ROWS R11
#define X0 BX
#define P CX
#define LAST R12

#define ACC Y0
#define E0 Y1
#define ODD Y2
#define E1 Y3
#define BIAS Y4
#define LO Y5
#define HI Y6

// TAPS1(p, wa, wb, wc): the three stride-1 taps of the padded row at p.
#define TAPS1(p, wa, wb, wc) \
	VFMADD231PS (p), wa, ACC  \
	VFMADD231PS 4(p), wb, ACC \
	VFMADD231PS 8(p), wc, ACC

// TAPS2(p, wa, wb, wc): the three stride-2 taps of the padded row at p,
// in the lane order [0 1 4 5 | 2 3 6 7].
#define TAPS2(p, wa, wb, wc) \
	VMOVUPS     (p), E0               \
	VSHUFPS     $0xDD, 32(p), E0, ODD \
	VSHUFPS     $0x88, 32(p), E0, E0  \
	VMOVUPS     4(p), E1              \
	VSHUFPS     $0xDD, 36(p), E1, E1  \
	VFMADD231PS E0, wa, ACC           \
	VFMADD231PS ODD, wb, ACC          \
	VFMADD231PS E1, wc, ACC

// CLAMP_STORE: the clamp of ACC, stored at output column X0.
#define CLAMP_STORE \
	VMAXPS  ACC, LO, ACC \
	VMINPS  ACC, HI, ACC \
	VMOVUPS ACC, (DST)(X0*4)

// SMALLTAPS1(w): the three stride-1 taps of the padded row at P, masked
// loads (Y8), the weights at w(SP) on.
#define SMALLTAPS1(w) \
	VMASKMOVPS  (P), Y8, Y4     \
	VFMADD231PS w(SP), Y4, ACC  \
	VMASKMOVPS  4(P), Y8, Y4    \
	VFMADD231PS w+32(SP), Y4, ACC \
	VMASKMOVPS  8(P), Y8, Y4    \
	VFMADD231PS w+64(SP), Y4, ACC

// SMALLTAPS2(w): TAPS2 from masked loads (Y9–Y12).
#define SMALLTAPS2(w) \
	VMASKMOVPS  (P), Y9, E0          \
	VMASKMOVPS  32(P), Y10, Y4       \
	VSHUFPS     $0xDD, Y4, E0, ODD   \
	VSHUFPS     $0x88, Y4, E0, E0    \
	VMASKMOVPS  4(P), Y11, E1        \
	VMASKMOVPS  36(P), Y12, Y4       \
	VSHUFPS     $0xDD, Y4, E1, E1    \
	VFMADD231PS w(SP), E0, ACC       \
	VFMADD231PS w+32(SP), ODD, ACC   \
	VFMADD231PS w+64(SP), E1, ACC

// SMALLSTORE: the clamp of ACC and its store, whole where the vector
// ends within the output (R13: its last 8 floats), else masked; the next
// row; ZF set after the last.
#define SMALLSTORE \
	VMAXPS     ACC, Y6, ACC      \
	VMINPS     ACC, Y7, ACC      \
	CMPQ       DST, R13          \
	JHI        3(PC)             \
	VMOVUPS    ACC, (DST)        \
	JMP        2(PC)             \
	VMASKMOVPS ACC, Y8, (DST)    \
	LEAQ       (DST)(OW*4), DST  \
	ADDQ       STEP, SRC         \
	DECQ       ROWS

// func dwPlane3y(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)
TEXT ·dwPlane3y(SB), NOSPLIT, $0-68
	MOVQ         w+48(FP), AX
	VBROADCASTSS (AX), Y7
	VBROADCASTSS 4(AX), Y8
	VBROADCASTSS 8(AX), Y9
	VBROADCASTSS 12(AX), Y10
	VBROADCASTSS 16(AX), Y11
	VBROADCASTSS 20(AX), Y12
	VBROADCASTSS 24(AX), Y13
	VBROADCASTSS 28(AX), Y14
	VBROADCASTSS 32(AX), Y15
	VBROADCASTSS bias+56(FP), BIAS
	VBROADCASTSS lo+60(FP), LO
	VBROADCASTSS hi+64(FP), HI
	MOVQ         dst+0(FP), DST
	MOVQ         oh+8(FP), ROWS
	MOVQ         ow+16(FP), OW
	MOVQ         p+24(FP), SRC
	MOVQ         wp+32(FP), ROWB
	SHLQ         $2, ROWB
	MOVQ         s+40(FP), STEP
	IMULQ        ROWB, STEP          // bytes from one output row's first padded row to the next's
	LEAQ         -8(OW), LAST        // the last vector's first column
	CMPQ         s+40(FP), $2
	JEQ          s2

row1:
	XORQ X0, X0

vec1:
	CMPQ    X0, LAST
	JLE     2(PC)
	MOVQ    LAST, X0
	LEAQ    (SRC)(X0*4), P
	VMOVAPS BIAS, ACC
	TAPS1(P, Y7, Y8, Y9)
	ADDQ    ROWB, P
	TAPS1(P, Y10, Y11, Y12)
	ADDQ    ROWB, P
	TAPS1(P, Y13, Y14, Y15)
	CLAMP_STORE
	ADDQ    $8, X0
	CMPQ    X0, OW
	JLT     vec1
	LEAQ    (DST)(OW*4), DST
	ADDQ    STEP, SRC
	DECQ    ROWS
	JNZ     row1
	VZEROUPPER
	RET

s2:
	XORQ X0, X0

vec2:
	CMPQ    X0, LAST
	JLE     2(PC)
	MOVQ    LAST, X0
	LEAQ    (SRC)(X0*8), P
	VMOVAPS BIAS, ACC
	TAPS2(P, Y7, Y8, Y9)
	ADDQ    ROWB, P
	TAPS2(P, Y10, Y11, Y12)
	ADDQ    ROWB, P
	TAPS2(P, Y13, Y14, Y15)
	VPERMPD $0xD8, ACC, ACC
	CLAMP_STORE
	ADDQ    $8, X0
	CMPQ    X0, OW
	JLT     vec2
	LEAQ    (DST)(OW*4), DST
	ADDQ    STEP, SRC
	DECQ    ROWS
	JNZ     s2
	VZEROUPPER
	RET

// dwPlane3ys is dwPlane3y for rows of 1–7 outputs, one vector a row: the
// loads masked (masks[0]: the lanes of the row's outputs; at stride 2
// masks[1]–masks[4]: the columns 0–7, 8–15, 1–8 and 9–16 that lie within
// the 2·ow+1 the taps read), the weights read from the frame (8 copies
// of each, broadcast there first: the masks take their registers). The store of every row but the last
// is whole, its lanes past the row landing on the next row's first
// outputs, which that row's store overwrites, where it ends within the
// output; the last rows' stores are masked (AMD's masked stores are
// microcoded: a 7×7 plane has one).
//
// func dwPlane3ys(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32, masks *[5][8]int32)
TEXT ·dwPlane3ys(SB), NOSPLIT, $288-80
	MOVQ         w+48(FP), AX
	VBROADCASTSS (AX), Y0
	VMOVUPS      Y0, 0(SP)
	VBROADCASTSS 4(AX), Y0
	VMOVUPS      Y0, 32(SP)
	VBROADCASTSS 8(AX), Y0
	VMOVUPS      Y0, 64(SP)
	VBROADCASTSS 12(AX), Y0
	VMOVUPS      Y0, 96(SP)
	VBROADCASTSS 16(AX), Y0
	VMOVUPS      Y0, 128(SP)
	VBROADCASTSS 20(AX), Y0
	VMOVUPS      Y0, 160(SP)
	VBROADCASTSS 24(AX), Y0
	VMOVUPS      Y0, 192(SP)
	VBROADCASTSS 28(AX), Y0
	VMOVUPS      Y0, 224(SP)
	VBROADCASTSS 32(AX), Y0
	VMOVUPS      Y0, 256(SP)
	VBROADCASTSS bias+56(FP), Y5
	VBROADCASTSS lo+60(FP), Y6
	VBROADCASTSS hi+64(FP), Y7
	MOVQ         masks+72(FP), DX
	VMOVDQU      (DX), Y8
	VMOVDQU      32(DX), Y9
	VMOVDQU      64(DX), Y10
	VMOVDQU      96(DX), Y11
	VMOVDQU      128(DX), Y12
	MOVQ         dst+0(FP), DST
	MOVQ         oh+8(FP), ROWS
	MOVQ         ow+16(FP), OW
	MOVQ         p+24(FP), SRC
	MOVQ         wp+32(FP), ROWB
	SHLQ         $2, ROWB
	MOVQ         s+40(FP), STEP
	IMULQ        ROWB, STEP
	MOVQ         OW, R13
	IMULQ        ROWS, R13
	LEAQ         -32(DST)(R13*4), R13 // the output's last 8 floats
	CMPQ         s+40(FP), $2
	JEQ          small2

small1:
	MOVQ        SRC, P
	VMOVAPS     Y5, ACC
	SMALLTAPS1(0)
	ADDQ        ROWB, P
	SMALLTAPS1(96)
	ADDQ        ROWB, P
	SMALLTAPS1(192)
	SMALLSTORE
	JNZ         small1
	VZEROUPPER
	RET

small2:
	MOVQ        SRC, P
	VMOVAPS     Y5, ACC
	SMALLTAPS2(0)
	ADDQ        ROWB, P
	SMALLTAPS2(96)
	ADDQ        ROWB, P
	SMALLTAPS2(192)
	VPERMPD     $0xD8, ACC, ACC
	SMALLSTORE
	JNZ         small2
	VZEROUPPER
	RET
