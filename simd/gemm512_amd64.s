//go:build !purego

#include "textflag.h"

// AVX-512 micro-kernels for GemmPacked and GemmOffsets (driver:
// gemm512_amd64.go). A is packed as for the AVX2 kernels (4-row panels,
// k-major: the 4 values of column p adjacent); B is either a micro-panel
// with row stride ldb floats (packed by packB48 with a stride of 48, or B
// itself) or, for the offsets kernels, row p at b + 4·offs[p] bytes.
//
// The main tile is 4×48: 12 zmm accumulators Z0–Z11 (row r, vector v in
// Z(3r+v)), the three 16-float vectors of a B row in Z12–Z14 and one
// broadcast A value in Z15. Each k step is 3 B loads, 4 broadcasts and 12
// FMAs: 7 loads per 12 FMAs, as in the AVX2 4×24 tile, but each FMA is 16
// lanes wide, so per flop it takes half the loads and half the
// instructions. On Zen 4 a 512-bit FMA occupies both 256-bit pipes (one a
// cycle), so the peak is AVX2's; 12 independent chains cover the FMA
// latency (4 cycles) three times over. The k loop is unrolled four times.
// The 4×32 tile (8 accumulators Z0–Z7, row r vector v in Z(2r+v), B in
// Z12–Z13) does a last strip of 25–32 columns; narrower last strips go to
// the AVX2 kernels (a 24-column strip costs those 6 cycles a k step, the
// 4×32 tile 8).
//
// The last vector of each row is under the opmask K1 (`mask`, 16 bits,
// lane i for column 16·(nv-1)+i): B loads are zero-masked and C loads and
// stores masked, and masked-out lanes are neither read nor written (nor
// fault), so a last strip narrower than its tile is read from B in place
// and written straight into C. Whole strips pass 0xFFFF.
//
// Each function loops over `panels` consecutive A panels (astride bytes
// apart), moving down C four rows at a time, with the B micro-panel hot
// in L1; kc ≥ 1 and panels ≥ 1. With accum != 0 the tile is added to C
// (K blocks after the first); otherwise C is overwritten and never read.
// Each element of C is one chain of FMAs over the K block, in k order, in
// both the packed and the offsets kernels, so GemmOffsets equals
// GemmPacked on the gathered matrix bit for bit.

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
#define LDB AX

#define BCAST Z15

// PREFETCH_A asks for the line of the next A panel that this unrolled
// iteration's four k steps match (PF_PTR runs astride bytes ahead of A_PTR,
// in C1's register, free until the store). Each panel's K block is a few
// KiB of its own, one page or more apart from the next (the rest of the
// panel's K lies between), so the hardware prefetchers, which stop at page
// boundaries, start every panel cold: weights too large for L2 (faces'
// 512- and 1024-channel pointwise layers, 1–4 MiB) then arrived at the
// latency of memory.
#define PF_PTR R9

#define PREFETCH_A \
	PREFETCHT0 (PF_PTR) \
	ADDQ       $64, PF_PTR

// ZFMA3 and ZFMA2 multiply the B row in Z12–Z14 (Z12–Z13) by A row r
// (byte offset off in the current k step) into accumulators c0…
#define ZFMA3(off, c0, c1, c2) \
	VBROADCASTSS off(A_PTR), BCAST \
	VFMADD231PS  Z12, BCAST, c0    \
	VFMADD231PS  Z13, BCAST, c1    \
	VFMADD231PS  Z14, BCAST, c2

#define ZFMA2(off, c0, c1) \
	VBROADCASTSS off(A_PTR), BCAST \
	VFMADD231PS  Z12, BCAST, c0    \
	VFMADD231PS  Z13, BCAST, c1

#define ZK48 \
	ZFMA3(0, Z0, Z1, Z2)    \
	ZFMA3(4, Z3, Z4, Z5)    \
	ZFMA3(8, Z6, Z7, Z8)    \
	ZFMA3(12, Z9, Z10, Z11) \
	ADDQ $16, A_PTR

