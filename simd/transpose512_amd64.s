//go:build !purego

#include "textflag.h"

// transpose16z: TransposeBiasClamp over whole blocks of 16 columns of src
// (driver: transposeBiasClampAVX512), each block 16 rows at a time
// transposed in registers: 16 row loads, then VUNPCKLPS/VUNPCKHPS,
// VUNPCKLPD/VUNPCKHPD and two rounds of VSHUFF32X4 (64 shuffles for 256
// floats, where a gather per 16 floats cost more than all of them), then
// for each column the bias (broadcast from memory), the residual's row
// where res is not nil, the clamp (the sum as VMAXPS/VMINPS's second
// source: a NaN stays NaN) and one store. A last block of fewer than 16
// rows loads its last row again in place of the missing ones and stores
// under the mask K3.

#define DST DI
#define SRC SI
#define LDD R8   // dst's row stride, bytes
#define LDS AX   // src's row stride, bytes
#define ROWS R9
#define BLOCKS R10
#define BIAS R11
#define RES R12
#define ROWP R13 // the row being loaded
#define LEFT CX  // rows left from the block's first
#define OFF BX   // the block's first row, in bytes of dst
#define LO Z30
#define HI Z31

// LOADROW(z, next): z = the row at ROWP; ROWP moves on to the next row
// when there is one (LEFT ≥ next).
#define LOADROW(z, next) \
	VMOVUPS (ROWP), z         \
	LEAQ    (ROWP)(LDS*1), DX \
	CMPQ    LEFT, $next       \
	CMOVQGE DX, ROWP

// PAIRS4(r0, r1, r2, r3): four rows into four vectors of 128-bit lanes L
// holding columns 4L+m of the four rows (m = 0 … 3, in r0 … r3).
#define PAIRS4(r0, r1, r2, r3) \
	VUNPCKLPS r1, r0, Z16 \
	VUNPCKHPS r1, r0, Z17 \
	VUNPCKLPS r3, r2, Z18 \
	VUNPCKHPS r3, r2, Z19 \
	VUNPCKLPD Z18, Z16, r0 \
	VUNPCKHPD Z18, Z16, r1 \
	VUNPCKLPD Z19, Z17, r2 \
	VUNPCKHPD Z19, Z17, r3

// COLS4(a, b, c, d): columns m, 4+m, 8+m, 12+m of the 16 rows into
// Z20–Z23, from PAIRS4's vectors m of rows 0–3 (a), 4–7 (b), 8–11 (c),
// 12–15 (d).
#define COLS4(a, b, c, d) \
	VSHUFF32X4 $0x44, b, a, Z16   \
	VSHUFF32X4 $0xee, b, a, Z17   \
	VSHUFF32X4 $0x44, d, c, Z18   \
	VSHUFF32X4 $0xee, d, c, Z19   \
	VSHUFF32X4 $0x88, Z18, Z16, Z20 \
	VSHUFF32X4 $0xdd, Z18, Z16, Z21 \
	VSHUFF32X4 $0x88, Z19, Z17, Z22 \
	VSHUFF32X4 $0xdd, Z19, Z17, Z23

// EPI(z, col, boff): column col of the block (bias at boff(BIAS)) stored
// as row col of dst, from OFF.
#define EPI(z, col, boff) \
	VADDPS.BCST boff(BIAS), z, z \
	VMAXPS      z, LO, z         \
	VMINPS      z, HI, z         \
	IMUL3Q      $col, LDD, DX    \
	ADDQ        OFF, DX          \
	VMOVUPS     z, K3, (DST)(DX*1)

// EPIR(z, col, boff): EPI with the residual's row added before the clamp.
#define EPIR(z, col, boff) \
	VADDPS.BCST boff(BIAS), z, z \
	IMUL3Q      $col, LDD, DX    \
	ADDQ        OFF, DX          \
	VMOVUPS.Z   (RES)(DX*1), K3, Z24 \
	VADDPS      Z24, z, z        \
	VMAXPS      z, LO, z         \
	VMINPS      z, HI, z         \
	VMOVUPS     z, K3, (DST)(DX*1)

