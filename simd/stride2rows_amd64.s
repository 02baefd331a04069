//go:build !purego

#include "textflag.h"

// stride2Rowsy is StridedRows at stride 2 in AVX2: per row, 8 outputs at a
// time from 16 floats (two loads), VSHUFPS taking the even ones within
// each 128-bit lane and VPERMPD putting the two halves in place; vectors
// while 8 more outputs follow, so that no load passes the row's last float
// taken (2n-2), and the last 1–8 outputs float by float.
//
// func stride2Rowsy(dst *float32, ldd int, src *float32, lds, rows, n int)
TEXT ·stride2Rowsy(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R11

srow:
	XORQ BX, BX                // outputs done in this row
	LEAQ -8(R11), R12          // vectors while BX < n-8

svec:
	CMPQ    BX, R12
	JGE     stail
	LEAQ    (SI)(BX*8), DX
	VMOVUPS (DX), Y0
	VSHUFPS $0x88, 32(DX), Y0, Y0
	VPERMPD $0xD8, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     svec

stail:
	VMOVSS (SI)(BX*8), X0
	VMOVSS X0, (DI)(BX*4)
	INCQ  BX
	CMPQ  BX, R11
	JLT   stail
	ADDQ  R8, DI
	ADDQ  R9, SI
	DECQ  R10
	JNZ   srow
	VZEROUPPER
	RET