#define ZK32 \
	ZFMA2(0, Z0, Z1)   \
	ZFMA2(4, Z2, Z3)   \
	ZFMA2(8, Z4, Z5)   \
	ZFMA2(12, Z6, Z7)  \
	ADDQ $16, A_PTR

#define STEP48 \
	VMOVUPS   (B_PTR), Z12        \
	VMOVUPS   64(B_PTR), Z13      \
	VMOVUPS.Z 128(B_PTR), K1, Z14 \
	ADDQ      LDB, B_PTR          \
	ZK48

#define STEP32 \
	VMOVUPS   (B_PTR), Z12       \
	VMOVUPS.Z 64(B_PTR), K1, Z13 \
	ADDQ      LDB, B_PTR         \
	ZK32

// ZROWn adds C's row at p into n accumulators, the last vector masked
// (Z14 is free once the k loop is done); ZSAVEn stores them.
#define ZROW3(p, x0, x1, x2) \
	VADDPS    (p), x0, x0       \
	VADDPS    64(p), x1, x1     \
	VMOVUPS.Z 128(p), K1, Z14   \
	VADDPS    Z14, x2, x2

#define ZSAVE3(p, x0, x1, x2) \
	VMOVUPS x0, (p)         \
	VMOVUPS x1, 64(p)       \
	VMOVUPS x2, K1, 128(p)

#define ZROW2(p, x0, x1) \
	VADDPS    (p), x0, x0     \
	VMOVUPS.Z 64(p), K1, Z14  \
	VADDPS    Z14, x1, x1

#define ZSAVE2(p, x0, x1) \
	VMOVUPS x0, (p)   \
	VMOVUPS x1, K1, 64(p)

// The epilogue of gemm4x48z and gemm4x32z (epi not nil, the last K
// block): each row r of the tile becomes min(hi, max(lo, C + bias[r])),
// in BiasClampRows' order of operands (so NaNs come out the same), before
// it is stored. EPI_START points DI (free after the k loop) at the
// panel's 4 biases and sets Z16/Z17 to lo/hi; EPI3 and EPI2 apply it to
// row r's accumulators.
#define EPI_START \
	MOVQ         panels+16(FP), DI \
	SUBQ         PANELS, DI        \
	SHLQ         $4, DI            \
	ADDQ         (CX), DI          \
	VBROADCASTSS 8(CX), Z16        \
	VBROADCASTSS 12(CX), Z17

#define EPI1(x) \
	VADDPS x, Z15, x \
	VMAXPS x, Z16, x \
	VMINPS x, Z17, x

#define EPI3(r, x0, x1, x2) \
	VBROADCASTSS r*4(DI), Z15 \
	EPI1(x0)                  \
	EPI1(x1)                  \
	EPI1(x2)

#define EPI2(r, x0, x1) \
	VBROADCASTSS r*4(DI), Z15 \
	EPI1(x0)                  \
	EPI1(x1)

// EPI12(skip) and EPI8(skip): with an epilogue (epi+80(FP) not nil) the
// bias and clamp applied to the 4×48 or 4×32 tile's accumulators, else a
// jump to skip.
#define EPI12(skip) \
	MOVQ  epi+80(FP), CX  \
	TESTQ CX, CX          \
	JZ    skip            \
	EPI_START             \
	EPI3(0, Z0, Z1, Z2)   \
	EPI3(1, Z3, Z4, Z5)   \
	EPI3(2, Z6, Z7, Z8)   \
	EPI3(3, Z9, Z10, Z11)

#define EPI8(skip) \
	MOVQ  epi+80(FP), CX \
	TESTQ CX, CX         \
	JZ    skip           \
	EPI_START            \
	EPI2(0, Z0, Z1)      \
	EPI2(1, Z2, Z3)      \
	EPI2(2, Z4, Z5)      \
	EPI2(3, Z6, Z7)

#define ROWS4 \
	LEAQ (C_PTR)(LDC*1), C1 \
	LEAQ (C_PTR)(LDC*2), C2 \
	LEAQ (C1)(LDC*2), C3

