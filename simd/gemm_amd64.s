//go:build !purego

#include "textflag.h"

// AVX2+FMA micro-kernels for GemmPacked (driver: gemm_amd64.go).
//
// C (4 rows × NR columns) = A panel (4 rows × kc, k-major: the 4 values of
// column p are adjacent) · B micro-panel (kc × NR, row stride ldb floats:
// packed by packB with a stride of 24 whatever NR is, or B itself).
//
// The main tile is 4×24: 12 accumulators Y0–Y11 (row r, vector v in
// Y(3r+v)), the three vectors of a B row in Y12–Y14 and one broadcast A
// value in Y15 — all sixteen ymm registers. Each k step is 3 loads, 4
// broadcasts and 12 FMAs: on a core with two 256-bit FMA pipes that is 6
// cycles (12 on first-generation Zen, whose pipes are 128 bits wide), the
// loads fit in half of it, and 12 independent accumulators cover the FMA
// latency (5 cycles × 2 pipes). The k loop is unrolled four times. Four
// rows rather than BLIS's six, so that a panel never straddles the
// 16-row blocks the convolution splits its channels into (a straddled
// panel is computed in full for a few rows). The 4×16 and 4×8 kernels do
// the last columns of B; with fewer FMAs per broadcast they run at about
// 80% and 55% of the 4×24 one on Zen.
//
// Each function loops over `panels` consecutive A panels (astride bytes
// apart), moving down C four rows at a time, so one call covers a whole
// block of rows with the B micro-panel hot in L1; kc ≥ 1 and panels ≥ 1.
// Each line of A the k loop reads, it prefetches the same line of the next
// panel (PREFETCHT0, never a fault past the last): a K block of a panel is
// a few KiB, each the start of a stream the hardware prefetchers have not
// seen, and a product of few columns reads its weights once, cold
// (mobilenet_v2_112's 4×4 pointwise layers; the network at one thread,
// bench-ab, 8 rounds: B/A 0.918; faces 1.00, resnet18_112 0.99; AMD Zen 3).
// With accum != 0 the tile is added to C (K blocks after the first);
// otherwise C is overwritten and never read. A non-nil mask (24 int32, -1
// for the columns of C to write) makes the last vector of each row a
// masked load and store (VMASKMOVPS neither reads nor writes the other
// lanes): the last strip of columns when its width is not a multiple of 8,
// B packed with zero columns after it.

#define A_PTR SI
#define B_PTR DI
#define C_PTR DX
#define LDC R8
#define C1 R9
#define C2 R12
#define C3 R13
#define K_LEFT CX
#define PANELS BX
#define ACCUM R10
#define A_NEXT R11
#define ASTRIDE R14 // bytes from one A panel to the next
#define LDB AX
#define BROW 96 // bytes per packed B row (24 floats)

#define BCAST Y15

#include "gemm_amd64.h"

// STEP24 is one k step of the 4×24 tile (FMA3: gemm_amd64.h).
#define STEP24 \
	VMOVUPS (B_PTR), Y12          \
	VMOVUPS 32(B_PTR), Y13        \
	VMOVUPS 64(B_PTR), Y14        \
	FMA3(0, Y0, Y1, Y2)           \
	FMA3(4, Y3, Y4, Y5)           \
	FMA3(8, Y6, Y7, Y8)           \
	FMA3(12, Y9, Y10, Y11)        \
	ADDQ    LDB, B_PTR            \
	ADDQ    $16, A_PTR

// MROWn and MSAVEn are ROWn and SAVEn with the last vector under MASK
// (Y12, free once the k loop is done; Y13 is a temporary).
#define MASK Y12

#define MROW3(p, x0, x1, x2) \
	VADDPS     (p), x0, x0      \
	VADDPS     32(p), x1, x1    \
	VMASKMOVPS 64(p), MASK, Y13 \
	VADDPS     Y13, x2, x2

#define MSAVE3(p, x0, x1, x2) \
	VMOVUPS    x0, (p)        \
	VMOVUPS    x1, 32(p)      \
	VMASKMOVPS x2, MASK, 64(p)

#define MROW2(p, x0, x1) \
	VADDPS     (p), x0, x0      \
	VMASKMOVPS 32(p), MASK, Y13 \
	VADDPS     Y13, x1, x1

#define MSAVE2(p, x0, x1) \
	VMOVUPS    x0, (p)   \
	VMASKMOVPS x1, MASK, 32(p)

