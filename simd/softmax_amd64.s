//go:build !purego

#include "textflag.h"
#include "tailmask_amd64.h"

DATA softk<>+0(SB)/4, $0xff800000 // -Inf
DATA softk<>+4(SB)/4, $1.44269504088896341
DATA softk<>+8(SB)/4, $0.693145751953125
DATA softk<>+12(SB)/4, $1.4286068202862268e-6
DATA softk<>+16(SB)/4, $1.0
DATA softk<>+20(SB)/4, $-104.0
GLOBL softk<>(SB), RODATA|NOPTR, $24

// HREDUCE folds the 16 lanes of Z0 with op into every lane of Z0.
#define HREDUCE(op) \
	VEXTRACTF64X4 $1, Z0, Y1 \
	op            Y1, Y0, Y0 \
	VEXTRACTF128  $1, Y0, X1 \
	op            X1, X0, X0 \
	VPERMILPS     $0x4e, X0, X1 \
	op            X1, X0, X0 \
	VPERMILPS     $0xb1, X0, X1 \
	op            X1, X0, X0 \
	VBROADCASTSS  X0, Z0

// softmaxz: pass 1 the maximum m (Z0; the tail's lanes −Inf), pass 2
// y = exp(x − m) and their sum (Z15; the tail's lanes not added), pass 3
// y·(1/sum). x − m is first raised to −104 at least (Z21; a NaN stays):
// far below it (an attention mask's −FLT_MAX) k's rounding would leave r
// huge and the series Inf or NaN, where the exponential is 0 (e^−104 is
// below half the least denormal). exp as exp32: k = round(x·log2e) (Z5),
// r = (x − k·ln2hi) − k·ln2lo (Z6), the series to r⁶/6! by FMAs
// (coefficients Z22–Z28), times 2^k by VSCALEFPS (0 or a denormal below
// the normal range, +Inf above it, NaN for NaN).
//
// func softmaxz(y, x *float32, n int, c *[7]float32)
TEXT ·softmaxz(SB), NOSPLIT, $0-32
	MOVQ         c+24(FP), DX
	VBROADCASTSS softk<>+0(SB), Z16
	VBROADCASTSS softk<>+4(SB), Z17
	VBROADCASTSS softk<>+8(SB), Z18
	VBROADCASTSS softk<>+12(SB), Z19
	VBROADCASTSS softk<>+16(SB), Z20
	VBROADCASTSS softk<>+20(SB), Z21
	VBROADCASTSS 0(DX), Z22
	VBROADCASTSS 4(DX), Z23
	VBROADCASTSS 8(DX), Z24
	VBROADCASTSS 12(DX), Z25
	VBROADCASTSS 16(DX), Z26
	VBROADCASTSS 20(DX), Z27
	VBROADCASTSS 24(DX), Z28

	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVAPS Z16, Z0

max:
	TAILMASK16
	VMOVAPS Z16, Z1
	VMOVUPS (SI), K1, Z1
	VMAXPS  Z1, Z0, Z0
	ADDQ    $64, SI
	SUBQ    $16, CX
	JG      max
	HREDUCE(VMAXPS)

	MOVQ   x+8(FP), SI
	MOVQ   y+0(FP), DI
	MOVQ   n+16(FP), CX
	VPXORD Z15, Z15, Z15

exp:
	TAILMASK16
	VMOVUPS.Z    (SI), K1, Z1
	VSUBPS       Z0, Z1, Z1
	VMAXPS       Z1, Z21, Z1
	VMULPS       Z17, Z1, Z4
	VRNDSCALEPS  $0, Z4, Z5
	VMOVAPS      Z1, Z6
	VFNMADD231PS Z5, Z18, Z6
	VFNMADD231PS Z5, Z19, Z6
	VMOVAPS      Z28, Z7
	VFMADD213PS  Z27, Z6, Z7
	VFMADD213PS  Z26, Z6, Z7
	VFMADD213PS  Z25, Z6, Z7
	VFMADD213PS  Z24, Z6, Z7
	VFMADD213PS  Z23, Z6, Z7
	VFMADD213PS  Z22, Z6, Z7
	VSCALEFPS    Z5, Z7, Z7
	VMOVUPS      Z7, K1, (DI)
	VADDPS       Z7, Z15, K1, Z15
	ADDQ         $64, SI
	ADDQ         $64, DI
	SUBQ         $16, CX
	JG           exp

	VMOVAPS Z15, Z0
	HREDUCE(VADDPS)
	VDIVPS  Z0, Z20, Z0

	MOVQ y+0(FP), DI
	MOVQ n+16(FP), CX

scale:
	TAILMASK16
	VMOVUPS.Z (DI), K1, Z1
	VMULPS    Z0, Z1, Z1
	VMOVUPS   Z1, K1, (DI)
	ADDQ      $64, DI
	SUBQ      $16, CX
	JG        scale
	VZEROUPPER
	RET

