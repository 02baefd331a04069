//go:build !purego

#include "textflag.h"

// convLanes14x32: one run of 14 pixels by one group of 32 output channels
// of Lanes.Run (driver: convLanesAVX512 in convlanes_amd64.go). 28
// accumulators Z0–Z27 (pixel r in Z(2r) and Z(2r+1), channels 0–15 and
// 16–31), the tap's 32 weights in Z28–Z29, the broadcast pixel in Z30 or
// Z31. Each tap is an offset, 2 weight loads, 14 broadcasts and 28 FMAs.

// func convLanes14x32(x *float32, offs *int32, taps int, w *float32, dst *float32, ldd int)
TEXT ·convLanes14x32(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ offs+8(FP), R8
	MOVQ taps+16(FP), CX
	MOVQ w+24(FP), DI
	MOVQ dst+32(FP), DX
	MOVQ ldd+40(FP), R9
	SHLQ $2, R9
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27

tap:
	MOVLQSX (R8), AX
	LEAQ    (SI)(AX*4), BX
	VMOVUPS (DI), Z28
	VMOVUPS 64(DI), Z29
	VBROADCASTSS 0(BX), Z30
	VFMADD231PS  Z28, Z30, Z0
	VFMADD231PS  Z29, Z30, Z1
	VBROADCASTSS 4(BX), Z31
	VFMADD231PS  Z28, Z31, Z2
	VFMADD231PS  Z29, Z31, Z3
	VBROADCASTSS 8(BX), Z30
	VFMADD231PS  Z28, Z30, Z4
	VFMADD231PS  Z29, Z30, Z5
	VBROADCASTSS 12(BX), Z31
	VFMADD231PS  Z28, Z31, Z6
	VFMADD231PS  Z29, Z31, Z7
	VBROADCASTSS 16(BX), Z30
	VFMADD231PS  Z28, Z30, Z8
	VFMADD231PS  Z29, Z30, Z9
	VBROADCASTSS 20(BX), Z31
	VFMADD231PS  Z28, Z31, Z10
	VFMADD231PS  Z29, Z31, Z11
	VBROADCASTSS 24(BX), Z30
	VFMADD231PS  Z28, Z30, Z12
	VFMADD231PS  Z29, Z30, Z13
	VBROADCASTSS 28(BX), Z31
	VFMADD231PS  Z28, Z31, Z14
	VFMADD231PS  Z29, Z31, Z15
	VBROADCASTSS 32(BX), Z30
	VFMADD231PS  Z28, Z30, Z16
	VFMADD231PS  Z29, Z30, Z17
	VBROADCASTSS 36(BX), Z31
	VFMADD231PS  Z28, Z31, Z18
	VFMADD231PS  Z29, Z31, Z19
	VBROADCASTSS 40(BX), Z30
	VFMADD231PS  Z28, Z30, Z20
	VFMADD231PS  Z29, Z30, Z21
	VBROADCASTSS 44(BX), Z31
	VFMADD231PS  Z28, Z31, Z22
	VFMADD231PS  Z29, Z31, Z23
	VBROADCASTSS 48(BX), Z30
	VFMADD231PS  Z28, Z30, Z24
	VFMADD231PS  Z29, Z30, Z25
	VBROADCASTSS 52(BX), Z31
	VFMADD231PS  Z28, Z31, Z26
	VFMADD231PS  Z29, Z31, Z27
	ADDQ    $4, R8
	ADDQ    $128, DI
	DECQ    CX
	JNZ     tap

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z8, (DX)
	VMOVUPS Z9, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z10, (DX)
	VMOVUPS Z11, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z12, (DX)
	VMOVUPS Z13, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z14, (DX)
	VMOVUPS Z15, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z16, (DX)
	VMOVUPS Z17, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z18, (DX)
	VMOVUPS Z19, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z20, (DX)
	VMOVUPS Z21, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z22, (DX)
	VMOVUPS Z23, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z24, (DX)
	VMOVUPS Z25, 64(DX)
	ADDQ    R9, DX
	VMOVUPS Z26, (DX)
	VMOVUPS Z27, 64(DX)
	VZEROUPPER
	RET

// iota16<>: the lane numbers 0–15, for the gathers' indexes.
DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA|NOPTR, $64

// transposeBiasClampz: for each column j of src (a row of dst), 16 rows
// of src at a time gathered (Z30 = i·lds, the indexes), the bias added,
// then the residual's row where res is not nil (R12; its row stride
// dst's), and clamped as the epilogue's EPIX does (a NaN sum stays NaN),
// stored; the last rows%16 under the mask K3.
//
// func transposeBiasClampz(dst *float32, ldd int, src *float32, lds, rows, cols int, bias, res *float32, lo, hi float32)
TEXT ·transposeBiasClampz(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), AX
	MOVQ         rows+32(FP), R9
	MOVQ         cols+40(FP), R10
	MOVQ         bias+48(FP), R11
	MOVQ         res+56(FP), R12
	VBROADCASTSS lo+64(FP), Z28
	VBROADCASTSS hi+68(FP), Z29
	VPBROADCASTD AX, Z30
	VPMULLD      iota16<>(SB), Z30, Z30
	SHLQ         $6, AX               // 16 rows of src, in bytes
	MOVQ         R9, CX
	ANDQ         $15, CX
	MOVL         $1, BX
	SHLL         CX, BX
	DECL         BX
	KMOVW        BX, K3               // the last rows%16 (none: 0)
	SHRQ         $4, R9               // whole blocks of 16 rows
	TESTQ        R12, R12
	JNZ          rcol

col:
	VBROADCASTSS (R11), Z31
	MOVQ         SI, BX
	MOVQ         DI, DX
	MOVQ         R9, CX
	TESTQ        CX, CX
	JZ           tail

blk:
	KXNORW     K1, K1, K1
	VGATHERDPS (BX)(Z30*4), K1, Z0
	VADDPS     Z0, Z31, Z0
	VMAXPS     Z0, Z28, Z0
	VMINPS     Z0, Z29, Z0
	VMOVUPS    Z0, (DX)
	ADDQ       AX, BX
	ADDQ       $64, DX
	DECQ       CX
	JNZ        blk

tail:
	KORTESTW   K3, K3
	JZ         next
	KMOVW      K3, K1
	VPXORD     Z0, Z0, Z0
	VGATHERDPS (BX)(Z30*4), K1, Z0
	VADDPS     Z0, Z31, Z0
	VMAXPS     Z0, Z28, Z0
	VMINPS     Z0, Z29, Z0
	VMOVUPS    Z0, K3, (DX)

next:
	ADDQ $4, SI
	ADDQ R8, DI
	ADDQ $4, R11
	DECQ R10
	JNZ  col
	VZEROUPPER
	RET

rcol: // as col, with the residual row at R13
	VBROADCASTSS (R11), Z31
	MOVQ         SI, BX
	MOVQ         DI, DX
	MOVQ         R12, R13
	MOVQ         R9, CX
	TESTQ        CX, CX
	JZ           rtail

rblk:
	KXNORW     K1, K1, K1
	VGATHERDPS (BX)(Z30*4), K1, Z0
	VADDPS     Z0, Z31, Z0
	VADDPS     (R13), Z0, Z0
	VMAXPS     Z0, Z28, Z0
	VMINPS     Z0, Z29, Z0
	VMOVUPS    Z0, (DX)
	ADDQ       AX, BX
	ADDQ       $64, DX
	ADDQ       $64, R13
	DECQ       CX
	JNZ        rblk

rtail:
	KORTESTW   K3, K3
	JZ         rnext
	KMOVW      K3, K1
	VPXORD     Z0, Z0, Z0
	VGATHERDPS (BX)(Z30*4), K1, Z0
	VADDPS     Z0, Z31, Z0
	VMOVUPS.Z  (R13), K3, Z1
	VADDPS     Z1, Z0, Z0
	VMAXPS     Z0, Z28, Z0
	VMINPS     Z0, Z29, Z0
	VMOVUPS    Z0, K3, (DX)

rnext:
	ADDQ $4, SI
	ADDQ R8, DI
	ADDQ R8, R12
	ADDQ $4, R11
	DECQ R10
	JNZ  rcol
	VZEROUPPER
	RET

// transpose8y: TransposeBiasClamp in AVX2 over nrb blocks of 8 × 8 going
// down 8 columns of src (8 rows of dst), each block transposed in
// registers (VUNPCKLPS/VUNPCKHPS, VSHUFPS, VPERM2F128), then per row of
// dst the bias broadcast and added, the residual (res not nil, laid out as
// dst) added, the clamp (VMAXPS/VMINPS with the sum as second source keep
// a NaN) and a store of 8 floats.
//
// func transpose8y(dst *float32, ldd int, src *float32, lds, nrb int, bias, res *float32, lo, hi float32)
TEXT ·transpose8y(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R12
	SHLQ $2, R12
	LEAQ (R12)(R12*2), R13
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	MOVQ nrb+32(FP), CX
	MOVQ bias+40(FP), R8
	MOVQ res+48(FP), R14

tblock:
	LEAQ    (SI)(R10*4), BX
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R10*1), Y1
	VMOVUPS (SI)(R10*2), Y2
	VMOVUPS (SI)(R11*1), Y3
	VMOVUPS (BX), Y4
	VMOVUPS (BX)(R10*1), Y5
	VMOVUPS (BX)(R10*2), Y6
	VMOVUPS (BX)(R11*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VBROADCASTSS lo+56(FP), Y6
	VBROADCASTSS hi+60(FP), Y7
	LEAQ    (DI)(R12*4), DX
	LEAQ    (R14)(R12*4), AX
	VBROADCASTSS 0(R8), Y0
	VADDPS  Y0, Y8, Y8
	VBROADCASTSS 4(R8), Y0
	VADDPS  Y0, Y9, Y9
	VBROADCASTSS 8(R8), Y0
	VADDPS  Y0, Y10, Y10
	VBROADCASTSS 12(R8), Y0
	VADDPS  Y0, Y11, Y11
	VBROADCASTSS 16(R8), Y0
	VADDPS  Y0, Y12, Y12
	VBROADCASTSS 20(R8), Y0
	VADDPS  Y0, Y13, Y13
	VBROADCASTSS 24(R8), Y0
	VADDPS  Y0, Y14, Y14
	VBROADCASTSS 28(R8), Y0
	VADDPS  Y0, Y15, Y15
	TESTQ   R14, R14
	JZ      tclamp
	VADDPS  (R14), Y8, Y8
	VADDPS  (R14)(R12*1), Y9, Y9
	VADDPS  (R14)(R12*2), Y10, Y10
	VADDPS  (R14)(R13*1), Y11, Y11
	VADDPS  (AX), Y12, Y12
	VADDPS  (AX)(R12*1), Y13, Y13
	VADDPS  (AX)(R12*2), Y14, Y14
	VADDPS  (AX)(R13*1), Y15, Y15

tclamp:
	VMAXPS  Y8, Y6, Y8
	VMINPS  Y8, Y7, Y8
	VMOVUPS Y8, (DI)
	VMAXPS  Y9, Y6, Y9
	VMINPS  Y9, Y7, Y9
	VMOVUPS Y9, (DI)(R12*1)
	VMAXPS  Y10, Y6, Y10
	VMINPS  Y10, Y7, Y10
	VMOVUPS Y10, (DI)(R12*2)
	VMAXPS  Y11, Y6, Y11
	VMINPS  Y11, Y7, Y11
	VMOVUPS Y11, (DI)(R13*1)
	VMAXPS  Y12, Y6, Y12
	VMINPS  Y12, Y7, Y12
	VMOVUPS Y12, (DX)
	VMAXPS  Y13, Y6, Y13
	VMINPS  Y13, Y7, Y13
	VMOVUPS Y13, (DX)(R12*1)
	VMAXPS  Y14, Y6, Y14
	VMINPS  Y14, Y7, Y14
	VMOVUPS Y14, (DX)(R12*2)
	VMAXPS  Y15, Y6, Y15
	VMINPS  Y15, Y7, Y15
	VMOVUPS Y15, (DX)(R13*1)
	LEAQ    (SI)(R10*8), SI
	ADDQ    $32, DI
	TESTQ   R14, R14
	JZ      2(PC)
	ADDQ    $32, R14
	DECQ    CX
	JNZ     tblock
	VZEROUPPER
	RET
