//go:build !purego

#include "textflag.h"
#include "dw512_amd64.h"

// dwPlane3z (registers and weights: dw512_amd64.h). Each output row goes
// in chunks of up to 16 outputs (opmask K1 on the last): at stride 1, nine masked loads of the three padded rows
// at columns x0+dx and nine FMAs into the accumulator, which starts at the
// bias (so each output is summed in the generic version's order); then
// the clamp (VMAXPS/VMINPS with the sum as second source keep a NaN) and
// one masked store; two output rows at a time, the two padded rows they
// share loaded once (faces' 32 channels of 112²: 137 → 113–120 µs with
// the bands of dwChannelsAVX512, AMD Zen 5). At stride 2 the same is done for the stride-1 sums at
// columns 2x0 … 2x0+31 (two accumulators, the second skipped when its
// mask K2 is empty, i.e. for 8 outputs or fewer) and VPERMT2PS picks the
// even ones: twice the FMAs, but no shuffles per tap.

#define EVEN Z16

#define DST DI
#define ROWS R8
#define OW R9
#define ROWB R10
#define SRC SI
#define STEP R12
#define X0 BX

// NCHUNK(n, x, k): CX = min(16, n - x), the outputs of a chunk, and k its
// mask; clobbers DX.
#define NCHUNK(n, x, k) \
	MOVQ  n, CX   \
	SUBQ  x, CX   \
	CMPQ  CX, $16 \
	JLE   2(PC)   \
	MOVQ  $16, CX \
	MOVL  $1, DX  \
	SHLL  CX, DX  \
	DECL  DX      \
	KMOVW DX, k

// SPLIT32: from CX = m (0–32) floats of two vectors, K1 = the first
// min(16, m) lanes and K2 = the rest; clobbers CX and DX.
#define SPLIT32 \
	MOVL  $0xffff, DX \
	CMPQ  CX, $16     \
	JGE   6(PC)       \
	MOVL  $1, DX      \
	SHLL  CX, DX      \
	DECL  DX          \
	XORQ  CX, CX      \
	JMP   2(PC)       \
	SUBQ  $16, CX     \
	KMOVW DX, K1      \
	MOVL  $1, DX      \
	SHLL  CX, DX      \
	DECL  DX          \
	KMOVW DX, K2

// TAP3(k, p, acc, wa, wb, wc): the three taps of one row at p under mask
// k into acc.
#define TAP3(k, p, acc, wa, wb, wc) \
	VMOVUPS.Z   (p), k, Z13       \
	VFMADD231PS Z13, wa, acc      \
	VMOVUPS.Z   4(p), k, Z14      \
	VFMADD231PS Z14, wb, acc      \
	VMOVUPS.Z   8(p), k, Z15      \
	VFMADD231PS Z15, wc, acc

// SUM9(k, p, acc): acc = bias + the 3×3 taps of the rows at p, p+ROWB,
// p+2·ROWB (clobbers AX).
#define SUM9(k, p, acc) \
	VMOVAPS BIAS, acc              \
	TAP3(k, p, acc, W0, W1, W2)    \
	LEAQ    (p)(ROWB*1), AX        \
	TAP3(k, AX, acc, W3, W4, W5)   \
	LEAQ    (AX)(ROWB*1), AX       \
	TAP3(k, AX, acc, W6, W7, W8)

// SHARE3(m0, m1, m2, a0, a1, a2, b0, b1, b2): a padded row two output
// rows share, loaded once (the three taps at m0–m2 under K1) into both
// accumulators: Z12 with weights a0–a2, Z18 with b0–b2.
#define SHARE3(m0, m1, m2, a0, a1, a2, b0, b1, b2) \
	VMOVUPS.Z   m0, K1, Z13  \
	VFMADD231PS Z13, a0, Z12 \
	VFMADD231PS Z13, b0, Z18 \
	VMOVUPS.Z   m1, K1, Z14  \
	VFMADD231PS Z14, a1, Z12 \
	VFMADD231PS Z14, b1, Z18 \
	VMOVUPS.Z   m2, K1, Z15  \
	VFMADD231PS Z15, a2, Z12 \
	VFMADD231PS Z15, b2, Z18

