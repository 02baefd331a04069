//go:build !purego

#include "textflag.h"

// dwRow3 computes n outputs of a 3-wide depthwise row, stride 1:
//
//	dst[i] = bias + Σ_{r<rows} Σ_{x<3} w[3r+x]·src[r·ldsrc + i + x]
//
// for rows = 1, 2 or 3 input rows (the taps of the kernel rows that fall
// inside the image; the caller drops the others, and the columns whose
// taps leave the row). The nine weights live in Y7–Y15 and the bias in Y6.
// Each input row has its own accumulator (the first starts at the bias),
// added at the end: one chain of nine FMAs per vector would wait on the
// FMA latency. Two vectors of 8 outputs per iteration, then one, and a
// last one that ends at the last output, overlapping the one before
// (masked stores are microcoded and slow on AMD's cores). Rows shorter
// than a vector use masked loads and a masked store, which touch nothing
// past the row.

// dwMask<>+4·(8-n) is a load/store mask with its first n lanes set.
DATA dwMask<>+0(SB)/8, $0xffffffffffffffff
DATA dwMask<>+8(SB)/8, $0xffffffffffffffff
DATA dwMask<>+16(SB)/8, $0xffffffffffffffff
DATA dwMask<>+24(SB)/8, $0xffffffffffffffff
DATA dwMask<>+32(SB)/8, $0
DATA dwMask<>+40(SB)/8, $0
DATA dwMask<>+48(SB)/8, $0
DATA dwMask<>+56(SB)/8, $0
GLOBL dwMask<>(SB), RODATA|NOPTR, $64

#define DST DI
#define SRC SI
#define LDSRC R8
#define ROWS R9
#define N_LEFT CX
#define W_PTR AX
#define MASKP DX
#define BIAS Y6
#define MASK Y5
#define TMP Y4

#define SRC1 R10 // the second and third input rows
#define SRC2 R11

#include "depthwise_amd64.h"

// func dwRow3(dst *float32, n int, src *float32, ldsrc, rows int, w *float32, bias float32)
TEXT ·dwRow3(SB), NOSPLIT, $0-52
	MOVQ         dst+0(FP), DST
	MOVQ         n+8(FP), N_LEFT
	MOVQ         src+16(FP), SRC
	MOVQ         ldsrc+24(FP), LDSRC
	SHLQ         $2, LDSRC
	LEAQ         (SRC)(LDSRC*1), SRC1
	LEAQ         (SRC)(LDSRC*2), SRC2
	MOVQ         rows+32(FP), ROWS
	MOVQ         w+40(FP), W_PTR
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS (W_PTR), Y7
	VBROADCASTSS 4(W_PTR), Y8
	VBROADCASTSS 8(W_PTR), Y9
	CMPQ         ROWS, $2
	JB           check
	VBROADCASTSS 12(W_PTR), Y10
	VBROADCASTSS 16(W_PTR), Y11
	VBROADCASTSS 20(W_PTR), Y12
	JE           check
	VBROADCASTSS 24(W_PTR), Y13
	VBROADCASTSS 28(W_PTR), Y14
	VBROADCASTSS 32(W_PTR), Y15

check:
	CMPQ N_LEFT, $8
	JB   short

pairs: // 16 outputs: six accumulators; the rows branches go the same way every time
	CMPQ    N_LEFT, $16
	JB      last
	VMOVAPS BIAS, Y0
	VMOVAPS BIAS, Y3
	ROW0(0, SRC, Y0, Y7, Y8, Y9)
	ROW0(32, SRC, Y3, Y7, Y8, Y9)
	CMPQ    ROWS, $2
	JB      pstore
	ROW(0, SRC1, Y1, Y10, Y11, Y12)
	ROW(32, SRC1, Y4, Y10, Y11, Y12)
	JE      padd
	ROW(0, SRC2, Y2, Y13, Y14, Y15)
	ROW(32, SRC2, Y5, Y13, Y14, Y15)
	VADDPS  Y2, Y1, Y1
	VADDPS  Y5, Y4, Y4

padd:
	VADDPS Y1, Y0, Y0
	VADDPS Y4, Y3, Y3

pstore:
	VMOVUPS Y0, (DST)
	VMOVUPS Y3, 32(DST)
	ADDQ    $64, DST
	ADDQ    $64, SRC
	ADDQ    $64, SRC1
	ADDQ    $64, SRC2
	SUBQ    $16, N_LEFT
	JMP     pairs

last: // 0–15 left of at least 8: one vector, then one ending at the last output
	TESTQ N_LEFT, N_LEFT
	JZ    done
	CMPQ  N_LEFT, $8
	JAE   one
	// back up so the vector ends at the last output; the outputs it redoes
	// come out bit for bit the same
	SUBQ  $8, N_LEFT
	SHLQ  $2, N_LEFT
	ADDQ  N_LEFT, DST
	ADDQ  N_LEFT, SRC
	ADDQ  N_LEFT, SRC1
	ADDQ  N_LEFT, SRC2
	MOVQ  $8, N_LEFT

one:
	VMOVAPS BIAS, Y0
	ROW0(0, SRC, Y0, Y7, Y8, Y9)
	CMPQ    ROWS, $2
	JB      ostore
	ROW(0, SRC1, Y1, Y10, Y11, Y12)
	JE      oadd
	ROW(0, SRC2, Y2, Y13, Y14, Y15)
	VADDPS  Y2, Y1, Y1

