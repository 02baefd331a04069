//go:build !purego

#include "textflag.h"

// L2Squared and Dot: four ymm accumulators take 32 floats per iteration
// (enough independent chains for the add/FMA latency), then single
// vectors, then a last 1–7 floats with a masked load, which reads nothing
// past the end and leaves zeros in the other lanes; the four
// accumulators are added and reduced horizontally at the end.

// tailMask<>+4·(8-n) is a ymm load mask with its first n lanes set.
DATA tailMask<>+0(SB)/8, $0xffffffffffffffff
DATA tailMask<>+8(SB)/8, $0xffffffffffffffff
DATA tailMask<>+16(SB)/8, $0xffffffffffffffff
DATA tailMask<>+24(SB)/8, $0xffffffffffffffff
DATA tailMask<>+32(SB)/8, $0
DATA tailMask<>+40(SB)/8, $0
DATA tailMask<>+48(SB)/8, $0
DATA tailMask<>+56(SB)/8, $0
GLOBL tailMask<>(SB), RODATA|NOPTR, $64

#define A_PTR SI
#define B_PTR DI
#define N_LEFT CX
#define MASKP AX
#define ACC0 Y0
#define ACC1 Y1
#define ACC2 Y2
#define ACC3 Y3
#define MASK Y8

// L2STEP adds (a-b)² for the 8 floats at off into acc, using t.
#define L2STEP(off, acc, t) \
	VMOVUPS     off(A_PTR), t \
	VSUBPS      off(B_PTR), t, t \
	VFMADD231PS t, t, acc

#define DOTSTEP(off, acc, t) \
	VMOVUPS     off(A_PTR), t \
	VFMADD231PS off(B_PTR), t, acc

// LOADTAIL loads the last N_LEFT (1–7) floats of a and b into ta and tb.
#define LOADTAIL(ta, tb) \
	LEAQ       tailMask<>+32(SB), MASKP \
	SHLQ       $2, N_LEFT               \
	SUBQ       N_LEFT, MASKP            \
	VMOVDQU    (MASKP), MASK            \
	VMASKMOVPS (A_PTR), MASK, ta        \
	VMASKMOVPS (B_PTR), MASK, tb

// REDUCE leaves ACC0+ACC1+ACC2+ACC3, summed across lanes, in X0.
#define REDUCE \
	VADDPS       ACC1, ACC0, ACC0 \
	VADDPS       ACC3, ACC2, ACC2 \
	VADDPS       ACC2, ACC0, ACC0 \
	VEXTRACTF128 $1, ACC0, X1     \
	VADDPS       X1, X0, X0       \
	VMOVHLPS     X0, X0, X1       \
	VADDPS       X1, X0, X0       \
	VMOVSHDUP    X0, X1           \
	VADDSS       X1, X0, X0

#define PROLOGUE \
	MOVQ   a_base+0(FP), A_PTR  \
	MOVQ   b_base+24(FP), B_PTR \
	MOVQ   a_len+8(FP), N_LEFT  \
	VXORPS ACC0, ACC0, ACC0     \
	VXORPS ACC1, ACC1, ACC1     \
	VXORPS ACC2, ACC2, ACC2     \
	VXORPS ACC3, ACC3, ACC3

// func l2AVX2(a, b []float32) float32
TEXT ·l2AVX2(SB), NOSPLIT, $0-52
	PROLOGUE
	CMPQ N_LEFT, $32
	JB   vectors

blocks:
	L2STEP(0, ACC0, Y4)
	L2STEP(32, ACC1, Y5)
	L2STEP(64, ACC2, Y6)
	L2STEP(96, ACC3, Y7)
	ADDQ $128, A_PTR
	ADDQ $128, B_PTR
	SUBQ $32, N_LEFT
	CMPQ N_LEFT, $32
	JAE  blocks

vectors:
	CMPQ N_LEFT, $8
	JB   tail
	L2STEP(0, ACC0, Y4)
	ADDQ $32, A_PTR
	ADDQ $32, B_PTR
	SUBQ $8, N_LEFT
	JMP  vectors

tail:
	TESTQ       N_LEFT, N_LEFT
	JZ          done
	LOADTAIL(Y4, Y5)
	VSUBPS      Y5, Y4, Y4
	VFMADD231PS Y4, Y4, ACC1

done:
	REDUCE
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dotAVX2(a, b []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	PROLOGUE
	CMPQ N_LEFT, $32
	JB   vectors

blocks:
	DOTSTEP(0, ACC0, Y4)
	DOTSTEP(32, ACC1, Y5)
	DOTSTEP(64, ACC2, Y6)
	DOTSTEP(96, ACC3, Y7)
	ADDQ $128, A_PTR
	ADDQ $128, B_PTR
	SUBQ $32, N_LEFT
	CMPQ N_LEFT, $32
	JAE  blocks

vectors:
	CMPQ N_LEFT, $8
	JB   tail
	DOTSTEP(0, ACC0, Y4)
	ADDQ $32, A_PTR
	ADDQ $32, B_PTR
	SUBQ $8, N_LEFT
	JMP  vectors

tail:
	TESTQ       N_LEFT, N_LEFT
	JZ          done
	LOADTAIL(Y4, Y5)
	VFMADD231PS Y5, Y4, ACC1

done:
	REDUCE
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET
