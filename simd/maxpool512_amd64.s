//go:build !purego

#include "textflag.h"

DATA evenIdx<>+0(SB)/4, $0
DATA evenIdx<>+4(SB)/4, $2
DATA evenIdx<>+8(SB)/4, $4
DATA evenIdx<>+12(SB)/4, $6
DATA evenIdx<>+16(SB)/4, $8
DATA evenIdx<>+20(SB)/4, $10
DATA evenIdx<>+24(SB)/4, $12
DATA evenIdx<>+28(SB)/4, $14
DATA evenIdx<>+32(SB)/4, $16
DATA evenIdx<>+36(SB)/4, $18
DATA evenIdx<>+40(SB)/4, $20
DATA evenIdx<>+44(SB)/4, $22
DATA evenIdx<>+48(SB)/4, $24
DATA evenIdx<>+52(SB)/4, $26
DATA evenIdx<>+56(SB)/4, $28
DATA evenIdx<>+60(SB)/4, $30
GLOBL evenIdx<>(SB), RODATA|NOPTR, $64

DATA poolNaN<>+0(SB)/4, $0x7fc00000
GLOBL poolNaN<>(SB), RODATA|NOPTR, $4

// MASKN sets kreg to the first AX lanes, AX clamped to 0–16 (R12 all
// ones; BX clobbered).
#define MASKN(kreg) \
	XORL    BX, BX      \
	CMPQ    AX, $0      \
	CMOVQLT BX, AX      \
	BZHIQ   AX, R12, BX \
	KMOVW   BX, kreg

// MAXNAN folds b into a: the maximum, NaN where either is NaN (Z30 a NaN;
// K7 clobbered).
#define MAXNAN(b, a) \
	VCMPPS  $3, b, a, K7 \
	VMAXPS  b, a, a      \
	VMOVAPS Z30, K7, a

// ROW3 sets acc to the max of one input row's windows for 16 outputs: the
// row at p, its floats 0–31 (Z1, Z2 under K1, K2) and 2–33 (Z3, Z4 under
// K3, K4), their even lanes (columns 2i and 2i+2) and odd lanes (2i+1).
#define ROW3(p, acc) \
	VMOVUPS.Z  (p), K1, Z1      \
	VMOVUPS.Z  64(p), K2, Z2    \
	VMOVUPS.Z  8(p), K3, Z3     \
	VMOVUPS.Z  72(p), K4, Z4    \
	VMOVAPS    Z28, acc         \
	VPERMI2PS  Z2, Z1, acc      \
	VMOVAPS    Z29, Z5          \
	VPERMI2PS  Z2, Z1, Z5       \
	VMOVAPS    Z28, Z6          \
	VPERMI2PS  Z4, Z3, Z6       \
	MAXNAN(Z5, acc)             \
	MAXNAN(Z6, acc)

// maxPool3x3s2Planez: MaxPool3x3s2Plane in AVX-512, all of a plane's
// output rows in one call (the per-row calls of the AVX2 kernel cost more
// than the work on squeezenet1_1's small maps): for each output row, 16
// outputs at a time from three input rows, each row's 33 floats loaded
// under opmasks (zeros past the row's 2·ow+1, never read) and split into
// the windows' columns by VPERMI2PS. src is the plane at column x0.
//
// func maxPool3x3s2Planez(dst *float32, oh, ow int, src *float32, w int)
TEXT ·maxPool3x3s2Planez(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         oh+8(FP), R8
	MOVQ         src+24(FP), SI
	MOVQ         w+32(FP), R10
	SHLQ         $2, R10
	MOVQ         $-1, R12
	VMOVDQU32    evenIdx<>(SB), Z28
	VPBROADCASTD one<>(SB), Z29
	VPADDD       Z28, Z29, Z29         // the odd indexes
	VBROADCASTSS poolNaN<>(SB), Z30

row:
	MOVQ SI, R11
	MOVQ DI, DX
	MOVQ ow+16(FP), CX

col:
	LEAQ  1(CX)(CX*1), R13             // 2·CX+1 floats of the row left
	MOVQ  R13, AX
	MASKN(K1)
	LEAQ  -16(R13), AX
	MASKN(K2)
	LEAQ  -2(R13), AX
	MASKN(K3)
	LEAQ  -18(R13), AX
	MASKN(K4)
	MOVQ  CX, AX
	MASKN(K5)
	ROW3(R11, Z10)
	LEAQ  (R11)(R10*1), R14
	ROW3(R14, Z11)
	LEAQ  (R14)(R10*1), R14
	ROW3(R14, Z12)
	MAXNAN(Z11, Z10)
	MAXNAN(Z12, Z10)
	VMOVUPS Z10, K5, (DX)
	ADDQ    $128, R11
	ADDQ    $64, DX
	SUBQ    $16, CX
	JG      col

	LEAQ (SI)(R10*2), SI               // two input rows down
	MOVQ ow+16(FP), AX
	LEAQ (DI)(AX*4), DI
	DECQ R8
	JNZ  row
	VZEROUPPER
	RET

DATA one<>+0(SB)/4, $1
GLOBL one<>(SB), RODATA|NOPTR, $4
