//go:build !purego

#include "textflag.h"

// meanPlanesAVX2: MeanPlanes four planes at a time (then one at a time).
// A plane's four partial sums are the lanes of one ymm of float64: each
// group of four floats is widened (VCVTPS2PD) and added, so lane j sums
// elements j, j+4, … in order, as the generic loop's partial j does. At
// the end the upper lanes (p2, p3) are saved, the last n mod 4 elements
// added to lane 0 one by one, and the plane's mean is ((p0 + p1) + (p2 +
// p3)) / n, rounded to float32. Four planes' chains of VADDPD keep the
// adder busy: one plane's wait on each other.

#define DST DI
#define P0 SI
#define P1 R8
#define P2 R9
#define P3 R10
#define PLANES BX
#define N CX
#define Q DX  // bytes of whole groups: 16·⌊n/4⌋
#define PB R11 // bytes of a plane: 4n
#define I R12
#define T R13

// FINISH(y, x, p, off): the mean of the plane at p, whose partials are in
// y (x its low half), to off(DST). Clobbers X8–X12, T.
#define FINISH(y, x, p, off) \
	VEXTRACTF128 $1, y, X8      \
	MOVQ         Q, T           \
	CMPQ         T, PB          \
	JAE          6(PC)          \
	VCVTSS2SD    (p)(T*1), X9, X9 \
	VADDSD       X9, x, x       \
	ADDQ         $4, T          \
	CMPQ         T, PB          \
	JB           -4(PC)         \
	VPERMILPD    $1, x, X10     \
	VADDSD       X10, x, X10    \
	VPERMILPD    $1, X8, X11    \
	VADDSD       X11, X8, X11   \
	VADDSD       X11, X10, X10  \
	VDIVSD       X7, X10, X10   \
	VCVTSD2SS    X10, X10, X10  \
	VMOVSS       X10, off(DST)

// func meanPlanesAVX2(dst, src *float32, planes, n int)
TEXT ·meanPlanesAVX2(SB), NOSPLIT, $0-32
	MOVQ      dst+0(FP), DST
	MOVQ      src+8(FP), P0
	MOVQ      planes+16(FP), PLANES
	MOVQ      n+24(FP), N
	VCVTSI2SDQ N, X7, X7         // n as a float64
	LEAQ      (N*4), PB
	MOVQ      N, Q
	ANDQ      $-4, Q
	SHLQ      $2, Q

four:
	CMPQ   PLANES, $4
	JB     one
	LEAQ   (P0)(PB*1), P1
	LEAQ   (P1)(PB*1), P2
	LEAQ   (P2)(PB*1), P3
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   I, I

four4:
	CMPQ      I, Q
	JAE       fourEnd
	VCVTPS2PD (P0)(I*1), Y4
	VADDPD    Y4, Y0, Y0
	VCVTPS2PD (P1)(I*1), Y5
	VADDPD    Y5, Y1, Y1
	VCVTPS2PD (P2)(I*1), Y6
	VADDPD    Y6, Y2, Y2
	VCVTPS2PD (P3)(I*1), Y4
	VADDPD    Y4, Y3, Y3
	ADDQ      $16, I
	JMP       four4

fourEnd:
	FINISH(Y0, X0, P0, 0)
	FINISH(Y1, X1, P1, 4)
	FINISH(Y2, X2, P2, 8)
	FINISH(Y3, X3, P3, 12)
	LEAQ (P3)(PB*1), P0
	ADDQ $16, DST
	SUBQ $4, PLANES
	JMP  four

one:
	TESTQ  PLANES, PLANES
	JZ     done
	VXORPD Y0, Y0, Y0
	XORQ   I, I

one4:
	CMPQ      I, Q
	JAE       oneEnd
	VCVTPS2PD (P0)(I*1), Y4
	VADDPD    Y4, Y0, Y0
	ADDQ      $16, I
	JMP       one4

oneEnd:
	FINISH(Y0, X0, P0, 0)
	ADDQ PB, P0
	ADDQ $4, DST
	DECQ PLANES
	JMP  one

done:
	VZEROUPPER
	RET
