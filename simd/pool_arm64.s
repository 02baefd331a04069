//go:build !purego

#include "textflag.h"

// MaxRows, AddRows, MaxPairs, MaxPool2x2 and MaxPool3x3s2 for arm64.
//
// MaxRows and AddRows: 16 floats per iteration (dst in V0–V3, src in
// V4–V7, four independent FMAXs or FADDs), then 4, then single floats with
// the scalar forms.
//
// MaxPairs: 8 outputs per iteration from 16 floats of row in V0–V3:
// FMAXP (pairwise) of V0:V1 is max(r0, r1), max(r2, r3), max(r4, r5),
// max(r6, r7), the first four outputs in order, and V2:V3 the next four;
// no shuffle. Then 4 outputs, then single ones with the scalar FMAX.
//
// The assembler spells neither the vector FMAX, FMAXP nor FADD, hence
// the WORDs. FMAX and FMAXP (not the FMAXNM forms, which prefer the
// number) return a NaN when either operand is one, as MaxRows and
// MaxPairs want.

#define D_PTR R0
#define N R1
#define S_PTR R2
#define D_ST R3

// func maxRowsNEON(dst, src []float32)
// len(src) == len(dst) (the Go wrapper slices src).
TEXT ·maxRowsNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), D_PTR
	MOVD dst_len+8(FP), N
	MOVD src_base+24(FP), S_PTR
	MOVD D_PTR, D_ST

loop16:
	CMP    $16, N
	BLT    loop4
	VLD1.P 64(D_PTR), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(S_PTR), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD   $0x4e24f400 // FMAX V0.4S, V0.4S, V4.4S
	WORD   $0x4e25f421 // FMAX V1.4S, V1.4S, V5.4S
	WORD   $0x4e26f442 // FMAX V2.4S, V2.4S, V6.4S
	WORD   $0x4e27f463 // FMAX V3.4S, V3.4S, V7.4S
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(D_ST)
	SUB    $16, N
	B      loop16

loop4:
	CMP    $4, N
	BLT    loop1
	VLD1.P 16(D_PTR), [V0.S4]
	VLD1.P 16(S_PTR), [V4.S4]
	WORD   $0x4e24f400 // FMAX V0.4S, V0.4S, V4.4S
	VST1.P [V0.S4], 16(D_ST)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (D_PTR), F0
	FMOVS.P 4(S_PTR), F4
	FMAXS   F4, F0, F0
	FMOVS.P F0, 4(D_PTR)
	SUB     $1, N
	B       loop1

done:
	RET

// func addRowsNEON(dst, src []float32)
// len(src) == len(dst) (the Go wrapper slices src).
TEXT ·addRowsNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), D_PTR
	MOVD dst_len+8(FP), N
	MOVD src_base+24(FP), S_PTR
	MOVD D_PTR, D_ST

loop16:
	CMP    $16, N
	BLT    loop4
	VLD1.P 64(D_PTR), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(S_PTR), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD   $0x4e24d400 // FADD V0.4S, V0.4S, V4.4S
	WORD   $0x4e25d421 // FADD V1.4S, V1.4S, V5.4S
	WORD   $0x4e26d442 // FADD V2.4S, V2.4S, V6.4S
	WORD   $0x4e27d463 // FADD V3.4S, V3.4S, V7.4S
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(D_ST)
	SUB    $16, N
	B      loop16

loop4:
	CMP    $4, N
	BLT    loop1
	VLD1.P 16(D_PTR), [V0.S4]
	VLD1.P 16(S_PTR), [V4.S4]
	WORD   $0x4e24d400 // FADD V0.4S, V0.4S, V4.4S
	VST1.P [V0.S4], 16(D_ST)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (D_PTR), F0
	FMOVS.P 4(S_PTR), F4
	FADDS   F4, F0, F0
	FMOVS.P F0, 4(D_PTR)
	SUB     $1, N
	B       loop1

done:
	RET

// func maxPairsNEON(dst, row []float32)
// len(row) == 2·len(dst) (the Go wrapper slices row); S_PTR walks row.
TEXT ·maxPairsNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), D_PTR
	MOVD dst_len+8(FP), N
	MOVD row_base+24(FP), S_PTR

