//go:build !purego

#include "textflag.h"
#include "tailmask_amd64.h"

DATA erfk<>+0(SB)/4, $3.92
DATA erfk<>+4(SB)/4, $-3.92
DATA erfk<>+8(SB)/4, $1.0
DATA erfk<>+12(SB)/4, $-1.0
GLOBL erfk<>(SB), RODATA|NOPTR, $16

// ERF_CONSTS broadcasts the clamps into Z28–Z31 and the coefficients of
// P (at AX) into Z16–Z21 and of Q (at BX) into Z22–Z27.
#define ERF_CONSTS \
	VBROADCASTSS erfk<>+0(SB), Z28  \
	VBROADCASTSS erfk<>+4(SB), Z29  \
	VBROADCASTSS erfk<>+8(SB), Z30  \
	VBROADCASTSS erfk<>+12(SB), Z31 \
	VBROADCASTSS 0(AX), Z16         \
	VBROADCASTSS 4(AX), Z17         \
	VBROADCASTSS 8(AX), Z18         \
	VBROADCASTSS 12(AX), Z19        \
	VBROADCASTSS 16(AX), Z20        \
	VBROADCASTSS 20(AX), Z21        \
	VBROADCASTSS 0(BX), Z22         \
	VBROADCASTSS 4(BX), Z23         \
	VBROADCASTSS 8(BX), Z24         \
	VBROADCASTSS 12(BX), Z25        \
	VBROADCASTSS 16(BX), Z26        \
	VBROADCASTSS 20(BX), Z27

// ERF computes erf of Z0 into Z2: the clamp of x, x² (Z1), P (Z2) and Q
// (Z3) by Horner's rule with FMAs, x·P/Q and the clamp to ±1. The clamps
// keep a NaN (VMINPS and VMAXPS return their second source, x, when
// either is NaN).
#define ERF \
	VMINPS      Z0, Z28, Z0 \
	VMAXPS      Z0, Z29, Z0 \
	VMULPS      Z0, Z0, Z1  \
	VMOVAPS     Z21, Z2     \
	VMOVAPS     Z27, Z3     \
	VFMADD213PS Z20, Z1, Z2 \
	VFMADD213PS Z26, Z1, Z3 \
	VFMADD213PS Z19, Z1, Z2 \
	VFMADD213PS Z25, Z1, Z3 \
	VFMADD213PS Z18, Z1, Z2 \
	VFMADD213PS Z24, Z1, Z3 \
	VFMADD213PS Z17, Z1, Z2 \
	VFMADD213PS Z23, Z1, Z3 \
	VFMADD213PS Z16, Z1, Z2 \
	VFMADD213PS Z22, Z1, Z3 \
	VMULPS      Z2, Z0, Z2  \
	VDIVPS      Z3, Z2, Z2  \
	VMINPS      Z2, Z30, Z2 \
	VMAXPS      Z2, Z31, Z2

// erfz: Erf, 16 floats a turn (ERF), the last under K1.
//
// func erfz(dst, src *float32, n int, p, q *[6]float32)
TEXT ·erfz(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ p+24(FP), AX
	MOVQ q+32(FP), BX
	ERF_CONSTS

loop:
	TAILMASK16
	VMOVUPS.Z (SI), K1, Z0
	ERF
	VMOVUPS   Z2, K1, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $16, CX
	JG        loop
	VZEROUPPER
	RET

// geluz: GELU: x (Z12) divided by c (Z13), ERF of the quotient, then + a
// (Z14), · x and · h (Z15), each rounded on its own as the operators it
// replaces.
//
// func geluz(dst, src *float32, n int, p, q *[6]float32, c, a, h float32)
TEXT ·geluz(SB), NOSPLIT, $0-52
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         p+24(FP), AX
	MOVQ         q+32(FP), BX
	ERF_CONSTS
	VBROADCASTSS c+40(FP), Z13
	VBROADCASTSS a+44(FP), Z14
	VBROADCASTSS h+48(FP), Z15

gloop:
	TAILMASK16
	VMOVUPS.Z (SI), K1, Z12
	VDIVPS    Z13, Z12, Z0
	ERF
	VADDPS    Z14, Z2, Z2
	VMULPS    Z2, Z12, Z2
	VMULPS    Z15, Z2, Z2
	VMOVUPS   Z2, K1, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $16, CX
	JG        gloop
	VZEROUPPER
	RET

// ERFY_CLAMPS loads the clamps ±3.92 and ±1 of the table at AX into
// Y8–Y11 (registers: a clamp keeps a NaN only as VMINPS's second source).
#define ERFY_CLAMPS \
	VMOVUPS 0(AX), Y8   \
	VMOVUPS 32(AX), Y9  \
	VMOVUPS 64(AX), Y10 \
	VMOVUPS 96(AX), Y11

// ERFY computes erf of Y0 into Y2 as ERF does, in ymm registers: there
// are too few of them for the coefficients, which are read from the table
// at AX (erfTab8: the clamps, then P's and Q's coefficients, 8 copies
// each); the clamps are in Y8–Y11 (ERFY_CLAMPS).
#define ERFY \
	VMINPS      Y0, Y8, Y0      \
	VMAXPS      Y0, Y9, Y0      \
	VMULPS      Y0, Y0, Y1      \
	VMOVUPS     288(AX), Y2     \
	VMOVUPS     480(AX), Y3     \
	VFMADD213PS 256(AX), Y1, Y2 \
	VFMADD213PS 448(AX), Y1, Y3 \
	VFMADD213PS 224(AX), Y1, Y2 \
	VFMADD213PS 416(AX), Y1, Y3 \
	VFMADD213PS 192(AX), Y1, Y2 \
	VFMADD213PS 384(AX), Y1, Y3 \
	VFMADD213PS 160(AX), Y1, Y2 \
	VFMADD213PS 352(AX), Y1, Y3 \
	VFMADD213PS 128(AX), Y1, Y2 \
	VFMADD213PS 320(AX), Y1, Y3 \
	VMULPS      Y2, Y0, Y2      \
	VDIVPS      Y3, Y2, Y2      \
	VMINPS      Y2, Y10, Y2     \
	VMAXPS      Y2, Y11, Y2

// erfy: Erf in AVX2, 8 floats a turn (ERFY); n is a multiple of 8.
//
// func erfy(dst, src *float32, n int, tab *[16][8]float32)
TEXT ·erfy(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ tab+24(FP), AX
	ERFY_CLAMPS

yloop:
	VMOVUPS (SI), Y0
	ERFY
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JG      yloop
	VZEROUPPER
	RET

// geluy: GELU in AVX2 as geluz, 8 floats a turn; n is a multiple of 8.
//
// func geluy(dst, src *float32, n int, tab *[16][8]float32, c, a, h float32)
TEXT ·geluy(SB), NOSPLIT, $0-44
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         tab+24(FP), AX
	ERFY_CLAMPS
	VBROADCASTSS c+32(FP), Y13
	VBROADCASTSS a+36(FP), Y14
	VBROADCASTSS h+40(FP), Y15

gyloop:
	VMOVUPS (SI), Y12
	VDIVPS  Y13, Y12, Y0
	ERFY
	VADDPS  Y14, Y2, Y2
	VMULPS  Y2, Y12, Y2
	VMULPS  Y15, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JG      gyloop
	VZEROUPPER
	RET