#define ZERO12 \
	VPXORD Z0, Z0, Z0    \
	VPXORD Z1, Z1, Z1    \
	VPXORD Z2, Z2, Z2    \
	VPXORD Z3, Z3, Z3    \
	VPXORD Z4, Z4, Z4    \
	VPXORD Z5, Z5, Z5    \
	VPXORD Z6, Z6, Z6    \
	VPXORD Z7, Z7, Z7    \
	VPXORD Z8, Z8, Z8    \
	VPXORD Z9, Z9, Z9    \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11

#define ZERO8 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7

#define PROLOGUE \
	MOVQ  mask+72(FP), CX        \
	KMOVW CX, K1                 \
	MOVQ  a+0(FP), A_NEXT        \
	MOVQ  panels+16(FP), PANELS  \
	MOVQ  ldb+32(FP), LDB        \
	SHLQ  $2, LDB                \
	MOVQ  c+48(FP), C_PTR        \
	MOVQ  ldc+56(FP), LDC        \
	SHLQ  $2, LDC                \
	MOVQ  accum+64(FP), ACCUM

#define PANEL_START \
	MOVQ A_NEXT, A_PTR         \
	ADDQ astride+8(FP), A_NEXT \
	MOVQ A_NEXT, PF_PTR        \
	MOVQ b+24(FP), B_PTR       \
	MOVQ kc+40(FP), K_LEFT

// The offsets kernels: B row p at B_BASE + 4·offs[p] bytes, the offset
// loaded (sign-extended) into OFF each k step: 4 + 3 + 4 loads per 12 FMAs
// for the 4×48 tile. OFF_PTR takes LDB's register and OFF ACCUM's (accum
// is read from the frame at the end).
#define B_BASE DI
#define OFF R10
#define OFF_PTR AX

#define OSTEP48 \
	MOVLQSX   (OFF_PTR), OFF                \
	ADDQ      $4, OFF_PTR                   \
	VMOVUPS   (B_BASE)(OFF*4), Z12          \
	VMOVUPS   64(B_BASE)(OFF*4), Z13        \
	VMOVUPS.Z 128(B_BASE)(OFF*4), K1, Z14   \
	ZK48

#define OSTEP32 \
	MOVLQSX   (OFF_PTR), OFF               \
	ADDQ      $4, OFF_PTR                  \
	VMOVUPS   (B_BASE)(OFF*4), Z12         \
	VMOVUPS.Z 64(B_BASE)(OFF*4), K1, Z13   \
	ZK32

#define OPROLOGUE \
	MOVQ  mask+72(FP), CX        \
	KMOVW CX, K1                 \
	MOVQ  a+0(FP), A_NEXT        \
	MOVQ  panels+16(FP), PANELS  \
	MOVQ  b+24(FP), B_BASE       \
	MOVQ  c+48(FP), C_PTR        \
	MOVQ  ldc+56(FP), LDC        \
	SHLQ  $2, LDC

#define OPANEL_START \
	MOVQ A_NEXT, A_PTR         \
	ADDQ astride+8(FP), A_NEXT \
	MOVQ A_NEXT, PF_PTR        \
	MOVQ b+24(FP), B_BASE      \
	MOVQ offs+32(FP), OFF_PTR  \
	MOVQ kc+40(FP), K_LEFT

// func gemm4x48z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)
TEXT ·gemm4x48z(SB), NOSPLIT, $0-88
	PROLOGUE

panel:
	PANEL_START
	ZERO12
	CMPQ K_LEFT, $4
	JB   tail

unrolled: // four k steps per iteration
	PREFETCH_A
	STEP48
	STEP48
	STEP48
	STEP48
	SUBQ $4, K_LEFT
	CMPQ K_LEFT, $4
	JAE  unrolled

tail:
	TESTQ K_LEFT, K_LEFT
	JZ    store
	STEP48
	DECQ  K_LEFT
	JMP   tail