// CLAMP_STORE2: the clamp of Z12 and Z18 stored under K1 to the two
// output rows at DST (clobbers DX).
#define CLAMP_STORE2 \
	VMAXPS  Z12, LO, Z12         \
	VMINPS  Z12, HI, Z12         \
	VMOVUPS Z12, K1, (DST)(X0*4) \
	VMAXPS  Z18, LO, Z18         \
	VMINPS  Z18, HI, Z18         \
	LEAQ    (DST)(OW*4), DX      \
	VMOVUPS Z18, K1, (DX)(X0*4)

// func dwPlane3z(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)
TEXT ·dwPlane3z(SB), NOSPLIT, $0-68
	MOVQ         w+48(FP), AX
	WEIGHTS9(AX)
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
	IMULQ        ROWB, STEP                 // bytes from one output row's first padded row to the next's
	CMPQ         s+40(FP), $2
	JEQ          s2

row1: // two output rows at a time: padded rows y … y+3, the middle two read once for both
	CMPQ ROWS, $2
	JLT  one1
	XORQ X0, X0

pair1:
	NCHUNK(OW, X0, K1)
	LEAQ        (SRC)(X0*4), DX
	VMOVAPS     BIAS, Z12
	VMOVAPS     BIAS, Z18
	TAP3(K1, DX, Z12, W0, W1, W2)
	ADDQ        ROWB, DX
	SHARE3((DX), 4(DX), 8(DX), W3, W4, W5, W0, W1, W2)
	ADDQ        ROWB, DX
	SHARE3((DX), 4(DX), 8(DX), W6, W7, W8, W3, W4, W5)
	ADDQ        ROWB, DX
	TAP3(K1, DX, Z18, W6, W7, W8)
	CLAMP_STORE2
	ADDQ        $16, X0
	CMPQ        X0, OW
	JLT         pair1
	LEAQ        (DST)(OW*8), DST
	ADDQ        STEP, SRC
	ADDQ        STEP, SRC
	SUBQ        $2, ROWS
	JMP         row1

one1:
	TESTQ ROWS, ROWS
	JZ    done1
	XORQ  X0, X0

chunk1:
	NCHUNK(OW, X0, K1)
	LEAQ  (SRC)(X0*4), DX
	SUM9(K1, DX, Z12)
	VMAXPS  Z12, LO, Z12
	VMINPS  Z12, HI, Z12
	VMOVUPS Z12, K1, (DST)(X0*4)
	ADDQ    $16, X0
	CMPQ    X0, OW
	JLT     chunk1

done1:
	VZEROUPPER
	RET

s2:
	VMOVDQU32 dwEven<>(SB), EVEN

row2:
	XORQ X0, X0

chunk2:
	// n = min(16, ow-x0) outputs; stride-1 columns 2x0 … 2x0+2n-2:
	// K1 the first 16 of those 2n-1, K2 the rest, K3 the n outputs
	NCHUNK(OW, X0, K3)
	LEAQ -1(CX)(CX*1), CX // 2n-1
	SPLIT32
	LEAQ  (SRC)(X0*8), DX
	SUM9(K1, DX, Z12)
	KORTESTW K2, K2
	JZ       even
	ADDQ     $64, DX
	SUM9(K2, DX, Z17)
	VPERMT2PS Z17, EVEN, Z12
	JMP       clamp2

even:
	VPERMPS Z12, EVEN, Z12 // indices 0–30 of one table: its even lanes

clamp2:
	VMAXPS  Z12, LO, Z12
	VMINPS  Z12, HI, Z12
	VMOVUPS Z12, K3, (DST)(X0*4)
	ADDQ    $16, X0
	CMPQ    X0, OW
	JLT     chunk2
	LEAQ    (DST)(OW*4), DST
	ADDQ    STEP, SRC
	DECQ    ROWS
	JNZ     row2
	VZEROUPPER
	RET

// TAP3S2(k, p, acc, wa, wb, wc): the three taps of one row of a split
// plane (see dwPlane3s2z) at p under mask k into acc: E[x], O[x] (R13
// bytes on) and E[x+1].
#define TAP3S2(k, p, acc, wa, wb, wc) \
	VMOVUPS.Z   (p), k, Z13        \
	VFMADD231PS Z13, wa, acc       \
	VMOVUPS.Z   (p)(R13*1), k, Z14 \
	VFMADD231PS Z14, wb, acc       \
	VMOVUPS.Z   4(p), k, Z15       \
	VFMADD231PS Z15, wc, acc

