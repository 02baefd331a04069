//go:build !purego

#include "textflag.h"

// BiasClamp and BiasAddClamp for arm64: 16 floats per iteration (V0–V3,
// independent; the residual in V4–V7), then 4, then single floats with the
// scalar forms. bias, lo and hi are broadcast into V28, V29 and V30. The
// assembler spells neither the vector FADD nor FMAX/FMIN, hence the WORDs.
// FMAX and FMIN (not FMAXNM/FMINNM) return a NaN operand, so a NaN sum
// passes through, as in the generic version; lo and hi are never NaN
// (the Go wrapper sees to that).
//
// Each iteration is 1 load (2 with the residual), 4 (8) FADDs, 4 FMAXs,
// 4 FMINs and 1 store of four registers: bound by memory, not arithmetic,
// on the A53 as on the A76.

#define X_PTR R0
#define N R1
#define R_PTR R2
#define X_ST R3

// func biasClampNEON(x []float32, bias, lo, hi float32)
TEXT ·biasClampNEON(SB), NOSPLIT, $0-36
	MOVD  x_base+0(FP), X_PTR
	MOVD  x_len+8(FP), N
	FMOVS bias+24(FP), F28
	FMOVS lo+28(FP), F29
	FMOVS hi+32(FP), F30
	VDUP  V28.S[0], V28.S4
	VDUP  V29.S[0], V29.S4
	VDUP  V30.S[0], V30.S4
	MOVD  X_PTR, X_ST

loop16:
	CMP    $16, N
	BLT    loop4
	VLD1.P 64(X_PTR), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD   $0x4e3cd400 // FADD V0.4S, V0.4S, V28.4S
	WORD   $0x4e3cd421 // FADD V1.4S, V1.4S, V28.4S
	WORD   $0x4e3cd442 // FADD V2.4S, V2.4S, V28.4S
	WORD   $0x4e3cd463 // FADD V3.4S, V3.4S, V28.4S
	WORD   $0x4e3df400 // FMAX V0.4S, V0.4S, V29.4S
	WORD   $0x4e3df421 // FMAX V1.4S, V1.4S, V29.4S
	WORD   $0x4e3df442 // FMAX V2.4S, V2.4S, V29.4S
	WORD   $0x4e3df463 // FMAX V3.4S, V3.4S, V29.4S
	WORD   $0x4ebef400 // FMIN V0.4S, V0.4S, V30.4S
	WORD   $0x4ebef421 // FMIN V1.4S, V1.4S, V30.4S
	WORD   $0x4ebef442 // FMIN V2.4S, V2.4S, V30.4S
	WORD   $0x4ebef463 // FMIN V3.4S, V3.4S, V30.4S
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(X_ST)
	SUB    $16, N
	B      loop16

loop4:
	CMP    $4, N
	BLT    loop1
	VLD1.P 16(X_PTR), [V0.S4]
	WORD   $0x4e3cd400 // FADD V0.4S, V0.4S, V28.4S
	WORD   $0x4e3df400 // FMAX V0.4S, V0.4S, V29.4S
	WORD   $0x4ebef400 // FMIN V0.4S, V0.4S, V30.4S
	VST1.P [V0.S4], 16(X_ST)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (X_PTR), F0
	FADDS   F28, F0, F0
	FMAXS   F29, F0, F0
	FMINS   F30, F0, F0
	FMOVS.P F0, 4(X_PTR)
	SUB     $1, N
	B       loop1

done:
	RET

// func biasAddClampNEON(x, r []float32, bias, lo, hi float32)
// len(r) == len(x) (the Go wrapper slices r).
TEXT ·biasAddClampNEON(SB), NOSPLIT, $0-60
	MOVD  x_base+0(FP), X_PTR
	MOVD  x_len+8(FP), N
	MOVD  r_base+24(FP), R_PTR
	FMOVS bias+48(FP), F28
	FMOVS lo+52(FP), F29
	FMOVS hi+56(FP), F30
	VDUP  V28.S[0], V28.S4
	VDUP  V29.S[0], V29.S4
	VDUP  V30.S[0], V30.S4
	MOVD  X_PTR, X_ST

loop16:
	CMP    $16, N
	BLT    loop4
	VLD1.P 64(X_PTR), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R_PTR), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD   $0x4e3cd400 // FADD V0.4S, V0.4S, V28.4S
	WORD   $0x4e3cd421 // FADD V1.4S, V1.4S, V28.4S
	WORD   $0x4e3cd442 // FADD V2.4S, V2.4S, V28.4S
	WORD   $0x4e3cd463 // FADD V3.4S, V3.4S, V28.4S
	WORD   $0x4e24d400 // FADD V0.4S, V0.4S, V4.4S
	WORD   $0x4e25d421 // FADD V1.4S, V1.4S, V5.4S
	WORD   $0x4e26d442 // FADD V2.4S, V2.4S, V6.4S
	WORD   $0x4e27d463 // FADD V3.4S, V3.4S, V7.4S
	WORD   $0x4e3df400 // FMAX V0.4S, V0.4S, V29.4S
	WORD   $0x4e3df421 // FMAX V1.4S, V1.4S, V29.4S
	WORD   $0x4e3df442 // FMAX V2.4S, V2.4S, V29.4S
	WORD   $0x4e3df463 // FMAX V3.4S, V3.4S, V29.4S
	WORD   $0x4ebef400 // FMIN V0.4S, V0.4S, V30.4S
	WORD   $0x4ebef421 // FMIN V1.4S, V1.4S, V30.4S
	WORD   $0x4ebef442 // FMIN V2.4S, V2.4S, V30.4S
	WORD   $0x4ebef463 // FMIN V3.4S, V3.4S, V30.4S
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(X_ST)
	SUB    $16, N
	B      loop16

loop4:
	CMP    $4, N
	BLT    loop1
	VLD1.P 16(X_PTR), [V0.S4]
	VLD1.P 16(R_PTR), [V4.S4]
	WORD   $0x4e3cd400 // FADD V0.4S, V0.4S, V28.4S
	WORD   $0x4e24d400 // FADD V0.4S, V0.4S, V4.4S
	WORD   $0x4e3df400 // FMAX V0.4S, V0.4S, V29.4S
	WORD   $0x4ebef400 // FMIN V0.4S, V0.4S, V30.4S
	VST1.P [V0.S4], 16(X_ST)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (X_PTR), F0
	FMOVS.P 4(R_PTR), F4
	FADDS   F28, F0, F0
	FADDS   F4, F0, F0
	FMAXS   F29, F0, F0
	FMINS   F30, F0, F0
	FMOVS.P F0, 4(X_PTR)
	SUB     $1, N
	B       loop1

done:
	RET
