//go:build !purego

#include "textflag.h"

// AVX2+FMA micro-kernels for GemmOffsets (driver: gemmoff_amd64.go): the
// kernels of gemm_amd64.s with one change, where row p of the B
// micro-panel lives. Here it is b + 4·offs[p] bytes: for a stride-1
// convolution, b points into the zero-padded input planes at the tile's
// first output column and offs[p] is the distance of tap p (channel c,
// kernel row ky, column kx) from there, c·plane + ky·wp + kx. The B rows
// are read in place, so the im2col matrix and the packed copy of B are
// never written; the rows of neighbouring taps overlap, and what one tile
// reads (about 3 input rows × (tile + 2) columns per channel) stays in L1.
//
// Per k step this is the STEP of gemm_amd64.s plus one 32-bit load of the
// offset (sign-extended), on a core that issues two or three loads a cycle
// next to the two FMA pipes: 4 + 3 + 4 loads against 12 FMAs for the 4×24
// tile. Registers are those of gemm_amd64.s, with OFF_PTR in AX (LDB is not
// needed) and the offset in R10 (ACCUM is read from the frame at the end).

#define A_PTR SI
#define B_BASE DI
#define C_PTR DX
#define LDC R8
#define C1 R9
#define C2 R12
#define C3 R13
#define K_LEFT CX
#define PANELS BX
#define OFF R10
#define A_NEXT R11
#define OFF_PTR AX

#define BCAST Y15

#include "gemm_amd64.h"

// BROW loads the offset of the next B row into OFF and advances OFF_PTR.
#define BROW \
	MOVLQSX (OFF_PTR), OFF \
	ADDQ    $4, OFF_PTR

#define STEP24 \
	BROW                             \
	VMOVUPS (B_BASE)(OFF*4), Y12     \
	VMOVUPS 32(B_BASE)(OFF*4), Y13   \
	VMOVUPS 64(B_BASE)(OFF*4), Y14   \
	FMA3(0, Y0, Y1, Y2)              \
	FMA3(4, Y3, Y4, Y5)              \
	FMA3(8, Y6, Y7, Y8)              \
	FMA3(12, Y9, Y10, Y11)           \
	ADDQ    $16, A_PTR

// STEP24U is k step i of four unrolled ones: offsets and A read at
// displacements, the pointers advanced once by STEP24ADV.
#define STEP24U(i) \
	MOVLQSX (i*4)(OFF_PTR), OFF      \
	VMOVUPS (B_BASE)(OFF*4), Y12     \
	VMOVUPS 32(B_BASE)(OFF*4), Y13   \
	VMOVUPS 64(B_BASE)(OFF*4), Y14   \
	FMA3(i*16, Y0, Y1, Y2)           \
	FMA3(i*16+4, Y3, Y4, Y5)         \
	FMA3(i*16+8, Y6, Y7, Y8)         \
	FMA3(i*16+12, Y9, Y10, Y11)

#define STEP24ADV \
	ADDQ $16, OFF_PTR \
	ADDQ $64, A_PTR

#define STEP16 \
	BROW                             \
	VMOVUPS (B_BASE)(OFF*4), Y12     \
	VMOVUPS 32(B_BASE)(OFF*4), Y13   \
	FMA2(0, Y0, Y1)                  \
	FMA2(4, Y2, Y3)                  \
	FMA2(8, Y4, Y5)                  \
	FMA2(12, Y6, Y7)                 \
	ADDQ    $16, A_PTR

// STEP8 alternates two sets of accumulators, Y0–Y3 and Y4–Y7, by the
// caller's choice of c0–c3: four chains alone would wait on the FMA
// latency.
#define STEP8(c0, c1, c2, c3) \
	BROW                              \
	VMOVUPS      (B_BASE)(OFF*4), Y12 \
	VBROADCASTSS (A_PTR), BCAST       \
	VFMADD231PS  Y12, BCAST, c0       \
	VBROADCASTSS 4(A_PTR), BCAST      \
	VFMADD231PS  Y12, BCAST, c1       \
	VBROADCASTSS 8(A_PTR), BCAST      \
	VFMADD231PS  Y12, BCAST, c2       \
	VBROADCASTSS 12(A_PTR), BCAST     \
	VFMADD231PS  Y12, BCAST, c3       \
	ADDQ         $16, A_PTR