#define MROW1(p, x0) \
	VMASKMOVPS (p), MASK, Y13 \
	VADDPS     Y13, x0, x0

// func gemm4x24(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum int, mask *int32)
TEXT ·gemm4x24(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), A_NEXT
	MOVQ astride+8(FP), ASTRIDE
	MOVQ panels+16(FP), PANELS
	MOVQ ldb+32(FP), LDB
	SHLQ $2, LDB
	MOVQ c+48(FP), C_PTR
	MOVQ ldc+56(FP), LDC
	SHLQ $2, LDC
	MOVQ accum+64(FP), ACCUM

panel:
	MOVQ   A_NEXT, A_PTR
	ADDQ   astride+8(FP), A_NEXT
	MOVQ   b+24(FP), B_PTR
	MOVQ   kc+40(FP), K_LEFT
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

unrolled: // four k steps per iteration
	PREFETCHT0 (A_PTR)(ASTRIDE*1) // the next panel's line
	STEP24
	STEP24
	STEP24
	STEP24
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
	MOVQ  mask+72(FP), B_PTR
	TESTQ B_PTR, B_PTR
	JNZ   masked
	TESTQ ACCUM, ACCUM
	JZ    save
	ROW3(C_PTR, Y0, Y1, Y2)
	ROW3(C1, Y3, Y4, Y5)
	ROW3(C2, Y6, Y7, Y8)
	ROW3(C3, Y9, Y10, Y11)

save:
	SAVE3(C_PTR, Y0, Y1, Y2)
	SAVE3(C1, Y3, Y4, Y5)
	SAVE3(C2, Y6, Y7, Y8)
	SAVE3(C3, Y9, Y10, Y11)

next:
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

masked: // the third vector of each row under the mask's lanes 16-23
	VMOVDQU 64(B_PTR), MASK
	TESTQ   ACCUM, ACCUM
	JZ      msave
	MROW3(C_PTR, Y0, Y1, Y2)
	MROW3(C1, Y3, Y4, Y5)
	MROW3(C2, Y6, Y7, Y8)
	MROW3(C3, Y9, Y10, Y11)

msave:
	MSAVE3(C_PTR, Y0, Y1, Y2)
	MSAVE3(C1, Y3, Y4, Y5)
	MSAVE3(C2, Y6, Y7, Y8)
	MSAVE3(C3, Y9, Y10, Y11)
	JMP next

// STEP16: the 4×16 tile, 8 accumulators Y0–Y7 (row r, vector v
// in Y(2r+v)). Eight chains are a little short of the FMA latency; this
// kernel only ever does the last 9–16 columns.

#define STEP16 \
	VMOVUPS (B_PTR), Y12   \
	VMOVUPS 32(B_PTR), Y13 \
	FMA2(0, Y0, Y1)        \
	FMA2(4, Y2, Y3)        \
	FMA2(8, Y4, Y5)        \
	FMA2(12, Y6, Y7)       \
	ADDQ    LDB, B_PTR     \
	ADDQ    $16, A_PTR

// func gemm4x16(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum int, mask *int32)
TEXT ·gemm4x16(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), A_NEXT
	MOVQ astride+8(FP), ASTRIDE
	MOVQ panels+16(FP), PANELS
	MOVQ ldb+32(FP), LDB
	SHLQ $2, LDB
	MOVQ c+48(FP), C_PTR
	MOVQ ldc+56(FP), LDC
	SHLQ $2, LDC
	MOVQ accum+64(FP), ACCUM

panel:
	MOVQ   A_NEXT, A_PTR
	ADDQ   astride+8(FP), A_NEXT
	MOVQ   b+24(FP), B_PTR
	MOVQ   kc+40(FP), K_LEFT
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

loop:
	PREFETCHT0 (A_PTR)(ASTRIDE*1)
	STEP16
	DECQ K_LEFT
	JNZ  loop

	ROWS4
	MOVQ  mask+72(FP), B_PTR
	TESTQ B_PTR, B_PTR
	JNZ   masked
	TESTQ ACCUM, ACCUM
	JZ    save
	ROW2(C_PTR, Y0, Y1)
	ROW2(C1, Y2, Y3)
	ROW2(C2, Y4, Y5)
	ROW2(C3, Y6, Y7)

save:
	SAVE2(C_PTR, Y0, Y1)
	SAVE2(C1, Y2, Y3)
	SAVE2(C2, Y4, Y5)
	SAVE2(C3, Y6, Y7)

next:
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

