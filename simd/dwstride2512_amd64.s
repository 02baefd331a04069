//go:build !purego

#include "textflag.h"
#include "dw512_amd64.h"

// dwStride2z: DepthwiseStride2 with the maps read in place (see
// dwstride2.go). Per channel the weights and bias are broadcast
// (dw512_amd64.h), then output rows go two at a time (input rows 2y-pt …
// 2y+4-pt, the middle one loaded once for both) and a last odd one alone.
// The input rows' pointers are kept in the frame, the zero row for those
// above or below the map. A vector of 16 outputs reads each input row
// from column c0 = 32j - pl in four masked loads (c0, c0+16, c0+2,
// c0+18; masks K2–K5 from stride2Masks, 16 bytes a vector at MASK, the
// store's K1), and VPERMT2PS picks the taps: the even lanes of the first
// two loads are tap 0 (columns 2x-pl), their odd lanes tap 1, the even
// lanes of the last two tap 2. Columns past either end of the row load
// nothing and count as zero. Each output is the bias plus its nine taps
// in order, as over a padded plane.

#define ROWB R8   // bytes of an input row
#define OWB DX    // bytes of an output row
#define Y R9      // the output row
#define XOFF R10  // the vector's first column c0, in bytes
#define MASK R11  // the vector's masks
#define MASK_END R12
#define OUT BX    // the output vector
#define EVEN Z16
#define ODD Z17

// ROWPTR(slot): the pointer to input row R13 of the channel at SI, or
// the zero row outside [0, h), into slot; clobbers AX.
#define ROWPTR(slot) \
	MOVQ    R13, AX          \
	IMULQ   ROWB, AX         \
	ADDQ    SI, AX           \
	CMPQ    R13, h+24(FP)    \
	CMOVQCC zero+88(FP), AX  \
	MOVQ    AX, slot         \
	INCQ    R13

// MASKS2: the four load masks and the store mask of the vector at MASK.
#define MASKS2 \
	KMOVW (MASK), K2  \
	KMOVW 2(MASK), K3 \
	KMOVW 4(MASK), K4 \
	KMOVW 6(MASK), K5 \
	KMOVW 8(MASK), K1

// ROW2(slot): the three taps of the input row in slot at the vector:
// tap 0 in Z13, tap 1 in Z15, tap 2 in Z19.
#define ROW2(slot) \
	MOVQ      slot, AX                \
	VMOVUPS.Z (AX)(XOFF*1), K2, Z13   \
	VMOVUPS.Z 64(AX)(XOFF*1), K3, Z14 \
	VMOVUPS.Z 8(AX)(XOFF*1), K4, Z19  \
	VMOVUPS.Z 72(AX)(XOFF*1), K5, Z20 \
	VMOVAPS   Z13, Z15                \
	VPERMT2PS Z14, EVEN, Z13          \
	VPERMT2PS Z14, ODD, Z15           \
	VPERMT2PS Z20, EVEN, Z19

// TAPS(acc, wa, wb, wc): the row's three taps into acc.
#define TAPS(acc, wa, wb, wc) \
	VFMADD231PS Z13, wa, acc \
	VFMADD231PS Z15, wb, acc \
	VFMADD231PS Z19, wc, acc

// CLAMP(z): z clamped to [lo, hi], a NaN kept.
#define CLAMP(z) \
	VMAXPS z, LO, z \
	VMINPS z, HI, z

// FIRSTVEC: XOFF, MASK and OUT at a row's first vector.
#define FIRSTVEC \
	MOVQ pl+64(FP), XOFF    \
	SHLQ $2, XOFF           \
	NEGQ XOFF               \
	MOVQ masks+72(FP), MASK \
	MOVQ DI, OUT

// NEXTVEC: XOFF, MASK and OUT at the next vector.
#define NEXTVEC \
	ADDQ $128, XOFF \
	ADDQ $64, OUT   \
	ADDQ $16, MASK