store:
	ROWS4
	TESTQ ACCUM, ACCUM
	JZ    save
	ZROW3(C_PTR, Z0, Z1, Z2)
	ZROW3(C1, Z3, Z4, Z5)
	ZROW3(C2, Z6, Z7, Z8)
	ZROW3(C3, Z9, Z10, Z11)

save:
	EPI12(store3)

store3:
	ZSAVE3(C_PTR, Z0, Z1, Z2)
	ZSAVE3(C1, Z3, Z4, Z5)
	ZSAVE3(C2, Z6, Z7, Z8)
	ZSAVE3(C3, Z9, Z10, Z11)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

// func gemm4x32z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)
TEXT ·gemm4x32z(SB), NOSPLIT, $0-88
	PROLOGUE

panel:
	PANEL_START
	ZERO8
	CMPQ K_LEFT, $4
	JB   tail

unrolled:
	PREFETCH_A
	STEP32
	STEP32
	STEP32
	STEP32
	SUBQ $4, K_LEFT
	CMPQ K_LEFT, $4
	JAE  unrolled

tail:
	TESTQ K_LEFT, K_LEFT
	JZ    store
	STEP32
	DECQ  K_LEFT
	JMP   tail

store:
	ROWS4
	TESTQ ACCUM, ACCUM
	JZ    save
	ZROW2(C_PTR, Z0, Z1)
	ZROW2(C1, Z2, Z3)
	ZROW2(C2, Z4, Z5)
	ZROW2(C3, Z6, Z7)

save:
	EPI8(store2)

store2:
	ZSAVE2(C_PTR, Z0, Z1)
	ZSAVE2(C1, Z2, Z3)
	ZSAVE2(C2, Z4, Z5)
	ZSAVE2(C3, Z6, Z7)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

// func gemm4x48zoff(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)
// (EPI_START takes B_BASE's register: OPANEL_START loads it per panel.)
TEXT ·gemm4x48zoff(SB), NOSPLIT, $0-88
	OPROLOGUE

panel:
	OPANEL_START
	ZERO12
	CMPQ K_LEFT, $4
	JB   tail

unrolled:
	PREFETCH_A
	OSTEP48
	OSTEP48
	OSTEP48
	OSTEP48
	SUBQ $4, K_LEFT
	CMPQ K_LEFT, $4
	JAE  unrolled

tail:
	TESTQ K_LEFT, K_LEFT
	JZ    store
	OSTEP48
	DECQ  K_LEFT
	JMP   tail

store:
	ROWS4
	CMPQ accum+64(FP), $0
	JEQ  save
	ZROW3(C_PTR, Z0, Z1, Z2)
	ZROW3(C1, Z3, Z4, Z5)
	ZROW3(C2, Z6, Z7, Z8)
	ZROW3(C3, Z9, Z10, Z11)

save:
	EPI12(store3)

store3:
	ZSAVE3(C_PTR, Z0, Z1, Z2)
	ZSAVE3(C1, Z3, Z4, Z5)
	ZSAVE3(C2, Z6, Z7, Z8)
	ZSAVE3(C3, Z9, Z10, Z11)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

// func gemm4x32zoff(a *float32, astride, panels int, b *float32, offs *int32, kc int, c *float32, ldc, accum, mask int, epi *epiArgs)
TEXT ·gemm4x32zoff(SB), NOSPLIT, $0-88
	OPROLOGUE

panel:
	OPANEL_START
	ZERO8
	CMPQ K_LEFT, $4
	JB   tail

unrolled:
	PREFETCH_A
	OSTEP32
	OSTEP32
	OSTEP32
	OSTEP32
	SUBQ $4, K_LEFT
	CMPQ K_LEFT, $4
	JAE  unrolled

tail:
	TESTQ K_LEFT, K_LEFT
	JZ    store
	OSTEP32
	DECQ  K_LEFT
	JMP   tail

store:
	ROWS4
	CMPQ accum+64(FP), $0
	JEQ  save
	ZROW2(C_PTR, Z0, Z1)
	ZROW2(C1, Z2, Z3)
	ZROW2(C2, Z4, Z5)
	ZROW2(C3, Z6, Z7)