// func dwPlane3s2z(dst *float32, oh, ow int, p *float32, wp int, w *float32, bias, lo, hi float32)
// dwPlane3z at stride 2 over a split plane: each row of wp floats holds
// the padded row's even columns (E, (wp+1)/2 floats), then its odd ones
// (O), so that output x's taps are E[x], O[x], E[x+1]: three loads and
// three FMAs a row per chunk of 16 outputs, as at stride 1. Output rows
// go two at a time (a last odd one alone), plane row 2y+2 loaded once for
// both, each output still one chain from the bias in tap order (faces'
// 64 channels of 56² outputs: 52 → 46 µs, AMD Zen 5).
TEXT ·dwPlane3s2z(SB), NOSPLIT, $0-60
	MOVQ         w+40(FP), AX
	WEIGHTS9(AX)
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS lo+52(FP), LO
	VBROADCASTSS hi+56(FP), HI
	MOVQ         dst+0(FP), DST
	MOVQ         oh+8(FP), ROWS
	MOVQ         ow+16(FP), OW
	MOVQ         p+24(FP), SRC
	MOVQ         wp+32(FP), ROWB
	LEAQ         1(ROWB), R13
	SHRQ         $1, R13
	SHLQ         $2, R13             // bytes from E to O
	SHLQ         $2, ROWB
	LEAQ         (ROWB)(ROWB*1), STEP // two plane rows an output row

rowsplit: // two output rows at a time: plane rows 2y … 2y+4, the middle one read once for both
	CMPQ ROWS, $2
	JLT  onesplit
	XORQ X0, X0

chunkpair:
	NCHUNK(OW, X0, K1)
	LEAQ        (SRC)(X0*4), DX
	VMOVAPS     BIAS, Z12
	VMOVAPS     BIAS, Z18
	TAP3S2(K1, DX, Z12, W0, W1, W2)
	ADDQ        ROWB, DX
	TAP3S2(K1, DX, Z12, W3, W4, W5)
	ADDQ        ROWB, DX
	SHARE3((DX), (DX)(R13*1), 4(DX), W6, W7, W8, W0, W1, W2)
	ADDQ        ROWB, DX
	TAP3S2(K1, DX, Z18, W3, W4, W5)
	ADDQ        ROWB, DX
	TAP3S2(K1, DX, Z18, W6, W7, W8)
	CLAMP_STORE2
	ADDQ        $16, X0
	CMPQ        X0, OW
	JLT         chunkpair
	LEAQ        (DST)(OW*8), DST
	ADDQ        STEP, SRC
	ADDQ        STEP, SRC
	SUBQ        $2, ROWS
	JMP         rowsplit

onesplit:
	TESTQ ROWS, ROWS
	JZ    donesplit
	XORQ  X0, X0

chunksplit:
	NCHUNK(OW, X0, K1)
	LEAQ        (SRC)(X0*4), DX
	VMOVAPS     BIAS, Z12
	TAP3S2(K1, DX, Z12, W0, W1, W2)
	ADDQ        ROWB, DX
	TAP3S2(K1, DX, Z12, W3, W4, W5)
	ADDQ        ROWB, DX
	TAP3S2(K1, DX, Z12, W6, W7, W8)
	VMAXPS      Z12, LO, Z12
	VMINPS      Z12, HI, Z12
	VMOVUPS     Z12, K1, (DST)(X0*4)
	ADDQ        $16, X0
	CMPQ        X0, OW
	JLT         chunksplit

donesplit:
	VZEROUPPER
	RET

// func splitRowsz(a, b *float32, ldd int, src *float32, lds, rows, cols int)
// a[i·ldd+k] = src[i·lds+2k] and b[i·ldd+k] = src[i·lds+2k+1]: per row,
// whole 32-float blocks in two loads, two VPERMI2PS (even and odd lanes)
// and two stores, then the last 1–31 floats under masks worked out once
// (K1, K2 the loads; K3, K4 the a and b stores).
TEXT ·splitRowsz(SB), NOSPLIT, $0-56
	MOVQ      a+0(FP), DI
	MOVQ      b+8(FP), R13
	MOVQ      ldd+16(FP), R8
	SHLQ      $2, R8
	MOVQ      src+24(FP), SI
	MOVQ      lds+32(FP), R9
	SHLQ      $2, R9
	MOVQ      rows+40(FP), R10
	MOVQ      cols+48(FP), R11
	VMOVDQU32 dwEven<>(SB), Z16
	VMOVDQU32 dwOdd<>(SB), Z17
	MOVQ      R11, R12
	ANDQ      $31, R12          // floats in the tail
	SUBQ      R12, R11          // floats in whole blocks
	MOVQ      R12, CX
	SPLIT32                     // K1, K2: the tail's loads
	LEAQ      1(R12), CX
	SHRQ      $1, CX            // ceil(t/2) evens
	MOVL      $1, DX
	SHLL      CX, DX
	DECL      DX
	KMOVW     DX, K3
	MOVQ      R12, CX
	SHRQ      $1, CX            // floor(t/2) odds
	MOVL      $1, DX
	SHLL      CX, DX
	DECL      DX
	KMOVW     DX, K4