// PANEL_START points A_PTR at the next panel, OFF_PTR at the first offset
// and K_LEFT at kc.
#define PANEL_START \
	MOVQ A_NEXT, A_PTR         \
	ADDQ astride+8(FP), A_NEXT \
	MOVQ offs+32(FP), OFF_PTR  \
	MOVQ kc+40(FP), K_LEFT

#define PROLOGUE \
	MOVQ a+0(FP), A_NEXT          \
	MOVQ panels+16(FP), PANELS    \
	MOVQ b+24(FP), B_BASE         \
	MOVQ c+48(FP), C_PTR          \
	MOVQ ldc+56(FP), LDC          \
	SHLQ $2, LDC

// func gemm4x24off(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum int)
TEXT ·gemm4x24off(SB), NOSPLIT, $0-72
	PROLOGUE

panel:
	PANEL_START
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	CMPQ   K_LEFT, $4
	JB     tail

unrolled:
	STEP24U(0)
	STEP24U(1)
	STEP24U(2)
	STEP24U(3)
	STEP24ADV
	SUBQ $4, K_LEFT
	CMPQ K_LEFT, $4
	JAE  unrolled

tail:
	TESTQ K_LEFT, K_LEFT
	JZ    store
	STEP24
	DECQ  K_LEFT
	JMP   tail

store:
	ROWS4
	CMPQ accum+64(FP), $0
	JEQ  save
	ROW3(C_PTR, Y0, Y1, Y2)
	ROW3(C1, Y3, Y4, Y5)
	ROW3(C2, Y6, Y7, Y8)
	ROW3(C3, Y9, Y10, Y11)

save:
	SAVE3(C_PTR, Y0, Y1, Y2)
	SAVE3(C1, Y3, Y4, Y5)
	SAVE3(C2, Y6, Y7, Y8)
	SAVE3(C3, Y9, Y10, Y11)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

// func gemm4x16off(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum int)
TEXT ·gemm4x16off(SB), NOSPLIT, $0-72
	PROLOGUE

panel:
	PANEL_START
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

loop:
	STEP16
	DECQ K_LEFT
	JNZ  loop

	ROWS4
	CMPQ accum+64(FP), $0
	JEQ  save
	ROW2(C_PTR, Y0, Y1)
	ROW2(C1, Y2, Y3)
	ROW2(C2, Y4, Y5)
	ROW2(C3, Y6, Y7)

save:
	SAVE2(C_PTR, Y0, Y1)
	SAVE2(C1, Y2, Y3)
	SAVE2(C2, Y4, Y5)
	SAVE2(C3, Y6, Y7)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

// func gemm4x8off(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum int)
TEXT ·gemm4x8off(SB), NOSPLIT, $0-72
	PROLOGUE

panel:
	PANEL_START
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	CMPQ   K_LEFT, $2
	JB     odd

pairs:
	STEP8(Y0, Y1, Y2, Y3)
	STEP8(Y4, Y5, Y6, Y7)
	SUBQ $2, K_LEFT
	CMPQ K_LEFT, $2
	JAE  pairs

odd: // a last single k step, into the even set
	TESTQ K_LEFT, K_LEFT
	JZ    store
	STEP8(Y0, Y1, Y2, Y3)

store:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	ROWS4
	CMPQ   accum+64(FP), $0
	JEQ    save
	VADDPS (C_PTR), Y0, Y0
	VADDPS (C1), Y1, Y1
	VADDPS (C2), Y2, Y2
	VADDPS (C3), Y3, Y3

save:
	VMOVUPS Y0, (C_PTR)
	VMOVUPS Y1, (C1)
	VMOVUPS Y2, (C2)
	VMOVUPS Y3, (C3)
	LEAQ    (C_PTR)(LDC*4), C_PTR
	DECQ    PANELS
	JNZ     panel
	VZEROUPPER
	RET