masked: // the second vector of each row under the mask's lanes 8-15
	VMOVDQU 32(B_PTR), MASK
	TESTQ   ACCUM, ACCUM
	JZ      msave
	MROW2(C_PTR, Y0, Y1)
	MROW2(C1, Y2, Y3)
	MROW2(C2, Y4, Y5)
	MROW2(C3, Y6, Y7)

msave:
	MSAVE2(C_PTR, Y0, Y1)
	MSAVE2(C1, Y2, Y3)
	MSAVE2(C2, Y4, Y5)
	MSAVE2(C3, Y6, Y7)
	JMP next

// STEP8x2: the 4×8 tile, two k steps at a time into two sets of four
// accumulators (Y0–Y3 for even k, Y4–Y7 for odd k), added at the end:
// four chains alone would wait on the FMA latency.
#define STEP8x2 \
	VMOVUPS      (B_PTR), Y12         \
	VMOVUPS      (B_PTR)(LDB*1), Y13  \
	VBROADCASTSS (A_PTR), BCAST       \
	VFMADD231PS  Y12, BCAST, Y0       \
	VBROADCASTSS 4(A_PTR), BCAST      \
	VFMADD231PS  Y12, BCAST, Y1       \
	VBROADCASTSS 8(A_PTR), BCAST      \
	VFMADD231PS  Y12, BCAST, Y2       \
	VBROADCASTSS 12(A_PTR), BCAST     \
	VFMADD231PS  Y12, BCAST, Y3       \
	VBROADCASTSS 16(A_PTR), BCAST     \
	VFMADD231PS  Y13, BCAST, Y4       \
	VBROADCASTSS 20(A_PTR), BCAST     \
	VFMADD231PS  Y13, BCAST, Y5       \
	VBROADCASTSS 24(A_PTR), BCAST     \
	VFMADD231PS  Y13, BCAST, Y6       \
	VBROADCASTSS 28(A_PTR), BCAST     \
	VFMADD231PS  Y13, BCAST, Y7       \
	LEAQ         (B_PTR)(LDB*2), B_PTR \
	ADDQ         $32, A_PTR

// func gemm4x8(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum int, mask *int32)
TEXT ·gemm4x8(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), A_NEXT
	MOVQ astride+8(FP), ASTRIDE
	MOVQ panels+16(FP), PANELS
	MOVQ ldb+32(FP), LDB
	SHLQ $2, LDB
	MOVQ c+48(FP), C_PTR
	MOVQ ldc+56(FP), LDC
	SHLQ $2, LDC
	MOVQ accum+64(FP), ACCUM

panel:
	MOVQ   A_NEXT, A_PTR
	ADDQ   astride+8(FP), A_NEXT
	MOVQ   b+24(FP), B_PTR
	MOVQ   kc+40(FP), K_LEFT
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
	PREFETCHT0 (A_PTR)(ASTRIDE*1)
	STEP8x2
	SUBQ $2, K_LEFT
	CMPQ K_LEFT, $2
	JAE  pairs

odd: // a last single k step, into the even set
	TESTQ        K_LEFT, K_LEFT
	JZ           store
	VMOVUPS      (B_PTR), Y12
	VBROADCASTSS (A_PTR), BCAST
	VFMADD231PS  Y12, BCAST, Y0
	VBROADCASTSS 4(A_PTR), BCAST
	VFMADD231PS  Y12, BCAST, Y1
	VBROADCASTSS 8(A_PTR), BCAST
	VFMADD231PS  Y12, BCAST, Y2
	VBROADCASTSS 12(A_PTR), BCAST
	VFMADD231PS  Y12, BCAST, Y3

store:
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ROWS4
	MOVQ    mask+72(FP), B_PTR
	TESTQ   B_PTR, B_PTR
	JNZ     masked
	TESTQ   ACCUM, ACCUM
	JZ      save
	VADDPS  (C_PTR), Y0, Y0
	VADDPS  (C1), Y1, Y1
	VADDPS  (C2), Y2, Y2
	VADDPS  (C3), Y3, Y3

save:
	VMOVUPS Y0, (C_PTR)
	VMOVUPS Y1, (C1)
	VMOVUPS Y2, (C2)
	VMOVUPS Y3, (C3)

next:
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

masked: // the one vector of each row under the mask's lanes 0-7
	VMOVDQU (B_PTR), MASK
	TESTQ   ACCUM, ACCUM
	JZ      msave
	MROW1(C_PTR, Y0)
	MROW1(C1, Y1)
	MROW1(C2, Y2)
	MROW1(C3, Y3)

