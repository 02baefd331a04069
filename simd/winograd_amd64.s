//go:build !purego

#include "textflag.h"

// AVX2 Winograd F(2×2, 3×3) transforms (see winograd.go), eight tiles of
// one tile row per block: tile j's input is columns 2j … 2j+3, so a block
// reads 18 columns of each of the four input rows and writes one vector
// per transformed position.
//
// winoIn8, per block: the row transform s_a = (Bᵀ d)_a is element-wise
// along the row, so it is done on the rows as loaded (columns x0 … x0+15
// and, for the third and fourth columns of each tile, x0+2 … x0+17: four
// vectors per a, one load and one add from memory each). VSHUFPS 0x88 /
// 0xDD and VPERMPD 0xD8 then split each pair of vectors into the even
// columns E and the odd ones O (tile j's columns 0, 1 are E[j], O[j] of
// the first pair; its columns 2, 3 are E'[j], O'[j] of the shifted pair),
// and the column transform is four more adds: per a, 4 loads, 8 adds,
// 8 shuffles, 4 stores; 96 instructions per 8 tiles.
//
// winoOut8, per block: the 16 vectors of M (one per ξ) give q = Aᵀ M
// (8 vectors, 16 adds), then y = q A (4 vectors: output rows 0 and 1,
// even and odd columns, 8 adds); VUNPCKLPS/HPS and VPERM2F128 interleave
// even and odd columns into two vectors per output row, which get the
// bias, the residual and the clamp (VMAXPS v, LO, v keeps a NaN v, as
// BiasClamp does) and are stored: 16 columns per row. The last block of
// a row of tiles whose width is not a multiple of 16 columns is stored
// (and its residual loaded) under lane masks (VMASKMOVPS neither reads
// nor writes the other lanes), so a row is one call, in assembly.

#define DST DI
#define LDD R8
#define LDD3 R9
#define ROW0 SI
#define ROW1 R10
#define ROW2 R11
#define ROW3 R12
#define BLOCKS CX
#define DP DX

#define HALF R13
#define STEP BX

// ROWS4 computes s_a for the four column groups into Y0–Y3: y = p OP q at
// byte offsets 0, HALF (the first and the second four tiles: columns
// x0…x0+15 when HALF is 32) and 8, 8+HALF (x0+2…x0+17). With HALF two
// padded rows, the second four tiles are those of the next tile row (a
// map four tiles wide: both tile rows in one block of eight).
#define ROWS4(OP, p, q) \
	VMOVUPS (p), Y0             \
	OP      (q), Y0, Y0         \
	VMOVUPS (p)(HALF*1), Y1     \
	OP      (q)(HALF*1), Y1, Y1 \
	VMOVUPS 8(p), Y2            \
	OP      8(q), Y2, Y2        \
	VMOVUPS 8(p)(HALF*1), Y3    \
	OP      8(q)(HALF*1), Y3, Y3

// SPLIT: Y0:Y1 into E (Y4) and O (Y5), Y2:Y3 into E' (Y6) and O' (Y7).
#define SPLIT \
	VSHUFPS $0x88, Y1, Y0, Y4 \
	VSHUFPS $0xDD, Y1, Y0, Y5 \
	VSHUFPS $0x88, Y3, Y2, Y6 \
	VSHUFPS $0xDD, Y3, Y2, Y7 \
	VPERMPD $0xD8, Y4, Y4     \
	VPERMPD $0xD8, Y5, Y5     \
	VPERMPD $0xD8, Y6, Y6     \
	VPERMPD $0xD8, Y7, Y7

// COLS stores the four positions ξ = 4a … 4a+3 at DP and moves DP on by
// four rows of dst.
#define COLS \
	VSUBPS  Y6, Y4, Y8          \
	VADDPS  Y6, Y5, Y9          \
	VSUBPS  Y5, Y6, Y10         \
	VSUBPS  Y7, Y5, Y11         \
	VMOVUPS Y8, (DP)            \
	VMOVUPS Y9, (DP)(LDD*1)     \
	VMOVUPS Y10, (DP)(LDD*2)    \
	VMOVUPS Y11, (DP)(LDD3*1)   \
	LEAQ    (DP)(LDD*4), DP

