//go:build !purego

#include "textflag.h"

// gemm8x48z: the 4×48 kernel of gemm512_amd64.s on two A panels at once
// (driver: strip512.kernel in gemm512_amd64.go), for an even number of
// panels. 24 accumulators Z0–Z23 (panel q, row r, vector v in
// Z(12q+3r+v)), the B row in Z24–Z26 and the broadcast A value in Z27.
// Each k step is 3 B loads, 8 broadcasts and 24 FMAs: 11 loads per 24
// FMAs where the 4×48 tile needs 14, and each B row loaded from L1 once
// per 8 rows of C instead of 4. On Zen 5 the loads, not the FMAs, bound
// the 4×48 tile (the same kernel with the broadcasts folded into the FMAs
// as memory operands, 15 loads per 12 FMAs, ran at three quarters of its
// speed). The second panel is read at A_PTR + astride (ASTR, which takes
// ACCUM's register: accum is read from the frame at the end). Each
// element of C is the same chain of FMAs in k order as in gemm4x48z, so
// the two agree bit for bit. The body is the macro GEMM8X48, expanded
// twice: gemm8x48z, and gemm8x48zpb, which also prefetches B
// (PREFETCH_B).

#define A_PTR SI
#define B_PTR DI
#define C_PTR DX
#define LDC R8
#define C1 R9
#define C2 R12
#define C3 R13
#define K_LEFT CX
#define PANELS BX
#define ASTR R10
#define A_NEXT R11
#define LDB AX
#define PF_PTR R9

#define BFMA3(src, c0, c1, c2) \
	VBROADCASTSS src, Z27      \
	VFMADD231PS  Z24, Z27, c0  \
	VFMADD231PS  Z25, Z27, c1  \
	VFMADD231PS  Z26, Z27, c2

#define STEP8x48 \
	VMOVUPS   (B_PTR), Z24                 \
	VMOVUPS   64(B_PTR), Z25               \
	VMOVUPS.Z 128(B_PTR), K1, Z26          \
	ADDQ      LDB, B_PTR                   \
	BFMA3(0(A_PTR), Z0, Z1, Z2)            \
	BFMA3(4(A_PTR), Z3, Z4, Z5)            \
	BFMA3(8(A_PTR), Z6, Z7, Z8)            \
	BFMA3(12(A_PTR), Z9, Z10, Z11)         \
	BFMA3(0(A_PTR)(ASTR*1), Z12, Z13, Z14) \
	BFMA3(4(A_PTR)(ASTR*1), Z15, Z16, Z17) \
	BFMA3(8(A_PTR)(ASTR*1), Z18, Z19, Z20) \
	BFMA3(12(A_PTR)(ASTR*1), Z21, Z22, Z23) \
	ADDQ      $16, A_PTR

// PREFETCH_A2: the next pair's lines that this iteration's four k steps
// match, in both of its panels.
#define PREFETCH_A2 \
	PREFETCHT0 (PF_PTR)         \
	PREFETCHT0 (PF_PTR)(ASTR*1) \
	ADDQ       $64, PF_PTR

#define ROWS4 \
	LEAQ (C_PTR)(LDC*1), C1 \
	LEAQ (C_PTR)(LDC*2), C2 \
	LEAQ (C1)(LDC*2), C3

// ADD3 adds C's row at p into three accumulators, the last masked.
#define ADD3(p, x0, x1, x2) \
	VADDPS    (p), x0, x0     \
	VADDPS    64(p), x1, x1   \
	VMOVUPS.Z 128(p), K1, Z24 \
	VADDPS    Z24, x2, x2

#define SAVE3(p, x0, x1, x2) \
	VMOVUPS x0, (p)   \
	VMOVUPS x1, 64(p) \
	VMOVUPS x2, K1, 128(p)

// The epilogue (as EPI1 of gemm512_amd64.s, same operand order): bias in
// Z27, lo and hi in Z25 and Z26, DI at the pair's 8 biases.
#define EPIX(x) \
	VADDPS x, Z27, x \
	VMAXPS x, Z25, x \
	VMINPS x, Z26, x

#define EPIR(r, x0, x1, x2) \
	VBROADCASTSS r*4(DI), Z27 \
	EPIX(x0)                  \
	EPIX(x1)                  \
	EPIX(x2)

// PREFETCH_B: the B row PFD bytes (256 rows of 48 floats: the next K
// block of the strip, packB512's layout) ahead of this k step's, into
// L2, for gemm8x48zpb: gemmB512's B is the weights, packed once and
// streamed from memory each run, and the second pair's pass over a block
// (from L1) otherwise left the memory idle. GemmPackedB 16×4608 by
// 4608×512 from DRAM, one core, Zen 5: 820–900 µs; prefetched into L1 at
// 3–24 KB, 560–700; into L2 at 12–48 KB, 435–490 (resnet18's 512-channel
// 3×3 layers at 112², in the network: 940 → 640–720 µs).
#define PFD 49152
#define NO_PREFETCH_B
#define PREFETCH_B \
	PREFETCHT1 PFD(B_PTR)     \
	PREFETCHT1 PFD+64(B_PTR)  \
	PREFETCHT1 PFD+128(B_PTR)

