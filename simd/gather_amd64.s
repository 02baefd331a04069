//go:build !purego

#include "textflag.h"

// gatherPlanes16: GatherPlanes for planes of hw ≤ 16 floats (driver:
// gatherPlanesAVX512 in gather_amd64.go). Per channel the plane is loaded
// into Z0 under K3 (hwMask); per tap the n indices into Z1 under K1
// (nMask), the lanes kept into K2 (keep[t]), Z0 permuted by Z1 into Z2
// with the other lanes zeroed, and n floats stored under K1.

// func gatherPlanes16(dst *float32, src *float32, hw int, channels int, idx *int32, keep *uint16, taps int, n int, hwMask uint16, nMask uint16)
TEXT ·gatherPlanes16(SB), NOSPLIT, $0-68
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    hw+16(FP), AX
	SHLQ    $2, AX
	MOVQ    channels+24(FP), CX
	MOVQ    n+56(FP), R11
	SHLQ    $2, R11
	KMOVW   hwMask+64(FP), K3
	KMOVW   nMask+66(FP), K1

channel:
	VMOVUPS.Z (SI), K3, Z0
	MOVQ    idx+32(FP), R8
	MOVQ    keep+40(FP), R9
	MOVQ    taps+48(FP), R10

tap:
	VMOVDQU32.Z (R8), K1, Z1
	KMOVW   (R9), K2
	VPERMPS.Z Z0, Z1, K2, Z2
	VMOVUPS Z2, K1, (DI)
	ADDQ    R11, DI
	ADDQ    R11, R8
	ADDQ    $2, R9
	DECQ    R10
	JNZ     tap

	ADDQ    AX, SI
	DECQ    CX
	JNZ     channel
	VZEROUPPER
	RET