// func winoIn8(dst *float32, ldd int, src *float32, ld, blocks, half, step int)
// half: bytes from a block's first four tiles' input to the other four's
// (32, or two padded rows for a pair of tile rows); step: bytes from one
// block's input to the next's (64, or four padded rows).
TEXT ·winoIn8(SB), NOSPLIT, $0-56
	MOVQ half+40(FP), HALF
	MOVQ step+48(FP), STEP
	MOVQ dst+0(FP), DST
	MOVQ ldd+8(FP), LDD
	SHLQ $2, LDD
	LEAQ (LDD)(LDD*2), LDD3
	MOVQ src+16(FP), ROW0
	MOVQ ld+24(FP), AX
	SHLQ $2, AX
	LEAQ (ROW0)(AX*1), ROW1
	LEAQ (ROW1)(AX*1), ROW2
	LEAQ (ROW2)(AX*1), ROW3
	MOVQ blocks+32(FP), BLOCKS

block:
	MOVQ DST, DP
	ROWS4(VSUBPS, ROW0, ROW2) // s0 = d0 - d2
	SPLIT
	COLS
	ROWS4(VADDPS, ROW1, ROW2) // s1 = d1 + d2
	SPLIT
	COLS
	ROWS4(VSUBPS, ROW2, ROW1) // s2 = d2 - d1
	SPLIT
	COLS
	ROWS4(VSUBPS, ROW1, ROW3) // s3 = d1 - d3
	SPLIT
	COLS
	ADDQ STEP, ROW0
	ADDQ STEP, ROW1
	ADDQ STEP, ROW2
	ADDQ STEP, ROW3
	ADDQ $32, DST
	DECQ BLOCKS
	JNZ  block
	VZEROUPPER
	RET

#undef DST
#undef DP

#define SRC SI
#define LDS R8
#define LDS3 R9
#define DST DI
#define LDO R10
#define RES R11
#define ROWS R12
#define BIAS Y13
#define LO Y14
#define HI Y15

// Q(srcb, q0, q1): column b of q = Aᵀ M: q0 = m0b + m1b + m2b and
// q1 = m1b - m2b - m3b, where m_ab is the vector of M row ξ = 4a + b, at
// SRC + ξ·LDS: srcb = SRC + b·LDS, and a steps by 4·LDS.
#define Q(srcb, q0, q1) \
	VMOVUPS (srcb), Y8            \
	VMOVUPS (srcb)(LDS*4), Y9     \
	LEAQ    (srcb)(LDS*8), AX     \
	VMOVUPS (AX), Y10             \
	VMOVUPS (AX)(LDS*4), Y11      \
	VADDPS  Y9, Y8, q0            \
	VADDPS  Y10, q0, q0           \
	VSUBPS  Y10, Y9, q1           \
	VSUBPS  Y11, q1, q1

// OUTROW stores one output row from its even (e) and odd (o) columns at
// p, with the residual row at rp when RES != 0. Clobbers e, o, Y8, Y9.
#define OUTROW(e, o, p, rp) \
	VUNPCKLPS  o, e, Y8        \
	VUNPCKHPS  o, e, Y9        \
	VPERM2F128 $0x20, Y9, Y8, e \
	VPERM2F128 $0x31, Y9, Y8, o \
	VADDPS     BIAS, e, e      \
	VADDPS     BIAS, o, o      \
	TESTQ      RES, RES        \
	JZ         3(PC)           \
	VADDPS     (rp), e, e      \
	VADDPS     32(rp), o, o    \
	VMAXPS     e, LO, e        \
	VMINPS     e, HI, e        \
	VMAXPS     o, LO, o        \
	VMINPS     o, HI, o        \
	VMOVUPS    e, (p)          \
	VMOVUPS    o, 32(p)

// OUTROWM is OUTROW for the last, partial block: the residual loads and
// the stores under the lane masks at M0P (columns 0–7) and M1P (8–15).
// Clobbers e, o, Y1, Y8, Y9.
#define OUTROWM(e, o, p, rp) \
	VUNPCKLPS  o, e, Y8          \
	VUNPCKHPS  o, e, Y9          \
	VPERM2F128 $0x20, Y9, Y8, e  \
	VPERM2F128 $0x31, Y9, Y8, o  \
	VMOVDQU    (M0P), Y8         \
	VMOVDQU    (M1P), Y9         \
	VADDPS     BIAS, e, e        \
	VADDPS     BIAS, o, o        \
	TESTQ      RES, RES          \
	JZ         5(PC)             \
	VMASKMOVPS (rp), Y8, Y1      \
	VADDPS     Y1, e, e          \
	VMASKMOVPS 32(rp), Y9, Y1    \
	VADDPS     Y1, o, o          \
	VMAXPS     e, LO, e          \
	VMINPS     e, HI, e          \
	VMAXPS     o, LO, o          \
	VMINPS     o, HI, o          \
	VMASKMOVPS e, Y8, (p)        \
	VMASKMOVPS o, Y9, 32(p)

