//go:build !purego

#include "textflag.h"
#include "dw512_amd64.h"

// dwSame3z: DepthwiseSame3 with the maps read in place (see dwsame.go).
// Per channel the weights and bias are broadcast (dw512_amd64.h), then
// output rows go two at a time as in dwPlane3z (input rows y-1 … y+2, the
// middle two loaded once for both) and a last odd one alone. A row is
// read in vectors of 16 outputs: the taps dx = 0, 1, 2 of vector j are
// loads at columns 16j-1, 16j, 16j+1 under its masks K4, K1, K5 (from
// sameMasks: 8 bytes a vector at R11), so that the columns past either
// end of the row load nothing and count as zero. The row above the
// first and the row below the last are the zero row. Each output is the
// bias plus its nine taps in order, as over a padded plane.

#define A_ROW AX  // input row y-1 (or the zero row), at the vector's column
#define B_ROW BX  // input row y; row y+1 is at (B_ROW)(ROWB*1)
#define D_ROW DX  // input row y+2 (or the zero row)
#define ROWB R8   // bytes of a row (input and output)
#define Y R9      // the output row
#define OUT R10   // the output vector
#define MASK R11  // the vector's masks
#define MASK_END R12

// MASKS: the three tap masks of the vector at MASK.
#define MASKS \
	KMOVW (MASK), K4  \
	KMOVW 2(MASK), K1 \
	KMOVW 4(MASK), K5

// TAPM3(p, acc, wa, wb, wc): the three taps of the row at p into acc.
#define TAPM3(p, acc, wa, wb, wc) \
	VMOVUPS.Z   -4(p), K4, Z13 \
	VFMADD231PS Z13, wa, acc   \
	VMOVUPS.Z   (p), K1, Z14   \
	VFMADD231PS Z14, wb, acc   \
	VMOVUPS.Z   4(p), K5, Z15  \
	VFMADD231PS Z15, wc, acc

// SHAREM3(m0, m1, m2, a0, a1, a2, b0, b1, b2): a row two output rows
// share, its three taps m0–m2 loaded once into both accumulators: Z12
// with weights a0–a2, Z18 with b0–b2.
#define SHAREM3(m0, m1, m2, a0, a1, a2, b0, b1, b2) \
	VMOVUPS.Z   m0, K4, Z13  \
	VFMADD231PS Z13, a0, Z12 \
	VFMADD231PS Z13, b0, Z18 \
	VMOVUPS.Z   m1, K1, Z14  \
	VFMADD231PS Z14, a1, Z12 \
	VFMADD231PS Z14, b1, Z18 \
	VMOVUPS.Z   m2, K5, Z15  \
	VFMADD231PS Z15, a2, Z12 \
	VFMADD231PS Z15, b2, Z18

// CLAMP(z): z clamped to [lo, hi], a NaN kept.
#define CLAMP(z) \
	VMAXPS z, LO, z \
	VMINPS z, HI, z

// func dwSame3z(dst, src *float32, ch, h, w int, masks *uint16, vecs int, zero, wt, bias *float32, lo, hi float32)
TEXT ·dwSame3z(SB), NOSPLIT, $0-88
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         w+32(FP), ROWB
	SHLQ         $2, ROWB
	MOVQ         masks+40(FP), MASK_END
	MOVQ         vecs+48(FP), AX
	LEAQ         (MASK_END)(AX*8), MASK_END
	VBROADCASTSS lo+80(FP), LO
	VBROADCASTSS hi+84(FP), HI
	XORQ         CX, CX                        // the channel

channel:
	MOVQ         wt+64(FP), AX
	LEAQ         (CX)(CX*8), DX
	LEAQ         (AX)(DX*4), AX
	WEIGHTS9(AX)
	MOVQ         bias+72(FP), AX
	VBROADCASTSS (AX)(CX*4), BIAS
	XORQ         Y, Y

pair:
	LEAQ    2(Y), R13
	CMPQ    R13, h+24(FP)
	JGT     last
	MOVQ    Y, B_ROW
	IMULQ   ROWB, B_ROW
	ADDQ    SI, B_ROW
	MOVQ    B_ROW, A_ROW
	SUBQ    ROWB, A_ROW
	LEAQ    (B_ROW)(ROWB*2), D_ROW
	MOVQ    zero+56(FP), OUT
	TESTQ   Y, Y
	CMOVQEQ OUT, A_ROW
	CMPQ    R13, h+24(FP)
	CMOVQEQ OUT, D_ROW
	MOVQ    DI, OUT
	MOVQ    masks+40(FP), MASK

pairvec:
	MASKS
	VMOVAPS BIAS, Z12
	VMOVAPS BIAS, Z18
	TAPM3(A_ROW, Z12, W0, W1, W2)
	SHAREM3(-4(B_ROW), (B_ROW), 4(B_ROW), W3, W4, W5, W0, W1, W2)
	SHAREM3(-4(B_ROW)(ROWB*1), (B_ROW)(ROWB*1), 4(B_ROW)(ROWB*1), W6, W7, W8, W3, W4, W5)
	TAPM3(D_ROW, Z18, W6, W7, W8)
	CLAMP(Z12)
	VMOVUPS Z12, K1, (OUT)
	CLAMP(Z18)
	VMOVUPS Z18, K1, (OUT)(ROWB*1)
	ADDQ    $64, A_ROW
	ADDQ    $64, B_ROW
	ADDQ    $64, D_ROW
	ADDQ    $64, OUT
	ADDQ    $8, MASK
	CMPQ    MASK, MASK_END
	JLT     pairvec
	LEAQ    (DI)(ROWB*2), DI
	ADDQ    $2, Y
	JMP     pair

last: // a last row y = h-1 alone: rows y-1 (zero for y = 0), y and the zero row
	CMPQ    Y, h+24(FP)
	JGE     next
	MOVQ    Y, B_ROW
	IMULQ   ROWB, B_ROW
	ADDQ    SI, B_ROW
	MOVQ    B_ROW, A_ROW
	SUBQ    ROWB, A_ROW
	MOVQ    zero+56(FP), D_ROW
	TESTQ   Y, Y
	CMOVQEQ D_ROW, A_ROW
	MOVQ    DI, OUT
	MOVQ    masks+40(FP), MASK

lastvec:
	MASKS
	VMOVAPS BIAS, Z12
	TAPM3(A_ROW, Z12, W0, W1, W2)
	TAPM3(B_ROW, Z12, W3, W4, W5)
	TAPM3(D_ROW, Z12, W6, W7, W8)
	CLAMP(Z12)
	VMOVUPS Z12, K1, (OUT)
	ADDQ    $64, A_ROW
	ADDQ    $64, B_ROW
	ADDQ    $64, D_ROW
	ADDQ    $64, OUT
	ADDQ    $8, MASK
	CMPQ    MASK, MASK_END
	JLT     lastvec
	ADDQ    ROWB, DI

next:
	MOVQ  h+24(FP), AX
	IMULQ ROWB, AX
	ADDQ  AX, SI
	INCQ  CX
	CMPQ  CX, ch+16(FP)
	JLT   channel
	VZEROUPPER
	RET