// LOAD16: the block's 16 rows (from row OFF/4) into Z0–Z15, transposed in
// four groups of four, with K3 the rows that are there.
#define LOAD16 \
	MOVQ    OFF, LEFT          \
	SHRQ    $2, LEFT           \
	MOVQ    LEFT, ROWP         \
	IMULQ   LDS, ROWP          \
	ADDQ    SRC, ROWP          \
	NEGQ    LEFT               \
	ADDQ    ROWS, LEFT         \
	MOVL    $0xffff, DX        \
	CMPQ    LEFT, $16          \
	JGE     4(PC)              \
	MOVL    $1, DX             \
	SHLL    LEFT, DX           \
	DECL    DX                 \
	KMOVW   DX, K3             \
	LOADROW(Z0, 2)             \
	LOADROW(Z1, 3)             \
	LOADROW(Z2, 4)             \
	LOADROW(Z3, 5)             \
	LOADROW(Z4, 6)             \
	LOADROW(Z5, 7)             \
	LOADROW(Z6, 8)             \
	LOADROW(Z7, 9)             \
	LOADROW(Z8, 10)            \
	LOADROW(Z9, 11)            \
	LOADROW(Z10, 12)           \
	LOADROW(Z11, 13)           \
	LOADROW(Z12, 14)           \
	LOADROW(Z13, 15)           \
	LOADROW(Z14, 16)           \
	VMOVUPS (ROWP), Z15        \
	PAIRS4(Z0, Z1, Z2, Z3)     \
	PAIRS4(Z4, Z5, Z6, Z7)     \
	PAIRS4(Z8, Z9, Z10, Z11)   \
	PAIRS4(Z12, Z13, Z14, Z15)

// func transpose16z(dst *float32, ldd int, src *float32, lds, rows, blocks int, bias, res *float32, lo, hi float32)
TEXT ·transpose16z(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DST
	MOVQ         ldd+8(FP), LDD
	SHLQ         $2, LDD
	MOVQ         src+16(FP), SRC
	MOVQ         lds+24(FP), LDS
	SHLQ         $2, LDS
	MOVQ         rows+32(FP), ROWS
	MOVQ         blocks+40(FP), BLOCKS
	MOVQ         bias+48(FP), BIAS
	MOVQ         res+56(FP), RES
	VBROADCASTSS lo+64(FP), LO
	VBROADCASTSS hi+68(FP), HI
	TESTQ        RES, RES
	JNZ          rblock

block: // a block of 16 columns
	XORQ OFF, OFF

rows16:
	LOAD16
	COLS4(Z0, Z4, Z8, Z12)
	EPI(Z20, 0, 0)
	EPI(Z21, 4, 16)
	EPI(Z22, 8, 32)
	EPI(Z23, 12, 48)
	COLS4(Z1, Z5, Z9, Z13)
	EPI(Z20, 1, 4)
	EPI(Z21, 5, 20)
	EPI(Z22, 9, 36)
	EPI(Z23, 13, 52)
	COLS4(Z2, Z6, Z10, Z14)
	EPI(Z20, 2, 8)
	EPI(Z21, 6, 24)
	EPI(Z22, 10, 40)
	EPI(Z23, 14, 56)
	COLS4(Z3, Z7, Z11, Z15)
	EPI(Z20, 3, 12)
	EPI(Z21, 7, 28)
	EPI(Z22, 11, 44)
	EPI(Z23, 15, 60)
	ADDQ $64, OFF
	CMPQ LEFT, $16
	JGT  rows16
	ADDQ $64, SRC
	MOVQ LDD, DX
	SHLQ $4, DX
	ADDQ DX, DST
	ADDQ $64, BIAS
	DECQ BLOCKS
	JNZ  block
	VZEROUPPER
	RET

rblock: // block with the residual at RES, laid out as dst
	XORQ OFF, OFF

rrows16:
	LOAD16
	COLS4(Z0, Z4, Z8, Z12)
	EPIR(Z20, 0, 0)
	EPIR(Z21, 4, 16)
	EPIR(Z22, 8, 32)
	EPIR(Z23, 12, 48)
	COLS4(Z1, Z5, Z9, Z13)
	EPIR(Z20, 1, 4)
	EPIR(Z21, 5, 20)
	EPIR(Z22, 9, 36)
	EPIR(Z23, 13, 52)
	COLS4(Z2, Z6, Z10, Z14)
	EPIR(Z20, 2, 8)
	EPIR(Z21, 6, 24)
	EPIR(Z22, 10, 40)
	EPIR(Z23, 14, 56)
	COLS4(Z3, Z7, Z11, Z15)
	EPIR(Z20, 3, 12)
	EPIR(Z21, 7, 28)
	EPIR(Z22, 11, 44)
	EPIR(Z23, 15, 60)
	ADDQ $64, OFF
	CMPQ LEFT, $16
	JGT  rrows16
	ADDQ $64, SRC
	MOVQ LDD, DX
	SHLQ $4, DX
	ADDQ DX, DST
	ADDQ DX, RES
	ADDQ $64, BIAS
	DECQ BLOCKS
	JNZ  rblock
	VZEROUPPER
	RET
