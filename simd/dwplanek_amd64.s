//go:build !purego

#include "textflag.h"
#include "tailmask_amd64.h"

// dwRows4Kz: output rows 0–3 of DepthwisePlaneK from plane rows 0–(kh+2).
// For each vector of 16 columns (the last under K1): the accumulators Z0–Z3
// (rows 0–3) start at the bias; for each tap (dy, dx) the weight is
// broadcast into Z4 and the four rows' inputs, plane rows dy…dy+3 at
// column dx, are loaded (zeroing masked) into Z5–Z8 and multiplied in;
// then the clamp and the stores (masked). Four chains of FMAs, not one.
//
// func dwRows4Kz(out *float32, ow int, p *float32, wp int, w *float32, kh, kw int, bias, lo, hi float32)
TEXT ·dwRows4Kz(SB), NOSPLIT, $0-68
	MOVQ         out+0(FP), DI
	MOVQ         ow+8(FP), CX
	MOVQ         p+16(FP), SI
	MOVQ         wp+24(FP), R8
	SHLQ         $2, R8               // a plane row, in bytes
	MOVQ         ow+8(FP), R14
	SHLQ         $2, R14              // an output row, in bytes
	VBROADCASTSS bias+56(FP), Z29
	VBROADCASTSS lo+60(FP), Z30
	VBROADCASTSS hi+64(FP), Z31

vec:
	TAILMASK16
	VMOVAPS Z29, Z0
	VMOVAPS Z29, Z1
	VMOVAPS Z29, Z2
	VMOVAPS Z29, Z3
	MOVQ    SI, BX                    // plane row dy of output row 0
	MOVQ    w+32(FP), DX
	MOVQ    kh+40(FP), R12

dy:
	MOVQ BX, AX
	MOVQ kw+48(FP), R13

dx:
	VBROADCASTSS (DX), Z4
	LEAQ         (AX)(R8*2), R9
	VMOVUPS.Z    (AX), K1, Z5
	VMOVUPS.Z    (AX)(R8*1), K1, Z6
	VMOVUPS.Z    (R9), K1, Z7
	VMOVUPS.Z    (R9)(R8*1), K1, Z8
	VFMADD231PS  Z5, Z4, Z0
	VFMADD231PS  Z6, Z4, Z1
	VFMADD231PS  Z7, Z4, Z2
	VFMADD231PS  Z8, Z4, Z3
	ADDQ         $4, AX
	ADDQ         $4, DX
	DECQ         R13
	JNZ          dx
	ADDQ         R8, BX
	DECQ         R12
	JNZ          dy

	VMAXPS  Z0, Z30, Z0
	VMINPS  Z0, Z31, Z0
	VMAXPS  Z1, Z30, Z1
	VMINPS  Z1, Z31, Z1
	VMAXPS  Z2, Z30, Z2
	VMINPS  Z2, Z31, Z2
	VMAXPS  Z3, Z30, Z3
	VMINPS  Z3, Z31, Z3
	LEAQ    (DI)(R14*2), R9
	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z1, K1, (DI)(R14*1)
	VMOVUPS Z2, K1, (R9)
	VMOVUPS Z3, K1, (R9)(R14*1)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JG      vec
	VZEROUPPER
	RET

// dwRows4Ky: output rows 0–3 of DepthwisePlaneK in AVX2, nvec vectors of
// 8 columns from out and p (rows ldo and wp floats apart), as dwRows4Kz:
// the accumulators Y0–Y3 start at the bias, each tap's weight broadcast
// into Y4 multiplies the four rows' inputs (FMAs from memory), then the
// clamp. With a mask (nvec 1), the loads and stores are masked by it.
//
// func dwRows4Ky(out *float32, ldo int, p *float32, wp int, w *float32, kh, kw int, bias, lo, hi float32, nvec int, mask *int32)
TEXT ·dwRows4Ky(SB), NOSPLIT, $0-88
	MOVQ         out+0(FP), DI
	MOVQ         ldo+8(FP), R14
	SHLQ         $2, R14              // an output row, in bytes
	MOVQ         p+16(FP), SI
	MOVQ         wp+24(FP), R8
	SHLQ         $2, R8               // a plane row, in bytes
	VBROADCASTSS bias+56(FP), Y13
	VBROADCASTSS lo+60(FP), Y14
	VBROADCASTSS hi+64(FP), Y15
	MOVQ         nvec+72(FP), CX
	MOVQ         mask+80(FP), R10
	TESTQ        R10, R10
	JNZ          masked