splitrow:
	XORQ BX, BX                 // input float
	XORQ AX, AX                 // output float

splitblock:
	CMPQ      BX, R11
	JGE       splittail
	VMOVUPS   (SI)(BX*4), Z0
	VMOVUPS   64(SI)(BX*4), Z1
	VMOVAPS   Z16, Z2
	VPERMI2PS Z1, Z0, Z2
	VMOVAPS   Z17, Z3
	VPERMI2PS Z1, Z0, Z3
	VMOVUPS   Z2, (DI)(AX*4)
	VMOVUPS   Z3, (R13)(AX*4)
	ADDQ      $32, BX
	ADDQ      $16, AX
	JMP       splitblock

splittail:
	TESTQ     R12, R12
	JZ        splitnext
	VMOVUPS.Z (SI)(BX*4), K1, Z0
	VMOVUPS.Z 64(SI)(BX*4), K2, Z1
	VMOVAPS   Z16, Z2
	VPERMI2PS Z1, Z0, Z2
	VMOVAPS   Z17, Z3
	VPERMI2PS Z1, Z0, Z3
	VMOVUPS   Z2, K3, (DI)(AX*4)
	VMOVUPS   Z3, K4, (R13)(AX*4)

splitnext:
	ADDQ R8, DI
	ADDQ R8, R13
	ADDQ R9, SI
	DECQ R10
	JNZ  splitrow
	VZEROUPPER
	RET

// dwEven holds the lane indices 0, 2, …, 30.
DATA dwEven<>+0(SB)/4, $0
DATA dwEven<>+4(SB)/4, $2
DATA dwEven<>+8(SB)/4, $4
DATA dwEven<>+12(SB)/4, $6
DATA dwEven<>+16(SB)/4, $8
DATA dwEven<>+20(SB)/4, $10
DATA dwEven<>+24(SB)/4, $12
DATA dwEven<>+28(SB)/4, $14
DATA dwEven<>+32(SB)/4, $16
DATA dwEven<>+36(SB)/4, $18
DATA dwEven<>+40(SB)/4, $20
DATA dwEven<>+44(SB)/4, $22
DATA dwEven<>+48(SB)/4, $24
DATA dwEven<>+52(SB)/4, $26
DATA dwEven<>+56(SB)/4, $28
DATA dwEven<>+60(SB)/4, $30
GLOBL dwEven<>(SB), RODATA|NOPTR, $64

// func copyRowsz(dst *float32, ldd int, src *float32, lds, rows, cols int)
// Whole vectors of 16, then the last 1–16 columns of each row under K1.
TEXT ·copyRowsz(SB), NOSPLIT, $0-48
	MOVQ  dst+0(FP), DI
	MOVQ  ldd+8(FP), R8
	SHLQ  $2, R8
	MOVQ  src+16(FP), SI
	MOVQ  lds+24(FP), R9
	SHLQ  $2, R9
	MOVQ  rows+32(FP), R10
	MOVQ  cols+40(FP), R11
	LEAQ  -1(R11), CX
	ANDQ  $15, CX
	INCQ  CX              // 1–16 columns in the last vector
	MOVL  $1, DX
	SHLL  CX, DX
	DECL  DX
	KMOVW DX, K1
	SUBQ  CX, R11         // columns in whole vectors before it

crow:
	XORQ BX, BX

cvec:
	CMPQ    BX, R11
	JGE     clast
	VMOVUPS (SI)(BX*4), Z0
	VMOVUPS Z0, (DI)(BX*4)
	ADDQ    $16, BX
	JMP     cvec

clast:
	VMOVUPS.Z (SI)(BX*4), K1, Z0
	VMOVUPS   Z0, K1, (DI)(BX*4)
	ADDQ      R8, DI
	ADDQ      R9, SI
	DECQ      R10
	JNZ       crow
	VZEROUPPER
	RET