loop8:
	CMP    $8, N
	BLT    loop4
	VLD1.P 64(S_PTR), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD   $0x6e21f404 // FMAXP V4.4S, V0.4S, V1.4S
	WORD   $0x6e23f445 // FMAXP V5.4S, V2.4S, V3.4S
	VST1.P [V4.S4, V5.S4], 32(D_PTR)
	SUB    $8, N
	B      loop8

loop4:
	CMP    $4, N
	BLT    loop1
	VLD1.P 32(S_PTR), [V0.S4, V1.S4]
	WORD   $0x6e21f404 // FMAXP V4.4S, V0.4S, V1.4S
	VST1.P [V4.S4], 16(D_PTR)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (S_PTR), F0
	FMOVS   4(S_PTR), F1
	ADD     $8, S_PTR
	FMAXS   F1, F0, F0
	FMOVS.P F0, 4(D_PTR)
	SUB     $1, N
	B       loop1

done:
	RET

#define B_PTR R4

// func maxPool2x2NEON(dst, top, bot []float32)
// len(top) == len(bot) == 2·len(dst) (the Go wrapper slices them); S_PTR
// walks top, B_PTR bot. 8 outputs per iteration: the two rows' 16 floats
// each in V0–V3 and V4–V7, their FMAX in V0–V3, then MaxPairs' FMAXPs;
// then 4 outputs, then single ones with the scalar FMAX.
TEXT ·maxPool2x2NEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), D_PTR
	MOVD dst_len+8(FP), N
	MOVD top_base+24(FP), S_PTR
	MOVD bot_base+48(FP), B_PTR

loop8:
	CMP    $8, N
	BLT    loop4
	VLD1.P 64(S_PTR), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(B_PTR), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD   $0x4e24f400 // FMAX V0.4S, V0.4S, V4.4S
	WORD   $0x4e25f421 // FMAX V1.4S, V1.4S, V5.4S
	WORD   $0x4e26f442 // FMAX V2.4S, V2.4S, V6.4S
	WORD   $0x4e27f463 // FMAX V3.4S, V3.4S, V7.4S
	WORD   $0x6e21f404 // FMAXP V4.4S, V0.4S, V1.4S
	WORD   $0x6e23f445 // FMAXP V5.4S, V2.4S, V3.4S
	VST1.P [V4.S4, V5.S4], 32(D_PTR)
	SUB    $8, N
	B      loop8

loop4:
	CMP    $4, N
	BLT    loop1
	VLD1.P 32(S_PTR), [V0.S4, V1.S4]
	VLD1.P 32(B_PTR), [V4.S4, V5.S4]
	WORD   $0x4e24f400 // FMAX V0.4S, V0.4S, V4.4S
	WORD   $0x4e25f421 // FMAX V1.4S, V1.4S, V5.4S
	WORD   $0x6e21f404 // FMAXP V4.4S, V0.4S, V1.4S
	VST1.P [V4.S4], 16(D_PTR)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (S_PTR), F0
	FMOVS   4(S_PTR), F1
	FMOVS   (B_PTR), F2
	FMOVS   4(B_PTR), F3
	ADD     $8, S_PTR
	ADD     $8, B_PTR
	FMAXS   F1, F0, F0
	FMAXS   F3, F2, F2
	FMAXS   F2, F0, F0
	FMOVS.P F0, 4(D_PTR)
	SUB     $1, N
	B       loop1

done:
	RET

#define P0 R2
#define P1 R4
#define P2 R5

// func maxPool3x3s2NEON(dst, r0, r1, r2 []float32)
// len(r0) == len(r1) == len(r2) == 2·len(dst)+1 > 1 (the Go wrapper
// slices them). 8 outputs per iteration: from each row two LD2s (floats
// 0–15 deinterleaved: the even columns r0 r2 r4 r6 and r8 … r14, the odd
// ones r1 … r7 and r9 … r15) and float 16 alone (FMOVS, which zeroes the
// rest of the register); the three rows' FMAX (V0–V3, V16), then the
// columns two further by EXT, a lane on: r2 r4 r6 r8 of the even vectors
// and r10 … r16 of the second and float 16. Loading float 16 alone
// rather than a third LD2 keeps the reads inside the rows. Then 4 outputs
// from 9 floats the same way, then single ones with the scalar FMAX.
TEXT ·maxPool3x3s2NEON(SB), NOSPLIT, $0-96
	MOVD dst_base+0(FP), D_PTR
	MOVD dst_len+8(FP), N
	MOVD r0_base+24(FP), P0
	MOVD r1_base+48(FP), P1
	MOVD r2_base+72(FP), P2