msave:
	VMASKMOVPS Y0, MASK, (C_PTR)
	VMASKMOVPS Y1, MASK, (C1)
	VMASKMOVPS Y2, MASK, (C2)
	VMASKMOVPS Y3, MASK, (C3)
	JMP        next

// packB copies rows × w floats of B (row stride ldb floats) into dst with a
// row stride of 24 floats, zeroing columns w…23. mask points at 24 int32
// whose first w are -1 and the rest 0; VMASKMOVPS neither reads nor
// faults on the masked-out lanes, so nothing past the end of B is touched.
#define DST DI
#define SRC SI
#define SRC_STRIDE DX
#define ROWS CX
#define MASK0 Y13
#define MASK1 Y14
#define MASK2 Y15

// func packB(dst, src *float32, ldb, rows, w int, mask *int32)
TEXT ·packB(SB), NOSPLIT, $0-48
	MOVQ    dst+0(FP), DST
	MOVQ    src+8(FP), SRC
	MOVQ    ldb+16(FP), SRC_STRIDE
	SHLQ    $2, SRC_STRIDE
	MOVQ    rows+24(FP), ROWS
	MOVQ    mask+40(FP), AX
	CMPQ    w+32(FP), $24
	JEQ     full
	VMOVDQU (AX), MASK0
	VMOVDQU 32(AX), MASK1
	VMOVDQU 64(AX), MASK2

masked:
	VMASKMOVPS (SRC), MASK0, Y0
	VMASKMOVPS 32(SRC), MASK1, Y1
	VMASKMOVPS 64(SRC), MASK2, Y2
	VMOVUPS    Y0, (DST)
	VMOVUPS    Y1, 32(DST)
	VMOVUPS    Y2, 64(DST)
	ADDQ       SRC_STRIDE, SRC
	ADDQ       $BROW, DST
	DECQ       ROWS
	JNZ        masked
	VZEROUPPER
	RET

full:
	VMOVUPS (SRC), Y0
	VMOVUPS 32(SRC), Y1
	VMOVUPS 64(SRC), Y2
	VMOVUPS Y0, (DST)
	VMOVUPS Y1, 32(DST)
	VMOVUPS Y2, 64(DST)
	ADDQ    SRC_STRIDE, SRC
	ADDQ    $BROW, DST
	DECQ    ROWS
	JNZ     full
	VZEROUPPER
	RET

// gemv4 is GemmPacked for a single column of B (a matrix-vector product):
// y[r] = Σ_p A[r][p]·x[p] for the four rows of each of `panels` panels
// (16k bytes apart), x and y strided by incx and incy floats. One ymm holds
// two k steps of a panel, so x_p and x_{p+1} are broadcast and blended
// into [x_p ×4, x_{p+1} ×4]. That costs three shuffle/load operations, so
// each pair is used against four panels at once (accumulators Y0–Y3 for
// even pairs, Y4–Y7 for odd ones: eight chains); leftover panels go one
// at a time, summed in the same order (results must not depend on which
// rows a call covers). A last odd k step loads half a register, whose upper lanes
// the VEX.128 load zeroes, so nothing past the panel is read.
#define X_PTR DI
#define INCX R8
#define Y_PTR DX
#define INCY R9
#define STRIDE R10 // bytes per panel
#define A3_PTR R11
#define Y2_PTR R12
#define XV Y14
#define XV1 Y15

// XPAIR loads [x_p ×4, x_{p+1} ×4] into XV and advances X_PTR by two.
#define XPAIR \
	VBROADCASTSS (X_PTR), XV          \
	VBROADCASTSS (X_PTR)(INCX*1), XV1 \
	VBLENDPS     $0xF0, XV1, XV, XV   \
	LEAQ         (X_PTR)(INCX*2), X_PTR

// FMA4 multiplies XV by the two k steps at off in each of four panels.
#define FMA4(off, c0, c1, c2, c3) \
	VFMADD231PS off(A_PTR), XV, c0            \
	VFMADD231PS off(A_PTR)(STRIDE*1), XV, c1  \
	VFMADD231PS off(A_PTR)(STRIDE*2), XV, c2  \
	VFMADD231PS off(A3_PTR), XV, c3

// SUM4 folds ymm a plus ymm b (two k steps each) into four row sums in
// xa, the low half of a.
#define SUM4(a, b, xa, xt) \
	VADDPS       b, a, a    \
	VEXTRACTF128 $1, a, xt  \
	VADDPS       xt, xa, xa