// func dwStride2z(dst, src *float32, ch, h, w, oh, ow, pt, pl int, masks *uint16, vecs int, zero *float32, even *int32, wt, bias *float32, lo, hi float32)
TEXT ·dwStride2z(SB), NOSPLIT, $40-128
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         w+32(FP), ROWB
	SHLQ         $2, ROWB
	MOVQ         ow+48(FP), OWB
	SHLQ         $2, OWB
	MOVQ         masks+72(FP), MASK_END
	MOVQ         vecs+80(FP), AX
	SHLQ         $4, AX
	ADDQ         AX, MASK_END
	MOVQ         even+96(FP), AX
	VMOVDQU32    (AX), EVEN
	VPTERNLOGD   $0xff, ODD, ODD, ODD  // all ones: -1 in every lane
	VPSUBD       ODD, EVEN, ODD        // the odd lanes 1, 3, …, 31
	VBROADCASTSS lo+120(FP), LO
	VBROADCASTSS hi+124(FP), HI
	XORQ         CX, CX                // the channel

channel:
	MOVQ         wt+104(FP), AX
	LEAQ         (CX)(CX*8), R13
	LEAQ         (AX)(R13*4), AX
	WEIGHTS9(AX)
	MOVQ         bias+112(FP), AX
	VBROADCASTSS (AX)(CX*4), BIAS
	XORQ         Y, Y

pair:
	LEAQ 2(Y), R13
	CMPQ R13, oh+40(FP)
	JGT  last
	LEAQ (Y)(Y*1), R13
	SUBQ pt+56(FP), R13 // input row 2y - pt
	ROWPTR(r0-40(SP))
	ROWPTR(r1-32(SP))
	ROWPTR(r2-24(SP))
	ROWPTR(r3-16(SP))
	ROWPTR(r4-8(SP))
	FIRSTVEC

pairvec:
	MASKS2
	VMOVAPS BIAS, Z12
	VMOVAPS BIAS, Z18
	ROW2(r0-40(SP))
	TAPS(Z12, W0, W1, W2)
	ROW2(r1-32(SP))
	TAPS(Z12, W3, W4, W5)
	ROW2(r2-24(SP))
	TAPS(Z12, W6, W7, W8)
	TAPS(Z18, W0, W1, W2)
	ROW2(r3-16(SP))
	TAPS(Z18, W3, W4, W5)
	ROW2(r4-8(SP))
	TAPS(Z18, W6, W7, W8)
	CLAMP(Z12)
	VMOVUPS Z12, K1, (OUT)
	CLAMP(Z18)
	VMOVUPS Z18, K1, (OUT)(OWB*1)
	NEXTVEC
	CMPQ    MASK, MASK_END
	JLT     pairvec
	LEAQ    (DI)(OWB*2), DI
	ADDQ    $2, Y
	JMP     pair

last: // a last output row alone
	CMPQ Y, oh+40(FP)
	JGE  next
	LEAQ (Y)(Y*1), R13
	SUBQ pt+56(FP), R13
	ROWPTR(r0-40(SP))
	ROWPTR(r1-32(SP))
	ROWPTR(r2-24(SP))
	FIRSTVEC

lastvec:
	MASKS2
	VMOVAPS BIAS, Z12
	ROW2(r0-40(SP))
	TAPS(Z12, W0, W1, W2)
	ROW2(r1-32(SP))
	TAPS(Z12, W3, W4, W5)
	ROW2(r2-24(SP))
	TAPS(Z12, W6, W7, W8)
	CLAMP(Z12)
	VMOVUPS Z12, K1, (OUT)
	NEXTVEC
	CMPQ    MASK, MASK_END
	JLT     lastvec
	ADDQ    OWB, DI

next:
	MOVQ  h+24(FP), AX
	IMULQ ROWB, AX
	ADDQ  AX, SI
	INCQ  CX
	CMPQ  CX, ch+16(FP)
	JLT   channel
	VZEROUPPER
	RET