oadd:
	VADDPS Y1, Y0, Y0

ostore:
	VMOVUPS Y0, (DST)
	ADDQ    $32, DST
	ADDQ    $32, SRC
	ADDQ    $32, SRC1
	ADDQ    $32, SRC2
	SUBQ    $8, N_LEFT
	JMP     last

short: // fewer than 8 outputs in all: masked loads and a masked store
	TESTQ   N_LEFT, N_LEFT
	JZ      done
	LEAQ    dwMask<>+32(SB), MASKP
	SHLQ    $2, N_LEFT
	SUBQ    N_LEFT, MASKP
	VMOVDQU (MASKP), MASK
	VMOVAPS BIAS, Y0
	MROW0(SRC, Y0, Y7, Y8, Y9)
	CMPQ    ROWS, $2
	JB      mstore
	MROW(SRC1, Y1, Y10, Y11, Y12)
	JE      madd
	MROW(SRC2, Y2, Y13, Y14, Y15)
	VADDPS  Y2, Y1, Y1

madd:
	VADDPS Y1, Y0, Y0

mstore:
	VMASKMOVPS Y0, MASK, (DST)

done:
	VZEROUPPER
	RET

// dwRow3s2 is dwRow3 for a horizontal stride of 2 and n ≥ 8:
//
//	dst[i] = bias + Σ_{r<rows} Σ_{x<3} w[3r+x]·src[r·ldsrc + 2i + x]
//
// The taps of 8 outputs are the even, odd and next even floats of 17:
// VSHUFPS picks them within each 128-bit lane, which leaves all three in
// the order [0 1 4 5 | 2 3 6 7]; the products are summed in that order
// and one VPERMPD per vector puts the outputs back in place. Reads stop at
// src[2i+2]; the last vector is moved back to end at the last output, as
// in dwRow3.
#define E0 Y3
#define ODD Y4
#define E1 Y5

// TAPS2 loads the three taps of 8 outputs of the input row at p.
#define TAPS2(p) \
	VMOVUPS (p), E0                \
	VSHUFPS $0xDD, 32(p), E0, ODD  \
	VSHUFPS $0x88, 32(p), E0, E0   \
	VMOVUPS 4(p), E1               \
	VSHUFPS $0xDD, 36(p), E1, E1

// func dwRow3s2(dst *float32, n int, src *float32, ldsrc, rows int, w *float32, bias float32)
TEXT ·dwRow3s2(SB), NOSPLIT, $0-52
	MOVQ         dst+0(FP), DST
	MOVQ         n+8(FP), N_LEFT
	MOVQ         src+16(FP), SRC
	MOVQ         ldsrc+24(FP), LDSRC
	SHLQ         $2, LDSRC
	LEAQ         (SRC)(LDSRC*1), SRC1
	LEAQ         (SRC)(LDSRC*2), SRC2
	MOVQ         rows+32(FP), ROWS
	MOVQ         w+40(FP), W_PTR
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS (W_PTR), Y7
	VBROADCASTSS 4(W_PTR), Y8
	VBROADCASTSS 8(W_PTR), Y9
	CMPQ         ROWS, $2
	JB           last
	VBROADCASTSS 12(W_PTR), Y10
	VBROADCASTSS 16(W_PTR), Y11
	VBROADCASTSS 20(W_PTR), Y12
	JE           last
	VBROADCASTSS 24(W_PTR), Y13
	VBROADCASTSS 28(W_PTR), Y14
	VBROADCASTSS 32(W_PTR), Y15

last:
	TESTQ N_LEFT, N_LEFT
	JZ    done
	CMPQ  N_LEFT, $8
	JAE   one
	SUBQ  $8, N_LEFT // back up (8-n) outputs: 4 bytes out, 8 bytes in each
	SHLQ  $2, N_LEFT
	ADDQ  N_LEFT, DST
	SHLQ  $1, N_LEFT
	ADDQ  N_LEFT, SRC
	ADDQ  N_LEFT, SRC1
	ADDQ  N_LEFT, SRC2
	MOVQ  $8, N_LEFT

one:
	VMOVAPS     BIAS, Y0
	TAPS2(SRC)
	VFMADD231PS E0, Y7, Y0
	VFMADD231PS ODD, Y8, Y0
	VFMADD231PS E1, Y9, Y0
	CMPQ        ROWS, $2
	JB          store
	TAPS2(SRC1)
	VMULPS      E0, Y10, Y1
	VFMADD231PS ODD, Y11, Y1
	VFMADD231PS E1, Y12, Y1
	JE          add
	TAPS2(SRC2)
	VMULPS      E0, Y13, Y2
	VFMADD231PS ODD, Y14, Y2
	VFMADD231PS E1, Y15, Y2
	VADDPS      Y2, Y1, Y1

add:
	VADDPS Y1, Y0, Y0

store:
	VPERMPD $0xD8, Y0, Y0
	VMOVUPS Y0, (DST)
	ADDQ    $32, DST
	ADDQ    $64, SRC
	ADDQ    $64, SRC1
	ADDQ    $64, SRC2
	SUBQ    $8, N_LEFT
	JMP     last

done:
	VZEROUPPER
	RET