loop8:
	CMP    $8, N
	BLT    loop4
	VLD2.P 32(P0), [V0.S4, V1.S4]
	VLD2.P 32(P0), [V2.S4, V3.S4]
	FMOVS  (P0), F16
	VLD2.P 32(P1), [V4.S4, V5.S4]
	VLD2.P 32(P1), [V6.S4, V7.S4]
	FMOVS  (P1), F17
	VLD2.P 32(P2), [V20.S4, V21.S4]
	VLD2.P 32(P2), [V22.S4, V23.S4]
	FMOVS  (P2), F18
	WORD   $0x4e24f400 // FMAX V0.4S, V0.4S, V4.4S
	WORD   $0x4e25f421 // FMAX V1.4S, V1.4S, V5.4S
	WORD   $0x4e26f442 // FMAX V2.4S, V2.4S, V6.4S
	WORD   $0x4e27f463 // FMAX V3.4S, V3.4S, V7.4S
	FMAXS  F17, F16, F16
	WORD   $0x4e34f400 // FMAX V0.4S, V0.4S, V20.4S
	WORD   $0x4e35f421 // FMAX V1.4S, V1.4S, V21.4S
	WORD   $0x4e36f442 // FMAX V2.4S, V2.4S, V22.4S
	WORD   $0x4e37f463 // FMAX V3.4S, V3.4S, V23.4S
	FMAXS  F18, F16, F16
	VEXT   $4, V2.B16, V0.B16, V24.B16
	VEXT   $4, V16.B16, V2.B16, V25.B16
	WORD   $0x4e21f404 // FMAX V4.4S, V0.4S, V1.4S
	WORD   $0x4e23f445 // FMAX V5.4S, V2.4S, V3.4S
	WORD   $0x4e38f484 // FMAX V4.4S, V4.4S, V24.4S
	WORD   $0x4e39f4a5 // FMAX V5.4S, V5.4S, V25.4S
	VST1.P [V4.S4, V5.S4], 32(D_PTR)
	SUB    $8, N
	B      loop8

loop4:
	CMP    $4, N
	BLT    loop1
	VLD2.P 32(P0), [V0.S4, V1.S4]
	FMOVS  (P0), F16
	VLD2.P 32(P1), [V4.S4, V5.S4]
	FMOVS  (P1), F17
	VLD2.P 32(P2), [V20.S4, V21.S4]
	FMOVS  (P2), F18
	WORD   $0x4e24f400 // FMAX V0.4S, V0.4S, V4.4S
	WORD   $0x4e25f421 // FMAX V1.4S, V1.4S, V5.4S
	FMAXS  F17, F16, F16
	WORD   $0x4e34f400 // FMAX V0.4S, V0.4S, V20.4S
	WORD   $0x4e35f421 // FMAX V1.4S, V1.4S, V21.4S
	FMAXS  F18, F16, F16
	VEXT   $4, V16.B16, V0.B16, V24.B16
	WORD   $0x4e21f404 // FMAX V4.4S, V0.4S, V1.4S
	WORD   $0x4e38f484 // FMAX V4.4S, V4.4S, V24.4S
	VST1.P [V4.S4], 16(D_PTR)
	SUB    $4, N
	B      loop4

loop1:
	CBZ     N, done
	FMOVS   (P0), F0
	FMOVS   4(P0), F1
	FMOVS   8(P0), F2
	FMOVS   (P1), F3
	FMOVS   4(P1), F4
	FMOVS   8(P1), F5
	FMOVS   (P2), F6
	FMOVS   4(P2), F7
	FMOVS   8(P2), F16
	ADD     $8, P0
	ADD     $8, P1
	ADD     $8, P2
	FMAXS   F1, F0, F0
	FMAXS   F4, F3, F3
	FMAXS   F7, F6, F6
	FMAXS   F2, F0, F0
	FMAXS   F5, F3, F3
	FMAXS   F16, F6, F6
	FMAXS   F3, F0, F0
	FMAXS   F6, F0, F0
	FMOVS.P F0, 4(D_PTR)
	SUB     $1, N
	B       loop1

done:
	RET
