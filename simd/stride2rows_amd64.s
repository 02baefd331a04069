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

// copyRowsy is CopyRows in AVX2: per row, vectors of 8 floats, then a
// last vector ending at the row's last column (rewriting some with the
// same values); rows of 4–7 columns as two 4-float moves (at 0 and at
// cols-4), of 1–3 float by float (VEX scalars, as above). Nothing is read
// or written outside the rows' cols floats.
//
// func copyRowsy(dst *float32, ldd int, src *float32, lds, rows, cols int)
TEXT ·copyRowsy(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), R10
	MOVQ cols+40(FP), R11
	LEAQ -8(R11), R12          // the last vector's first column
	CMPQ R11, $8
	JLT  cnarrow

crow:
	XORQ BX, BX

cvec:
	VMOVUPS (SI)(BX*4), Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, R12
	JLT     cvec
	VMOVUPS (SI)(R12*4), Y0
	VMOVUPS Y0, (DI)(R12*4)
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    R10
	JNZ     crow
	VZEROUPPER
	RET

cnarrow:
	CMPQ R11, $4
	JLT  ctiny
	LEAQ -4(R11), R12

cquad:
	VMOVUPS (SI), X0
	VMOVUPS (SI)(R12*4), X1
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(R12*4)
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    R10
	JNZ     cquad
	VZEROUPPER
	RET

ctiny:
	XORQ BX, BX

cone:
	VMOVSS (SI)(BX*4), X0
	VMOVSS X0, (DI)(BX*4)
	INCQ   BX
	CMPQ   BX, R11
	JLT    cone
	ADDQ   R8, DI
	ADDQ   R9, SI
	DECQ   R10
	JNZ    ctiny
	VZEROUPPER
	RET