// func stride2Rowsz(dst *float32, ldd int, src *float32, lds, rows, n int)
// Per row, chunks of 16 outputs: the 2n-1 floats they take (K1 the first
// 16, K2 the rest) in two masked loads, VPERMT2PS picks the even ones, a
// store under K3 (the chunk's outputs).
TEXT ·stride2Rowsz(SB), NOSPLIT, $0-48
	MOVQ      dst+0(FP), DI
	MOVQ      ldd+8(FP), R8
	SHLQ      $2, R8
	MOVQ      src+16(FP), SI
	MOVQ      lds+24(FP), R9
	SHLQ      $2, R9
	MOVQ      rows+32(FP), R10
	MOVQ      n+40(FP), R11
	VMOVDQU32 dwEven<>(SB), Z16

srow:
	XORQ BX, BX

schunk:
	NCHUNK(R11, BX, K3)
	LEAQ      -1(CX)(CX*1), CX // 2n-1 floats
	SPLIT32
	LEAQ      (SI)(BX*8), DX
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS.Z 64(DX), K2, Z1
	VPERMT2PS Z1, Z16, Z0
	VMOVUPS   Z0, K3, (DI)(BX*4)
	ADDQ      $16, BX
	CMPQ      BX, R11
	JLT       schunk
	ADDQ      R8, DI
	ADDQ      R9, SI
	DECQ      R10
	JNZ       srow
	VZEROUPPER
	RET

// dwPlane3Poolz: DepthwisePlane3Pool. Per pooled row y, chunks of up to 16
// pooled outputs: the stride-1 sums of conv rows 2y (Z12, Z17: columns
// 2x0 … 2x0+31, K1 and K2 the first and second 16 of the 2n needed) and
// 2y+1 (Z18, Z19), their maxima down (PMAXZ), then across even and odd
// columns (VPERMT2PS with the even and odd indices, PMAXZ), the clamp and
// a store of the n outputs under K3.

// PMAXZ sets a = max(a, b), NaN where either is (a compare for unordered
// into K4, then the all-ones NaN of ONES moved into those lanes).
#define PMAXZ(b, a) \
	VCMPPS  $3, b, a, K4 \
	VMAXPS  b, a, a      \
	VMOVUPS ONES, K4, a

#define ONES Z20
#define ODD Z21

// func dwPlane3Poolz(dst *float32, ph, pw int, p *float32, wp int, w *float32, bias, lo, hi float32)
TEXT ·dwPlane3Poolz(SB), NOSPLIT, $0-60
	MOVQ         w+40(FP), AX
	WEIGHTS9(AX)
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS lo+52(FP), LO
	VBROADCASTSS hi+56(FP), HI
	VMOVDQU32    dwEven<>(SB), EVEN
	VMOVDQU32    dwOdd<>(SB), ODD
	VPTERNLOGD   $0xff, ONES, ONES, ONES
	MOVQ         dst+0(FP), DST
	MOVQ         ph+8(FP), ROWS
	MOVQ         pw+16(FP), OW
	MOVQ         p+24(FP), SRC
	MOVQ         wp+32(FP), ROWB
	SHLQ         $2, ROWB
	LEAQ         (ROWB)(ROWB*1), STEP           // two padded rows a pooled row

prow:
	XORQ X0, X0

pchunk:
	// n = min(16, pw-x0) pooled outputs: 2n conv columns, K1 the first 16,
	// K2 the rest, K3 the n outputs
	NCHUNK(OW, X0, K3)
	ADDQ CX, CX // 2n
	SPLIT32
	LEAQ  (SRC)(X0*8), DX   // row 2y, column 2x0
	SUM9(K1, DX, Z12)
	LEAQ  (DX)(ROWB*1), R11 // row 2y+1
	SUM9(K1, R11, Z18)
	PMAXZ(Z18, Z12)
	KORTESTW K2, K2
	JZ       pone
	ADDQ     $64, DX
	SUM9(K2, DX, Z17)
	ADDQ     $64, R11
	SUM9(K2, R11, Z19)
	PMAXZ(Z19, Z17)
	VMOVAPS   Z12, Z22
	VPERMT2PS Z17, EVEN, Z12
	VPERMT2PS Z17, ODD, Z22
	JMP       pdown

pone: // 8 or fewer outputs: one vector holds their 2n columns
	VPERMPS Z12, ODD, Z22
	VPERMPS Z12, EVEN, Z12