save:
	EPI8(store2)

store2:
	ZSAVE2(C_PTR, Z0, Z1)
	ZSAVE2(C1, Z2, Z3)
	ZSAVE2(C2, Z4, Z5)
	ZSAVE2(C3, Z6, Z7)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ PANELS
	JNZ  panel
	VZEROUPPER
	RET

// packB48 copies rows × 48 floats of B (row stride ldb floats) into dst
// with a row stride of 48 floats, under the 48-bit column mask `mask`
// (bits 0–15, 16–31, 32–47 in K1, K2, K3): masked-out columns are written
// as zero and not read, so nothing past the end of B is touched.
#define DST DI
#define SRC SI
#define SRC_STRIDE DX
#define ROWS CX

// func packB48(dst, src *float32, ldb, rows, mask int)
TEXT ·packB48(SB), NOSPLIT, $0-40
	MOVQ      dst+0(FP), DST
	MOVQ      src+8(FP), SRC
	MOVQ      ldb+16(FP), SRC_STRIDE
	SHLQ      $2, SRC_STRIDE
	MOVQ      rows+24(FP), ROWS
	MOVQ      mask+32(FP), AX
	KMOVW     AX, K1
	SHRQ      $16, AX
	KMOVW     AX, K2
	SHRQ      $16, AX
	KMOVW     AX, K3

copy:
	VMOVUPS.Z (SRC), K1, Z0
	VMOVUPS.Z 64(SRC), K2, Z1
	VMOVUPS.Z 128(SRC), K3, Z2
	VMOVUPS   Z0, (DST)
	VMOVUPS   Z1, 64(DST)
	VMOVUPS   Z2, 128(DST)
	ADDQ      SRC_STRIDE, SRC
	ADDQ      $192, DST
	DECQ      ROWS
	JNZ       copy
	VZEROUPPER
	RET

// gemm16z: strips of at most 16 columns (a product's N ≤ 16: 1×1
// convolutions of 4×4 maps, Winograd products of 7×7 maps), one zmm per
// row under the mask K1, B read in place (masked loads neither read nor
// fault past its w columns). Three panels at once: 12 accumulators Z0–Z11
// (row 4p + r), and per k step one B load and 12 FMAs with the A value
// broadcast from memory (EVEX embedded broadcast): one load per FMA, two
// loads a cycle against one 512-bit FMA on Zen 4. The AVX2 4×16 and 4×8
// tiles have 8 and 4 chains against 6 and 5 loads. Leftover panels go one
// at a time (4 accumulators). Each element is one chain of FMAs in k
// order, as in the other kernels.
//
// Every fourth k step of a group asks for the lines of the next group's
// three panels that the step's four k match (3·astride bytes ahead): each
// panel's K block is a page of its own, where the hardware prefetchers
// start cold. Winograd's products on 7×7 maps stream 4–16 MiB of
// transformed filters from memory a run this way (resnet18's 256- and
// 512-channel layers): 16 products of 256×256 by 256×16, the filters
// cold, one core (AMD Zen 5), 370–381 µs → 271–288; resnet18_112 and
// _224 runs 5–10% faster at one and two threads.
#define A0 SI
#define A1 R9
#define A2 R12
#define AST R13

#define BFMA4(p, off, c0, c1, c2, c3) \
	VFMADD231PS.BCST off(p), Z12, c0    \
	VFMADD231PS.BCST 4+off(p), Z12, c1  \
	VFMADD231PS.BCST 8+off(p), Z12, c2  \
	VFMADD231PS.BCST 12+off(p), Z12, c3

// ZROW1 adds C's row at p (masked) into x when ACCUM, stores x (masked)
// and moves p on by a row.
#define ZROW1(p, x) \
	TESTQ     ACCUM, ACCUM \
	JZ        3(PC)        \
	VMOVUPS.Z (p), K1, Z13 \
	VADDPS    Z13, x, x    \
	VMOVUPS   x, K1, (p)   \
	ADDQ      LDC, p