#define GEMM8X48(PFB) \
	MOVQ  mask+72(FP), CX \
	KMOVW CX, K1 \
	MOVQ  a+0(FP), A_NEXT \
	MOVQ  astride+8(FP), ASTR \
	MOVQ  panels+16(FP), PANELS \
	MOVQ  ldb+32(FP), LDB \
	SHLQ  $2, LDB \
	MOVQ  c+48(FP), C_PTR \
	MOVQ  ldc+56(FP), LDC \
	SHLQ  $2, LDC \
 \
pair: \
	MOVQ   A_NEXT, A_PTR \
	LEAQ   (A_NEXT)(ASTR*2), A_NEXT \
	MOVQ   A_NEXT, PF_PTR \
	MOVQ   b+24(FP), B_PTR \
	MOVQ   kc+40(FP), K_LEFT \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12 \
	VPXORD Z13, Z13, Z13 \
	VPXORD Z14, Z14, Z14 \
	VPXORD Z15, Z15, Z15 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23 \
	CMPQ   K_LEFT, $4 \
	JB     tail \
 \
unrolled: /* four k steps per iteration */ \
	PREFETCH_A2 \
	PFB \
	STEP8x48 \
	PFB \
	STEP8x48 \
	PFB \
	STEP8x48 \
	PFB \
	STEP8x48 \
	SUBQ $4, K_LEFT \
	CMPQ K_LEFT, $4 \
	JAE  unrolled \
 \
tail: \
	TESTQ K_LEFT, K_LEFT \
	JZ    store \
	STEP8x48 \
	DECQ  K_LEFT \
	JMP   tail \
 \
store: /* rows 0–3 at C_PTR…C3, rows 4–7 four rows further down */ \
	ROWS4 \
	MOVQ  accum+64(FP), CX \
	TESTQ CX, CX \
	JZ    epi \
	ADD3(C_PTR, Z0, Z1, Z2) \
	ADD3(C1, Z3, Z4, Z5) \
	ADD3(C2, Z6, Z7, Z8) \
	ADD3(C3, Z9, Z10, Z11) \
	LEAQ  (C_PTR)(LDC*4), C_PTR \
	ROWS4 \
	ADD3(C_PTR, Z12, Z13, Z14) \
	ADD3(C1, Z15, Z16, Z17) \
	ADD3(C2, Z18, Z19, Z20) \
	ADD3(C3, Z21, Z22, Z23) \
	NEGQ  LDC \
	LEAQ  (C_PTR)(LDC*4), C_PTR \
	NEGQ  LDC \
	ROWS4 \
 \
epi: \
	MOVQ         epi+80(FP), CX \
	TESTQ        CX, CX \
	JZ           save \
	MOVQ         panels+16(FP), DI \
	SUBQ         PANELS, DI \
	SHLQ         $4, DI \
	ADDQ         (CX), DI \
	VBROADCASTSS 8(CX), Z25 \
	VBROADCASTSS 12(CX), Z26 \
	EPIR(0, Z0, Z1, Z2) \
	EPIR(1, Z3, Z4, Z5) \
	EPIR(2, Z6, Z7, Z8) \
	EPIR(3, Z9, Z10, Z11) \
	EPIR(4, Z12, Z13, Z14) \
	EPIR(5, Z15, Z16, Z17) \
	EPIR(6, Z18, Z19, Z20) \
	EPIR(7, Z21, Z22, Z23) \
 \
save: \
	SAVE3(C_PTR, Z0, Z1, Z2) \
	SAVE3(C1, Z3, Z4, Z5) \
	SAVE3(C2, Z6, Z7, Z8) \
	SAVE3(C3, Z9, Z10, Z11) \
	LEAQ (C_PTR)(LDC*4), C_PTR \
	ROWS4 \
	SAVE3(C_PTR, Z12, Z13, Z14) \
	SAVE3(C1, Z15, Z16, Z17) \
	SAVE3(C2, Z18, Z19, Z20) \
	SAVE3(C3, Z21, Z22, Z23) \
	LEAQ (C_PTR)(LDC*4), C_PTR \
	SUBQ $2, PANELS \
	JNZ  pair \
	VZEROUPPER \
	RET

// func gemm8x48z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)
TEXT ·gemm8x48z(SB), NOSPLIT, $0-88
	GEMM8X48(NO_PREFETCH_B)

// func gemm8x48zpb(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)
TEXT ·gemm8x48zpb(SB), NOSPLIT, $0-88
	GEMM8X48(PREFETCH_B)