pdown:
	PMAXZ(Z22, Z12)
	VMAXPS  Z12, LO, Z12
	VMINPS  Z12, HI, Z12
	VMOVUPS Z12, K3, (DST)(X0*4)
	ADDQ    $16, X0
	CMPQ    X0, OW
	JLT     pchunk
	LEAQ    (DST)(OW*4), DST
	ADDQ    STEP, SRC
	DECQ    ROWS
	JNZ     prow
	VZEROUPPER
	RET

// dwOdd holds the lane indices 1, 3, …, 31.
DATA dwOdd<>+0(SB)/4, $1
DATA dwOdd<>+4(SB)/4, $3
DATA dwOdd<>+8(SB)/4, $5
DATA dwOdd<>+12(SB)/4, $7
DATA dwOdd<>+16(SB)/4, $9
DATA dwOdd<>+20(SB)/4, $11
DATA dwOdd<>+24(SB)/4, $13
DATA dwOdd<>+28(SB)/4, $15
DATA dwOdd<>+32(SB)/4, $17
DATA dwOdd<>+36(SB)/4, $19
DATA dwOdd<>+40(SB)/4, $21
DATA dwOdd<>+44(SB)/4, $23
DATA dwOdd<>+48(SB)/4, $25
DATA dwOdd<>+52(SB)/4, $27
DATA dwOdd<>+56(SB)/4, $29
DATA dwOdd<>+60(SB)/4, $31
GLOBL dwOdd<>(SB), RODATA|NOPTR, $64

// func compactClampz(dst *float32, src *float32, n, ox0, ow, wp int, bias, lo, hi float32) int
// CompactBiasClamp: the runs of columns ox < ow of the tile, each in
// vectors of 16 (the last under K1), with the bias and the clamp
// (VMAXPS/VMINPS with the value as second source keep a NaN).
TEXT ·compactClampz(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), R8          // columns of src
	MOVQ         ox0+24(FP), R9        // column of src[j] within its row
	MOVQ         ow+32(FP), R10
	MOVQ         wp+40(FP), R11
	VBROADCASTSS bias+48(FP), Z9
	VBROADCASTSS lo+52(FP), Z10
	VBROADCASTSS hi+56(FP), Z11
	XORQ         BX, BX                // j
	XORQ         R12, R12              // floats written

cseg:
	CMPQ BX, R8
	JGE  cdone
	CMPQ R9, R10
	JLT  crun
	MOVQ R11, AX                       // dropped columns: on to the next row
	SUBQ R9, AX
	ADDQ AX, BX
	XORQ R9, R9
	JMP  cseg

crun:
	MOVQ R10, R13                      // seg = min(ow-ox, n-j)
	SUBQ R9, R13
	MOVQ R8, AX
	SUBQ BX, AX
	CMPQ AX, R13
	JGE  2(PC)
	MOVQ AX, R13
	ADDQ R13, R9
	LEAQ (SI)(BX*4), AX                // from
	LEAQ (DI)(R12*4), DX               // to
	ADDQ R13, BX
	ADDQ R13, R12

cvec:
	CMPQ    R13, $16
	JLE     clast
	VADDPS  (AX), Z9, Z0
	VMAXPS  Z0, Z10, Z0
	VMINPS  Z0, Z11, Z0
	VMOVUPS Z0, (DX)
	ADDQ    $64, AX
	ADDQ    $64, DX
	SUBQ    $16, R13
	JMP     cvec

clast:
	MOVQ      R13, CX
	MOVL      $1, R13
	SHLL      CX, R13
	DECL      R13
	KMOVW     R13, K1
	VMOVUPS.Z (AX), K1, Z0
	VADDPS    Z9, Z0, Z0
	VMAXPS    Z0, Z10, Z0
	VMINPS    Z0, Z11, Z0
	VMOVUPS   Z0, K1, (DX)
	JMP       cseg

cdone:
	MOVQ R12, ret+64(FP)
	VZEROUPPER
	RET

