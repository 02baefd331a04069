//go:build !purego

#include "textflag.h"

// Distance kernels for arm64 (NEON). 16 floats per iteration in four
// accumulators (V16–V19), so that one accumulator's FMLAs are a whole
// iteration apart (the FMLA latency: 4 cycles on the A76, 7 on the A72,
// more on the A53); then 4 floats at a time; then single floats, loaded
// into the low lane of a vector whose other lanes are zero. The sum of
// the four accumulators is reduced at the end (FADD, FADDP). The
// assembler spells the vector FMLA (VFMLA) but not FSUB, FADD or FADDP,
// hence the WORDs.
//
// Both kernels stream two vectors per FMLA: they are bound by loads
// (memory for a gallery larger than the cache), not by arithmetic.

#define PA R0
#define PB R1
#define N R2

// ZERO_ACC clears the accumulators V16–V19.
#define ZERO_ACC \
	VEOR	V16.B16, V16.B16, V16.B16 \
	VEOR	V17.B16, V17.B16, V17.B16 \
	VEOR	V18.B16, V18.B16, V18.B16 \
	VEOR	V19.B16, V19.B16, V19.B16

// func l2Asm(a, b []float32) float32
// len(b) == len(a) (the Go wrapper slices b).
TEXT ·l2Asm(SB), NOSPLIT, $0-52
	MOVD	a_base+0(FP), PA
	MOVD	a_len+8(FP), N
	MOVD	b_base+24(FP), PB
	ZERO_ACC

loop16:
	CMP	$16, N
	BLT	loop4
	VLD1.P	64(PA), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(PB), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD	$0x4ea4d400 // FSUB V0.4S, V0.4S, V4.4S
	WORD	$0x4ea5d421 // FSUB V1.4S, V1.4S, V5.4S
	WORD	$0x4ea6d442 // FSUB V2.4S, V2.4S, V6.4S
	WORD	$0x4ea7d463 // FSUB V3.4S, V3.4S, V7.4S
	VFMLA	V0.S4, V0.S4, V16.S4
	VFMLA	V1.S4, V1.S4, V17.S4
	VFMLA	V2.S4, V2.S4, V18.S4
	VFMLA	V3.S4, V3.S4, V19.S4
	SUB	$16, N
	B	loop16

loop4:
	CMP	$4, N
	BLT	loop1
	VLD1.P	16(PA), [V0.S4]
	VLD1.P	16(PB), [V4.S4]
	WORD	$0x4ea4d400 // FSUB V0.4S, V0.4S, V4.4S
	VFMLA	V0.S4, V0.S4, V16.S4
	SUB	$4, N
	B	loop4

loop1:
	CBZ	N, done
	FMOVS.P	4(PA), F0 // V0 = (a[i], 0, 0, 0)
	FMOVS.P	4(PB), F4
	FSUBS	F4, F0, F0
	VFMLA	V0.S4, V0.S4, V17.S4
	SUB	$1, N
	B	loop1

done:
	WORD	$0x4e31d610 // FADD V16.4S, V16.4S, V17.4S
	WORD	$0x4e33d652 // FADD V18.4S, V18.4S, V19.4S
	WORD	$0x4e32d610 // FADD V16.4S, V16.4S, V18.4S
	WORD	$0x6e30d610 // FADDP V16.4S, V16.4S, V16.4S
	WORD	$0x7e30da00 // FADDP S0, V16.2S
	FMOVS	F0, ret+48(FP)
	RET

// func dotAsm(a, b []float32) float32
// len(b) == len(a) (the Go wrapper slices b).
TEXT ·dotAsm(SB), NOSPLIT, $0-52
	MOVD	a_base+0(FP), PA
	MOVD	a_len+8(FP), N
	MOVD	b_base+24(FP), PB
	ZERO_ACC

loop16:
	CMP	$16, N
	BLT	loop4
	VLD1.P	64(PA), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(PB), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA	V0.S4, V4.S4, V16.S4
	VFMLA	V1.S4, V5.S4, V17.S4
	VFMLA	V2.S4, V6.S4, V18.S4
	VFMLA	V3.S4, V7.S4, V19.S4
	SUB	$16, N
	B	loop16

loop4:
	CMP	$4, N
	BLT	loop1
	VLD1.P	16(PA), [V0.S4]
	VLD1.P	16(PB), [V4.S4]
	VFMLA	V0.S4, V4.S4, V16.S4
	SUB	$4, N
	B	loop4

loop1:
	CBZ	N, done
	FMOVS.P	4(PA), F0 // V0 = (a[i], 0, 0, 0)
	FMOVS.P	4(PB), F4
	VFMLA	V0.S4, V4.S4, V17.S4
	SUB	$1, N
	B	loop1

done:
	WORD	$0x4e31d610 // FADD V16.4S, V16.4S, V17.4S
	WORD	$0x4e33d652 // FADD V18.4S, V18.4S, V19.4S
	WORD	$0x4e32d610 // FADD V16.4S, V16.4S, V18.4S
	WORD	$0x6e30d610 // FADDP V16.4S, V16.4S, V16.4S
	WORD	$0x7e30da00 // FADDP S0, V16.2S
	FMOVS	F0, ret+48(FP)
	RET