// OUTROWK is OUTROWM with the AVX-512 opmasks K1 (columns 0–7) and K2
// (8–15): masked stores that cost what plain ones do, where VMASKMOVPS
// stores are slow (microcoded on AMD). Clobbers e, o, Y1, Y8, Y9.
#define OUTROWK(e, o, p, rp) \
	VUNPCKLPS  o, e, Y8         \
	VUNPCKHPS  o, e, Y9         \
	VPERM2F128 $0x20, Y9, Y8, e \
	VPERM2F128 $0x31, Y9, Y8, o \
	VADDPS     BIAS, e, e       \
	VADDPS     BIAS, o, o       \
	TESTQ      RES, RES         \
	JZ         5(PC)            \
	VMOVUPS.Z  (rp), K1, Y1     \
	VADDPS     Y1, e, e         \
	VMOVUPS.Z  32(rp), K2, Y1   \
	VADDPS     Y1, o, o         \
	VMAXPS     e, LO, e         \
	VMINPS     e, HI, e         \
	VMAXPS     o, LO, o         \
	VMINPS     o, HI, o         \
	VMOVUPS    e, K1, (p)       \
	VMOVUPS    o, K2, 32(p)

// BLOCKY computes the outputs of the 8 tiles at SRC: row 0 even and odd
// columns in Y10, Y11, row 1 in Y12, Y0.
#define BLOCKY \
	Q(SRC, Y0, Y4)           \
	LEAQ (SRC)(LDS*1), BX    \
	Q(BX, Y1, Y5)            \
	LEAQ (SRC)(LDS*2), BX    \
	Q(BX, Y2, Y6)            \
	LEAQ (SRC)(LDS3*1), BX   \
	Q(BX, Y3, Y7)            \
	VADDPS Y1, Y0, Y10       \
	VADDPS Y2, Y10, Y10      \
	VSUBPS Y2, Y1, Y11       \
	VSUBPS Y3, Y11, Y11      \
	VADDPS Y5, Y4, Y12       \
	VADDPS Y6, Y12, Y12      \
	VSUBPS Y6, Y5, Y0        \
	VSUBPS Y7, Y0, Y0

#define M0P DX
#define M1P R13

// func winoOut8(dst *float32, ldo, rows int, src *float32, lds, blocks int, bias, lo, hi float32, res *float32, tail int, m0, m1 *int32, kmask int)
// blocks whole blocks (16 columns each), then, when tail > 0, one more
// block of which the columns under the masks m0, m1 are written, or, when
// kmask is not 0 (AVX-512 only), those of its 16 bits.
TEXT ·winoOut8(SB), NOSPLIT, $0-104
	MOVQ         dst+0(FP), DST
	MOVQ         ldo+8(FP), LDO
	SHLQ         $2, LDO
	MOVQ         rows+16(FP), ROWS
	MOVQ         src+24(FP), SRC
	MOVQ         lds+32(FP), LDS
	SHLQ         $2, LDS
	LEAQ         (LDS)(LDS*2), LDS3
	MOVQ         blocks+40(FP), BLOCKS
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS lo+52(FP), LO
	VBROADCASTSS hi+56(FP), HI
	MOVQ         res+64(FP), RES
	MOVQ         m0+80(FP), M0P
	MOVQ         m1+88(FP), M1P
	TESTQ        BLOCKS, BLOCKS
	JZ           otail

oblock:
	BLOCKY
	OUTROW(Y10, Y11, DST, RES)
	CMPQ ROWS, $2
	JB   onext
	LEAQ (DST)(LDO*1), AX
	LEAQ (RES)(LDO*1), BX
	OUTROW(Y12, Y0, AX, BX)

onext:
	ADDQ  $32, SRC
	ADDQ  $64, DST
	TESTQ RES, RES
	JZ    2(PC)
	ADDQ  $64, RES
	DECQ  BLOCKS
	JNZ   oblock