// HREDUCEY folds the 8 lanes of y (x its low half) with op into every
// lane of y, Y0 its scratch: HREDUCE's ymm form.
#define HREDUCEY(op, y, x) \
	VEXTRACTF128 $1, y, X0 \
	op           X0, x, x  \
	VPERMILPS    $0x4e, x, X0 \
	op           X0, x, x  \
	VPERMILPS    $0xb1, x, X0 \
	op           X0, x, x  \
	VBROADCASTSS x, y

// EXPY sets e to exp(v) as softmaxy does it (below), v raised to −87.33;
// Y1, Y2 and Y4–Y6 its scratch, the table at AX.
#define EXPY(v, e) \
	VCMPPS       $1, 160(AX), v, Y5 \
	VMOVUPS      160(AX), Y6        \
	VMAXPS       v, Y6, v           \
	VMULPS       32(AX), v, Y1      \
	VROUNDPS     $0, Y1, Y1         \
	VMOVAPS      v, Y2              \
	VFNMADD231PS 64(AX), Y1, Y2     \
	VFNMADD231PS 96(AX), Y1, Y2     \
	VMOVUPS      384(AX), e         \
	VFMADD213PS  352(AX), Y2, e     \
	VFMADD213PS  320(AX), Y2, e     \
	VFMADD213PS  288(AX), Y2, e     \
	VFMADD213PS  256(AX), Y2, e     \
	VFMADD213PS  224(AX), Y2, e     \
	VFMADD213PS  192(AX), Y2, e     \
	VCVTPS2DQ    Y1, Y4             \
	VPADDD       416(AX), Y4, Y4    \
	VPSLLD       $23, Y4, Y4        \
	VMULPS       Y4, e, e           \
	VANDNPS      e, Y5, e

// softmaxy is SoftmaxRow in AVX2, softmaxz's three passes in ymm: the
// maximum (the lanes past the row the maximum so far, by a blend), then
// y = exp(x − m) and their sum, then y·(1/sum), 8 floats at a time and
// the last 1–7 by masked loads and a masked store (one a pass). The
// constants are read from the table at AX (expTab8: 8 copies each). exp
// (EXPY) as exp32 in float32: below −87.33 zero (the lanes compared first,
// then x − m raised to it so that 2^k stays a normal float, built in the
// exponent bits), k = round(x·log2e) to even, r = (x − k·ln2hi) − k·ln2lo
// by FMAs, the series to r⁶/6! by FMAs. A NaN stays NaN through the
// series.
//
// func softmaxy(y, x *float32, n int, tab *[14][8]float32, mask *int32)
TEXT ·softmaxy(SB), NOSPLIT, $0-40
	MOVQ    tab+24(FP), AX
	MOVQ    mask+32(FP), DX
	VMOVDQU (DX), Y13
	MOVQ    n+16(FP), R8
	ANDQ    $7, R8               // the tail's floats
	MOVQ    n+16(FP), R9
	SHRQ    $3, R9               // whole vectors

	MOVQ    x+8(FP), SI
	VMOVUPS (AX), Y15            // the maximum, from −Inf
	MOVQ    R9, CX
	TESTQ   CX, CX
	JZ      ymaxtail

ymax:
	VMAXPS (SI), Y15, Y15
	ADDQ   $32, SI
	DECQ   CX
	JNZ    ymax

ymaxtail:
	TESTQ      R8, R8
	JZ         ymaxdone
	VMASKMOVPS (SI), Y13, Y0
	VBLENDVPS  Y13, Y0, Y15, Y0  // the tail's lanes, the maximum so far past it
	VMAXPS     Y0, Y15, Y15

ymaxdone:
	HREDUCEY(VMAXPS, Y15, X15)

	MOVQ   x+8(FP), SI
	MOVQ   y+0(FP), DI
	VXORPS Y14, Y14, Y14         // the sum
	MOVQ   R9, CX
	TESTQ  CX, CX
	JZ     yexptail

yexp:
	VMOVUPS (SI), Y0
	VSUBPS  Y15, Y0, Y0
	EXPY(Y0, Y3)
	VMOVUPS Y3, (DI)
	VADDPS  Y3, Y14, Y14
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     yexp

yexptail:
	TESTQ      R8, R8
	JZ         yexpdone
	VMASKMOVPS (SI), Y13, Y0
	VSUBPS     Y15, Y0, Y0
	EXPY(Y0, Y3)
	VANDPS     Y13, Y3, Y3       // nothing past the row in the sum
	VMASKMOVPS Y3, Y13, (DI)
	VADDPS     Y3, Y14, Y14

yexpdone:
	HREDUCEY(VADDPS, Y14, X14)
	VMOVUPS      128(AX), Y0
	VDIVPS       Y14, Y0, Y14    // 1/sum

	MOVQ  y+0(FP), DI
	MOVQ  R9, CX
	TESTQ CX, CX
	JZ    yscaletail

yscale:
	VMULPS  (DI), Y14, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     yscale

yscaletail:
	TESTQ      R8, R8
	JZ         ydone
	VMASKMOVPS (DI), Y13, Y0
	VMULPS     Y0, Y14, Y0
	VMASKMOVPS Y0, Y13, (DI)

ydone:
	VZEROUPPER
	RET
