//go:build !purego

#include "textflag.h"

// dwPlane3 is dwRow3 (depthwise_amd64.s) for a whole plane whose 3×3
// taps all fall inside the input (a zero-padded plane, or a valid
// convolution), stride 1 across:
//
//	dst[r·n + i] = bias + Σ_{y<3} Σ_{x<3} w[3y+x]·src[r·step + y·ldsrc + i + x]
//
// for oh output rows of n outputs. The nine weights and the bias are
// broadcast once for the plane, not once a row: on the few-row maps of a
// network's last layers (4×4, 7×7) the per-row set-up and call were most
// of the time. A row is done as in dwRow3: pairs of vectors, one more,
// then one ending at the row's last output; rows shorter than a vector
// with masked loads and a masked store.

#define DST DI
#define SRC SI
#define LDSRC R8
#define NBYTES R9
#define N_LEFT CX
#define W_PTR AX
#define MASKP DX
#define SRC1 R10
#define SRC2 R11
#define RDST BX
#define RSRC R12
#define STEP R13
#define BIAS Y6
#define MASK Y5
#define TMP Y4

#include "depthwise_amd64.h"

// ONE computes 8 outputs at off into Y0 (three accumulators, added as
// dwRow3 adds them).
#define ONE(off) \
	VMOVAPS BIAS, Y0                  \
	ROW0(off, SRC, Y0, Y7, Y8, Y9)    \
	ROW(off, SRC1, Y1, Y10, Y11, Y12) \
	ROW(off, SRC2, Y2, Y13, Y14, Y15) \
	VADDPS  Y2, Y1, Y1                \
	VADDPS  Y1, Y0, Y0

// func dwPlane3(dst *float32, n int, src *float32, ldsrc, oh int, w *float32, bias float32, step int)
TEXT ·dwPlane3(SB), NOSPLIT, $0-64
	MOVQ         dst+0(FP), RDST
	MOVQ         n+8(FP), NBYTES
	SHLQ         $2, NBYTES
	MOVQ         src+16(FP), RSRC
	MOVQ         ldsrc+24(FP), LDSRC
	SHLQ         $2, LDSRC
	MOVQ         step+56(FP), STEP
	SHLQ         $2, STEP
	MOVQ         w+40(FP), W_PTR
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS (W_PTR), Y7
	VBROADCASTSS 4(W_PTR), Y8
	VBROADCASTSS 8(W_PTR), Y9
	VBROADCASTSS 12(W_PTR), Y10
	VBROADCASTSS 16(W_PTR), Y11
	VBROADCASTSS 20(W_PTR), Y12
	VBROADCASTSS 24(W_PTR), Y13
	VBROADCASTSS 28(W_PTR), Y14
	VBROADCASTSS 32(W_PTR), Y15

row:
	MOVQ RDST, DST
	MOVQ RSRC, SRC
	LEAQ (SRC)(LDSRC*1), SRC1
	LEAQ (SRC)(LDSRC*2), SRC2
	MOVQ n+8(FP), N_LEFT
	CMPQ N_LEFT, $8
	JB   short

pairs:
	CMPQ    N_LEFT, $16
	JB      last
	ONE(0)
	VMOVAPS Y0, Y3
	ONE(32)
	VMOVUPS Y3, (DST)
	VMOVUPS Y0, 32(DST)
	ADDQ    $64, DST
	ADDQ    $64, SRC
	ADDQ    $64, SRC1
	ADDQ    $64, SRC2
	SUBQ    $16, N_LEFT
	JMP     pairs

last: // 0–15 left of a row of at least 8: one vector, then one ending at the last output
	TESTQ N_LEFT, N_LEFT
	JZ    next
	CMPQ  N_LEFT, $8
	JAE   one
	SUBQ  $8, N_LEFT
	SHLQ  $2, N_LEFT
	ADDQ  N_LEFT, DST
	ADDQ  N_LEFT, SRC
	ADDQ  N_LEFT, SRC1
	ADDQ  N_LEFT, SRC2
	MOVQ  $8, N_LEFT

one:
	ONE(0)
	VMOVUPS Y0, (DST)
	ADDQ    $32, DST
	ADDQ    $32, SRC
	ADDQ    $32, SRC1
	ADDQ    $32, SRC2
	SUBQ    $8, N_LEFT
	JMP     last

short: // a row of fewer than 8 outputs
	LEAQ       dwPlaneMask<>+32(SB), MASKP
	SHLQ       $2, N_LEFT
	SUBQ       N_LEFT, MASKP
	VMOVDQU    (MASKP), MASK
	VMOVAPS    BIAS, Y0
	MROW0(SRC, Y0, Y7, Y8, Y9)
	MROW(SRC1, Y1, Y10, Y11, Y12)
	MROW(SRC2, Y2, Y13, Y14, Y15)
	VADDPS     Y2, Y1, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, MASK, (DST)

next:
	ADDQ NBYTES, RDST
	ADDQ STEP, RSRC
	DECQ oh+32(FP)
	JNZ  row
	VZEROUPPER
	RET

// dwPlaneMask<>+4·(8-n) is a load/store mask with its first n lanes set.
DATA dwPlaneMask<>+0(SB)/8, $0xffffffffffffffff
DATA dwPlaneMask<>+8(SB)/8, $0xffffffffffffffff
DATA dwPlaneMask<>+16(SB)/8, $0xffffffffffffffff
DATA dwPlaneMask<>+24(SB)/8, $0xffffffffffffffff
DATA dwPlaneMask<>+32(SB)/8, $0
DATA dwPlaneMask<>+40(SB)/8, $0
DATA dwPlaneMask<>+48(SB)/8, $0
DATA dwPlaneMask<>+56(SB)/8, $0
GLOBL dwPlaneMask<>(SB), RODATA|NOPTR, $64