vec:
	VMOVAPS Y13, Y0
	VMOVAPS Y13, Y1
	VMOVAPS Y13, Y2
	VMOVAPS Y13, Y3
	MOVQ    SI, BX                    // plane row dy of output row 0
	MOVQ    w+32(FP), DX
	MOVQ    kh+40(FP), R12

dy:
	MOVQ BX, AX
	MOVQ kw+48(FP), R13

dx:
	VBROADCASTSS (DX), Y4
	LEAQ         (AX)(R8*2), R9
	VFMADD231PS  (AX), Y4, Y0
	VFMADD231PS  (AX)(R8*1), Y4, Y1
	VFMADD231PS  (R9), Y4, Y2
	VFMADD231PS  (R9)(R8*1), Y4, Y3
	ADDQ         $4, AX
	ADDQ         $4, DX
	DECQ         R13
	JNZ          dx
	ADDQ         R8, BX
	DECQ         R12
	JNZ          dy

	VMAXPS  Y0, Y14, Y0
	VMINPS  Y0, Y15, Y0
	VMAXPS  Y1, Y14, Y1
	VMINPS  Y1, Y15, Y1
	VMAXPS  Y2, Y14, Y2
	VMINPS  Y2, Y15, Y2
	VMAXPS  Y3, Y14, Y3
	VMINPS  Y3, Y15, Y3
	LEAQ    (DI)(R14*2), R9
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, (DI)(R14*1)
	VMOVUPS Y2, (R9)
	VMOVUPS Y3, (R9)(R14*1)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     vec
	VZEROUPPER
	RET

masked:
	VMOVDQU (R10), Y12
	VMOVAPS Y13, Y0
	VMOVAPS Y13, Y1
	VMOVAPS Y13, Y2
	VMOVAPS Y13, Y3
	MOVQ    SI, BX
	MOVQ    w+32(FP), DX
	MOVQ    kh+40(FP), R12

mdy:
	MOVQ BX, AX
	MOVQ kw+48(FP), R13

mdx:
	VBROADCASTSS (DX), Y4
	LEAQ         (AX)(R8*2), R9
	VMASKMOVPS   (AX), Y12, Y5
	VMASKMOVPS   (AX)(R8*1), Y12, Y6
	VMASKMOVPS   (R9), Y12, Y7
	VMASKMOVPS   (R9)(R8*1), Y12, Y8
	VFMADD231PS  Y5, Y4, Y0
	VFMADD231PS  Y6, Y4, Y1
	VFMADD231PS  Y7, Y4, Y2
	VFMADD231PS  Y8, Y4, Y3
	ADDQ         $4, AX
	ADDQ         $4, DX
	DECQ         R13
	JNZ          mdx
	ADDQ         R8, BX
	DECQ         R12
	JNZ          mdy

	VMAXPS     Y0, Y14, Y0
	VMINPS     Y0, Y15, Y0
	VMAXPS     Y1, Y14, Y1
	VMINPS     Y1, Y15, Y1
	VMAXPS     Y2, Y14, Y2
	VMINPS     Y2, Y15, Y2
	VMAXPS     Y3, Y14, Y3
	VMINPS     Y3, Y15, Y3
	LEAQ       (DI)(R14*2), R9
	VMASKMOVPS Y0, Y12, (DI)
	VMASKMOVPS Y1, Y12, (DI)(R14*1)
	VMASKMOVPS Y2, Y12, (R9)
	VMASKMOVPS Y3, Y12, (R9)(R14*1)
	VZEROUPPER
	RET