// func biasClampRowsz(x *float32, ld, rows, n int, bias *float32, lo, hi float32)
// BiasClampRows: per row its bias broadcast, vectors of 16, the last
// under K1 (the same mask for every row).
TEXT ·biasClampRowsz(SB), NOSPLIT, $0-48
	MOVQ         x+0(FP), DI
	MOVQ         ld+8(FP), R8
	SHLQ         $2, R8
	MOVQ         rows+16(FP), R9
	MOVQ         n+24(FP), R10
	MOVQ         bias+32(FP), SI
	VBROADCASTSS lo+40(FP), Z10
	VBROADCASTSS hi+44(FP), Z11
	LEAQ         -1(R10), CX
	ANDQ         $15, CX
	INCQ         CX                    // 1–16 floats in the last vector
	MOVL         $1, DX
	SHLL         CX, DX
	DECL         DX
	KMOVW        DX, K1
	SUBQ         CX, R10               // floats in whole vectors before it

brow:
	VBROADCASTSS (SI), Z9
	XORQ         BX, BX

bvec:
	CMPQ    BX, R10
	JGE     blast
	VADDPS  (DI)(BX*4), Z9, Z0
	VMAXPS  Z0, Z10, Z0
	VMINPS  Z0, Z11, Z0
	VMOVUPS Z0, (DI)(BX*4)
	ADDQ    $16, BX
	JMP     bvec

blast:
	VMOVUPS.Z (DI)(BX*4), K1, Z0
	VADDPS    Z9, Z0, Z0
	VMAXPS    Z0, Z10, Z0
	VMINPS    Z0, Z11, Z0
	VMOVUPS   Z0, K1, (DI)(BX*4)
	ADDQ      R8, DI
	ADDQ      $4, SI
	DECQ      R9
	JNZ       brow
	VZEROUPPER
	RET

// FLATTAP(off, p, t, wt, acc): tap t of DepthwiseFlat3 (mask t of the
// vector's ten at R13) from off(p) into acc.
#define FLATTAP(off, p, t, wt, acc) \
	KMOVW       (2*t)(R13), K2 \
	VMOVUPS.Z   off(p), K2, Z13 \
	VFMADD231PS Z13, wt, acc

// func dwFlat3z(dst, src *float32, ch, n, width int, masks *uint16, vecs int, w, bias *float32, lo, hi float32)
// Per channel: the nine weights and the bias broadcast, then per vector
// of 16 outputs (at AX in the input, BX in the output) nine masked loads
// at the taps' offsets (a row is R12 bytes) and FMAs from the bias, the
// clamp, and a store under the vector's last mask. Masked-off lanes load
// nothing, so the taps past either end of the map read no memory.
TEXT ·dwFlat3z(SB), NOSPLIT, $0-80
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         ch+16(FP), CX
	MOVQ         width+32(FP), R12
	SHLQ         $2, R12
	MOVQ         masks+40(FP), R8
	MOVQ         vecs+48(FP), R9
	LEAQ         (R9)(R9*4), R9
	LEAQ         (R8)(R9*4), R9       // the end of the masks: 20 bytes a vector
	MOVQ         w+56(FP), R10
	MOVQ         bias+64(FP), R11
	VBROADCASTSS lo+72(FP), LO
	VBROADCASTSS hi+76(FP), HI

flatch:
	WEIGHTS9(R10)
	VBROADCASTSS (R11), BIAS
	MOVQ         SI, AX
	MOVQ         DI, BX
	MOVQ         R8, R13

flatvec:
	VMOVAPS BIAS, Z12
	MOVQ    AX, DX
	SUBQ    R12, DX
	FLATTAP(-4, DX, 0, W0, Z12)
	FLATTAP(0, DX, 1, W1, Z12)
	FLATTAP(4, DX, 2, W2, Z12)
	FLATTAP(-4, AX, 3, W3, Z12)
	FLATTAP(0, AX, 4, W4, Z12)
	FLATTAP(4, AX, 5, W5, Z12)
	LEAQ    (AX)(R12*1), DX
	FLATTAP(-4, DX, 6, W6, Z12)
	FLATTAP(0, DX, 7, W7, Z12)
	FLATTAP(4, DX, 8, W8, Z12)
	VMAXPS  Z12, LO, Z12
	VMINPS  Z12, HI, Z12
	KMOVW   18(R13), K3
	VMOVUPS Z12, K3, (BX)
	ADDQ    $64, AX
	ADDQ    $64, BX
	ADDQ    $20, R13
	CMPQ    R13, R9
	JLT     flatvec
	MOVQ    n+24(FP), DX
	SHLQ    $2, DX
	ADDQ    DX, SI
	ADDQ    DX, DI
	ADDQ    $36, R10
	ADDQ    $4, R11
	DECQ    CX
	JNZ     flatch
	VZEROUPPER
	RET