otail:
	CMPQ tail+72(FP), $0
	JEQ  odone
	BLOCKY
	MOVQ  kmask+96(FP), AX
	TESTQ AX, AX
	JNZ   ktail
	OUTROWM(Y10, Y11, DST, RES)
	CMPQ ROWS, $2
	JB   odone
	LEAQ (DST)(LDO*1), AX
	LEAQ (RES)(LDO*1), BX
	OUTROWM(Y12, Y0, AX, BX)
	JMP  odone

ktail:
	KMOVW AX, K1
	SHRQ  $8, AX
	KMOVW AX, K2
	OUTROWK(Y10, Y11, DST, RES)
	CMPQ ROWS, $2
	JB   odone
	LEAQ (DST)(LDO*1), AX
	LEAQ (RES)(LDO*1), BX
	OUTROWK(Y12, Y0, AX, BX)

odone:
	VZEROUPPER
	RET

// PMAX sets a = max(a, b), NaN if either is (as the pooling kernels'
// MAXNAN); t is clobbered.
#define PMAX(b, a, t) \
	VCMPPS $3, b, a, t \
	VMAXPS b, a, a     \
	VORPS  t, a, a

// POOLED: Y10 = the clamped maximum of the four outputs of each of the 8
// tiles at SRC.
#define POOLED \
	BLOCKY                 \
	PMAX(Y11, Y10, Y8)     \
	PMAX(Y12, Y10, Y8)     \
	PMAX(Y0, Y10, Y8)      \
	VADDPS BIAS, Y10, Y10  \
	VMAXPS Y10, LO, Y10    \
	VMINPS Y10, HI, Y10