// STORE4 writes the four floats of xmm v to y and moves Y_PTR four rows on.
#define STORE4(v) \
	LEAQ       (Y_PTR)(INCY*2), Y2_PTR \
	VMOVSS     v, (Y_PTR)              \
	VEXTRACTPS $1, v, (Y_PTR)(INCY*1)  \
	VEXTRACTPS $2, v, (Y2_PTR)         \
	VEXTRACTPS $3, v, (Y2_PTR)(INCY*1) \
	LEAQ       (Y2_PTR)(INCY*2), Y_PTR

// func gemv4(a *float32, k, panels int, x *float32, incx int, y *float32, incy int)
TEXT ·gemv4(SB), NOSPLIT, $0-56
	MOVQ a+0(FP), A_PTR
	MOVQ k+8(FP), STRIDE
	SHLQ $4, STRIDE
	MOVQ panels+16(FP), PANELS
	MOVQ incx+32(FP), INCX
	SHLQ $2, INCX
	MOVQ y+40(FP), Y_PTR
	MOVQ incy+48(FP), INCY
	SHLQ $2, INCY
	CMPQ PANELS, $4
	JB   single

group: // four panels
	MOVQ   x+24(FP), X_PTR
	MOVQ   k+8(FP), K_LEFT
	LEAQ   (A_PTR)(STRIDE*2), A3_PTR
	ADDQ   STRIDE, A3_PTR
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

gquads:
	CMPQ K_LEFT, $4
	JB   gpair
	XPAIR
	FMA4(0, Y0, Y1, Y2, Y3)
	XPAIR
	FMA4(32, Y4, Y5, Y6, Y7)
	ADDQ $64, A_PTR
	ADDQ $64, A3_PTR
	SUBQ $4, K_LEFT
	JMP  gquads

gpair:
	CMPQ K_LEFT, $2
	JB   godd
	XPAIR
	FMA4(0, Y0, Y1, Y2, Y3)
	ADDQ $32, A_PTR
	ADDQ $32, A3_PTR
	SUBQ $2, K_LEFT

godd:
	TESTQ        K_LEFT, K_LEFT
	JZ           gsum
	VBROADCASTSS (X_PTR), X14
	VMOVUPS      (A_PTR), X8
	VMOVUPS      (A_PTR)(STRIDE*1), X9
	VMOVUPS      (A_PTR)(STRIDE*2), X10
	VMOVUPS      (A3_PTR), X11
	VFMADD231PS  Y8, XV, Y0
	VFMADD231PS  Y9, XV, Y1
	VFMADD231PS  Y10, XV, Y2
	VFMADD231PS  Y11, XV, Y3
	ADDQ         $16, A3_PTR

gsum:
	SUM4(Y0, Y4, X0, X8)
	SUM4(Y1, Y5, X1, X9)
	SUM4(Y2, Y6, X2, X10)
	SUM4(Y3, Y7, X3, X11)
	STORE4(X0)
	STORE4(X1)
	STORE4(X2)
	STORE4(X3)
	MOVQ A3_PTR, A_PTR // past the fourth panel
	SUBQ $4, PANELS
	CMPQ PANELS, $4
	JAE  group

single: // one panel, summed in the same order as in a group
	TESTQ  PANELS, PANELS
	JZ     done
	MOVQ   x+24(FP), X_PTR
	MOVQ   k+8(FP), K_LEFT
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4

squads:
	CMPQ        K_LEFT, $4
	JB          spair
	XPAIR
	VFMADD231PS (A_PTR), XV, Y0
	XPAIR
	VFMADD231PS 32(A_PTR), XV, Y4
	ADDQ        $64, A_PTR
	SUBQ        $4, K_LEFT
	JMP         squads

spair:
	CMPQ        K_LEFT, $2
	JB          sodd
	XPAIR
	VFMADD231PS (A_PTR), XV, Y0
	ADDQ        $32, A_PTR
	SUBQ        $2, K_LEFT

sodd:
	TESTQ        K_LEFT, K_LEFT
	JZ           ssum
	VBROADCASTSS (X_PTR), X14
	VMOVUPS      (A_PTR), X8
	VFMADD231PS  Y8, XV, Y0
	ADDQ         $16, A_PTR

ssum:
	SUM4(Y0, Y4, X0, X8)
	STORE4(X0)
	DECQ PANELS
	JMP  single

done:
	VZEROUPPER
	RET