// func gemm16z(a *float32, astride, panels int, b *float32, ldb, kc int, c *float32, ldc, accum, mask int)
TEXT ·gemm16z(SB), NOSPLIT, $0-80
	MOVQ  mask+72(FP), CX
	KMOVW CX, K1
	MOVQ  a+0(FP), A_NEXT
	MOVQ  panels+16(FP), PANELS
	MOVQ  ldb+32(FP), LDB
	SHLQ  $2, LDB
	MOVQ  c+48(FP), C_PTR
	MOVQ  ldc+56(FP), LDC
	SHLQ  $2, LDC
	MOVQ  accum+64(FP), ACCUM
	MOVQ  astride+8(FP), AST

group:
	CMPQ PANELS, $3
	JB   single
	MOVQ A_NEXT, A0
	LEAQ (A0)(AST*1), A1
	LEAQ (A1)(AST*1), A2
	LEAQ (A2)(AST*1), A_NEXT
	MOVQ b+24(FP), B_PTR
	MOVQ kc+40(FP), K_LEFT
	ZERO12

gloop:
	VMOVUPS.Z (B_PTR), K1, Z12
	ADDQ      LDB, B_PTR
	TESTQ     $3, K_LEFT
	JNZ       gnopf
	PREFETCHT0 (A2)(AST*1)
	PREFETCHT0 (A2)(AST*2)
	PREFETCHT0 (A1)(AST*4)
gnopf:
	BFMA4(A0, 0, Z0, Z1, Z2, Z3)
	BFMA4(A1, 0, Z4, Z5, Z6, Z7)
	BFMA4(A2, 0, Z8, Z9, Z10, Z11)
	ADDQ      $16, A0
	ADDQ      $16, A1
	ADDQ      $16, A2
	DECQ      K_LEFT
	JNZ       gloop

	ZROW1(C_PTR, Z0)
	ZROW1(C_PTR, Z1)
	ZROW1(C_PTR, Z2)
	ZROW1(C_PTR, Z3)
	ZROW1(C_PTR, Z4)
	ZROW1(C_PTR, Z5)
	ZROW1(C_PTR, Z6)
	ZROW1(C_PTR, Z7)
	ZROW1(C_PTR, Z8)
	ZROW1(C_PTR, Z9)
	ZROW1(C_PTR, Z10)
	ZROW1(C_PTR, Z11)
	SUBQ $3, PANELS
	JMP  group

single:
	TESTQ PANELS, PANELS
	JZ    done16
	MOVQ  A_NEXT, A0
	ADDQ  AST, A_NEXT
	MOVQ  b+24(FP), B_PTR
	MOVQ  kc+40(FP), K_LEFT
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

sloop:
	VMOVUPS.Z (B_PTR), K1, Z12
	ADDQ      LDB, B_PTR
	BFMA4(A0, 0, Z0, Z1, Z2, Z3)
	ADDQ      $16, A0
	DECQ      K_LEFT
	JNZ       sloop

	ZROW1(C_PTR, Z0)
	ZROW1(C_PTR, Z1)
	ZROW1(C_PTR, Z2)
	ZROW1(C_PTR, Z3)
	DECQ PANELS
	JMP  single

done16:
	VZEROUPPER
	RET

// func prefetchStripz(p *float32, ld, rows int)
// The 192 bytes (a 48-column strip) of each of rows rows of B, ld floats
// apart, into L1 (see gemmAVX512Buf).
TEXT ·prefetchStripz(SB), NOSPLIT, $0-24
	MOVQ  p+0(FP), SI
	MOVQ  ld+8(FP), R8
	SHLQ  $2, R8
	MOVQ  rows+16(FP), CX
	TESTQ CX, CX
	JZ    pfdone

pfrow:
	PREFETCHT0 (SI)
	PREFETCHT0 64(SI)
	PREFETCHT0 128(SI)
	ADDQ       R8, SI
	DECQ       CX
	JNZ        pfrow

pfdone:
	RET