// func winoOutPool8(dst *float32, src *float32, lds, blocks int, bias, lo, hi float32, tail int, m0 *int32, kmask int)
// Per block of 8 tiles: BLOCKY's four outputs of each tile, their maximum
// (NaN if any is: PMAX), the bias and the clamp, one vector stored (one
// value per tile); then, when tail > 0, a block of which the first tail
// values are stored, under the opmask kmask when not 0 (AVX-512), else
// under the lane mask at m0.
TEXT ·winoOutPool8(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DST
	MOVQ         src+8(FP), SRC
	MOVQ         lds+16(FP), LDS
	SHLQ         $2, LDS
	LEAQ         (LDS)(LDS*2), LDS3
	MOVQ         blocks+24(FP), BLOCKS
	VBROADCASTSS bias+32(FP), BIAS
	VBROADCASTSS lo+36(FP), LO
	VBROADCASTSS hi+40(FP), HI
	TESTQ        BLOCKS, BLOCKS
	JZ           ptail

pblock:
	POOLED
	VMOVUPS Y10, (DST)
	ADDQ    $32, SRC
	ADDQ    $32, DST
	DECQ    BLOCKS
	JNZ     pblock

ptail:
	CMPQ tail+48(FP), $0
	JEQ  pdone
	POOLED
	MOVQ   kmask+64(FP), AX
	TESTQ  AX, AX
	JNZ    pk
	MOVQ       m0+56(FP), AX
	VMOVDQU    (AX), Y9
	VMASKMOVPS Y10, Y9, (DST)
	JMP        pdone

pk:
	KMOVW   AX, K1
	VMOVUPS Y10, K1, (DST)

pdone:
	VZEROUPPER
	RET

// winoOutPair8 is winoOut8 for a map four tiles wide (7 or 8 output
// columns) whose M has each tile row's four tiles right after the
// previous row's: a block of eight tiles is two tile rows, and the second
// half of each interleaved output vector (tiles 4–7) is the next tile
// row's, stored two output rows down instead of 32 bytes on. Both halves
// are stored under the same mask of the w columns (kmask's low 8 bits
// under AVX-512, else the lane mask at m0). The last pair's second tile
// row has lastRows output rows (1 or 2).

// PAIRROWK/PAIRROWM: OUTROWK/OUTROWM with the second half at (p)(LDO*2),
// both halves under K1 (PAIRROWK) or the mask in Y7 (PAIRROWM), clobbering
// Y1, Y8, Y9; the second half is skipped when skip is not zero.
#define PAIRROWK(e, o, p, rp, skip) \
	VUNPCKLPS  o, e, Y8                 \
	VUNPCKHPS  o, e, Y9                 \
	VPERM2F128 $0x20, Y9, Y8, e         \
	VPERM2F128 $0x31, Y9, Y8, o         \
	VADDPS     BIAS, e, e               \
	VADDPS     BIAS, o, o               \
	TESTQ      RES, RES                 \
	JZ         5(PC)                    \
	VMOVUPS.Z  (rp), K1, Y1             \
	VADDPS     Y1, e, e                 \
	VMOVUPS.Z  (rp)(LDO*2), K1, Y1      \
	VADDPS     Y1, o, o                 \
	VMAXPS     e, LO, e                 \
	VMINPS     e, HI, e                 \
	VMAXPS     o, LO, o                 \
	VMINPS     o, HI, o                 \
	VMOVUPS    e, K1, (p)               \
	CMPQ       skip, $0                 \
	JNE        2(PC)                    \
	VMOVUPS    o, K1, (p)(LDO*2)

#define PAIRROWM(e, o, p, rp, skip) \
	VUNPCKLPS  o, e, Y8                 \
	VUNPCKHPS  o, e, Y9                 \
	VPERM2F128 $0x20, Y9, Y8, e         \
	VPERM2F128 $0x31, Y9, Y8, o         \
	VADDPS     BIAS, e, e               \
	VADDPS     BIAS, o, o               \
	TESTQ      RES, RES                 \
	JZ         5(PC)                    \
	VMASKMOVPS (rp), Y7, Y1             \
	VADDPS     Y1, e, e                 \
	VMASKMOVPS (rp)(LDO*2), Y7, Y1      \
	VADDPS     Y1, o, o                 \
	VMAXPS     e, LO, e                 \
	VMINPS     e, HI, e                 \
	VMAXPS     o, LO, o                 \
	VMINPS     o, HI, o                 \
	VMASKMOVPS e, Y7, (p)               \
	CMPQ       skip, $0                 \
	JNE        2(PC)                    \
	VMASKMOVPS o, Y7, (p)(LDO*2)

#define PAIRS CX
#define SKIP R13

// func winoOutPair8(dst *float32, ldo int, src *float32, lds, pairs int, bias, lo, hi float32, res *float32, m0 *int32, kmask, lastRows int)
TEXT ·winoOutPair8(SB), NOSPLIT, $0-88
	MOVQ         dst+0(FP), DST
	MOVQ         ldo+8(FP), LDO
	SHLQ         $2, LDO
	MOVQ         src+16(FP), SRC
	MOVQ         lds+24(FP), LDS
	SHLQ         $2, LDS
	LEAQ         (LDS)(LDS*2), LDS3
	MOVQ         pairs+32(FP), PAIRS
	VBROADCASTSS bias+40(FP), BIAS
	VBROADCASTSS lo+44(FP), LO
	VBROADCASTSS hi+48(FP), HI
	MOVQ         res+56(FP), RES
	XORQ         DX, DX             // "never skip" for the first output row of a pair
	MOVQ         kmask+72(FP), AX
	TESTQ        AX, AX
	JZ           pair
	KMOVW        AX, K1             // AVX-512 only: kmask is 0 without it

pair:
	XORQ SKIP, SKIP
	CMPQ PAIRS, $1
	JNE  3(PC)
	MOVQ lastRows+80(FP), SKIP
	SUBQ $2, SKIP                   // 0 when the last pair's second tile row has two output rows
	BLOCKY
	MOVQ    kmask+72(FP), AX
	TESTQ   AX, AX
	JZ      pm
	PAIRROWK(Y10, Y11, DST, RES, DX)
	LEAQ    (DST)(LDO*1), AX
	LEAQ    (RES)(LDO*1), BX
	PAIRROWK(Y12, Y0, AX, BX, SKIP)
	JMP     pnext

pm:
	MOVQ    m0+64(FP), AX
	VMOVDQU (AX), Y7                // BLOCKY used Y7
	PAIRROWM(Y10, Y11, DST, RES, DX)
	LEAQ    (DST)(LDO*1), AX
	LEAQ    (RES)(LDO*1), BX
	PAIRROWM(Y12, Y0, AX, BX, SKIP)

pnext:
	LEAQ  (DST)(LDO*4), DST
	TESTQ RES, RES
	JZ    2(PC)
	LEAQ  (RES)(LDO*4), RES
	ADDQ  $32, SRC
	DECQ  PAIRS
	JNZ   pair
	VZEROUPPER
	RET
