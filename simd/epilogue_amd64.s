//go:build !purego

#include "textflag.h"

// BiasClamp and BiasAddClamp: 32 floats per iteration (four ymm vectors,
// independent), then single vectors. The last 1–7 floats of a slice of at
// least 8 are not a scalar loop nor a masked store (slow on AMD's cores):
// the last 8 floats are computed first, from the input before anything is
// stored, and stored at the end over the ones the loop wrote — the same
// values, as the kernels are element-wise. A slice shorter than 8 goes
// through a scalar loop.
//
// VMAXPS t, LO, t is max(lo, v) in Intel's operand order: lo > v ? lo : v,
// so a NaN v (the comparison false) passes through, and -0 against a zero
// bound stays -0, exactly as the generic `if v < lo { v = lo }`. VMINPS
// likewise.

#define X_PTR SI
#define R_PTR DI
#define N CX
#define LAST DX
#define BIAS Y13
#define LO Y14
#define HI Y15
#define LAST_V Y7

// CLAMP clamps v in place.
#define CLAMP(v) \
	VMAXPS v, LO, v \
	VMINPS v, HI, v

// BC does 8 floats of BiasClamp at off(X_PTR) in t.
#define BC(off, t) \
	VADDPS  off(X_PTR), BIAS, t \
	CLAMP(t)                    \
	VMOVUPS t, off(X_PTR)

// BAC does 8 floats of BiasAddClamp at off(X_PTR), off(R_PTR) in t.
#define BAC(off, t) \
	VADDPS  off(X_PTR), BIAS, t \
	VADDPS  off(R_PTR), t, t    \
	CLAMP(t)                    \
	VMOVUPS t, off(X_PTR)

// func biasClampAVX2(x []float32, bias, lo, hi float32)
TEXT ·biasClampAVX2(SB), NOSPLIT, $0-36
	MOVQ         x_base+0(FP), X_PTR
	MOVQ         x_len+8(FP), N
	VBROADCASTSS bias+24(FP), BIAS
	VBROADCASTSS lo+28(FP), LO
	VBROADCASTSS hi+32(FP), HI
	CMPQ         N, $8
	JB           short
	LEAQ         -32(X_PTR)(N*4), LAST
	VADDPS       (LAST), BIAS, LAST_V
	CLAMP(LAST_V)

loop32:
	CMPQ N, $32
	JB   loop8
	BC(0, Y0)
	BC(32, Y1)
	BC(64, Y2)
	BC(96, Y3)
	ADDQ $128, X_PTR
	SUBQ $32, N
	JMP  loop32

loop8:
	CMPQ N, $8
	JB   last
	BC(0, Y0)
	ADDQ $32, X_PTR
	SUBQ $8, N
	JMP  loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	TESTQ  N, N
	JZ     done
	VADDSS (X_PTR), X13, X0
	VMAXSS X0, X14, X0
	VMINSS X0, X15, X0
	VMOVSS X0, (X_PTR)
	ADDQ   $4, X_PTR
	DECQ   N
	JMP    short

done:
	VZEROUPPER
	RET

// func biasAddClampAVX2(x, r []float32, bias, lo, hi float32)
// len(r) == len(x) (the Go wrapper slices r).
TEXT ·biasAddClampAVX2(SB), NOSPLIT, $0-60
	MOVQ         x_base+0(FP), X_PTR
	MOVQ         x_len+8(FP), N
	MOVQ         r_base+24(FP), R_PTR
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS lo+52(FP), LO
	VBROADCASTSS hi+56(FP), HI
	CMPQ         N, $8
	JB           short
	LEAQ         -32(X_PTR)(N*4), LAST
	VADDPS       (LAST), BIAS, LAST_V
	VADDPS       -32(R_PTR)(N*4), LAST_V, LAST_V
	CLAMP(LAST_V)

loop32:
	CMPQ N, $32
	JB   loop8
	BAC(0, Y0)
	BAC(32, Y1)
	BAC(64, Y2)
	BAC(96, Y3)
	ADDQ $128, X_PTR
	ADDQ $128, R_PTR
	SUBQ $32, N
	JMP  loop32

loop8:
	CMPQ N, $8
	JB   last
	BAC(0, Y0)
	ADDQ $32, X_PTR
	ADDQ $32, R_PTR
	SUBQ $8, N
	JMP  loop8

last:
	VMOVUPS LAST_V, (LAST)
	VZEROUPPER
	RET

short:
	TESTQ  N, N
	JZ     done
	VADDSS (X_PTR), X13, X0
	VADDSS (R_PTR), X0, X0
	VMAXSS X0, X14, X0
	VMINSS X0, X15, X0
	VMOVSS X0, (X_PTR)
	ADDQ   $4, X_PTR
	ADDQ   $4, R_PTR
	DECQ   N
	JMP    short

done:
	VZEROUPPER
	RET

// func preluAVX2(x []float32, slope float32)
// x < 0 (VCMPPS LT_OS: false for NaN and -0) selects x·slope (VBLENDVPS).
TEXT ·preluAVX2(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS slope+24(FP), Y15
	VXORPS       Y14, Y14, Y14

prelu8:
	CMPQ      CX, $8
	JB        prelu1
	VMOVUPS   (DI), Y0
	VMULPS    Y15, Y0, Y1
	VCMPPS    $1, Y14, Y0, Y2
	VBLENDVPS Y2, Y1, Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $32, DI
	SUBQ      $8, CX
	JMP       prelu8

prelu1:
	TESTQ     CX, CX
	JZ        preludone
	VMOVSS    (DI), X0
	VMULSS    X15, X0, X1
	VCMPSS    $1, X14, X0, X2
	VBLENDVPS X2, X1, X0, X0
	VMOVSS    X0, (DI)
	ADDQ      $4, DI
	DECQ      CX
	JMP       prelu1

preludone:
	VZEROUPPER
	RET

// compactClampy is CompactBiasClamp (epilogue.go) in one pass: it walks
// the runs of kept columns as compactRuns does (j in src, d in dst, ox the
// column of j in its row) and writes each run's bias-added, clamped floats
// to dst: vectors of 8, then a last vector ending at the run's end (the
// run of 8 or more: it rewrites some with the same values), or a run
// shorter than 8 float by float. Every load and store stays inside its
// run: nothing is read past src's n floats nor written past the run.
//
// func compactClampy(dst, src *float32, n, ox0, ow, wp int, bias, lo, hi float32) int
TEXT ·compactClampy(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         ox0+24(FP), R8
	MOVQ         ow+32(FP), R9
	MOVQ         wp+40(FP), R10
	VBROADCASTSS bias+48(FP), BIAS
	VBROADCASTSS lo+52(FP), LO
	VBROADCASTSS hi+56(FP), HI
	XORQ         R11, R11            // j
	XORQ         R12, R12            // d

crun:
	CMPQ R11, CX
	JGE  cdone
	CMPQ R8, R9
	JLT  cseg
	MOVQ R10, DX                     // dropped columns up to the next row
	SUBQ R8, DX
	ADDQ DX, R11
	XORQ R8, R8
	JMP  crun

cseg:
	MOVQ    R9, BX                   // seg = min(ow-ox, n-j)
	SUBQ    R8, BX
	MOVQ    CX, DX
	SUBQ    R11, DX
	CMPQ    DX, BX
	CMOVQLT DX, BX
	LEAQ    (SI)(R11*4), AX          // the run in src
	LEAQ    (DI)(R12*4), DX          // and in dst
	ADDQ    BX, R11
	ADDQ    BX, R12
	ADDQ    BX, R8
	CMPQ    BX, $8
	JLT     cshort

cvec:
	VADDPS  (AX), BIAS, Y0
	CLAMP(Y0)
	VMOVUPS Y0, (DX)
	ADDQ    $32, AX
	ADDQ    $32, DX
	SUBQ    $8, BX
	CMPQ    BX, $8
	JGE     cvec
	TESTQ   BX, BX
	JZ      crun
	SUBQ    $8, BX                   // back up 8-seg%8 floats: the run's last vector
	SHLQ    $2, BX
	ADDQ    BX, AX
	ADDQ    BX, DX
	VADDPS  (AX), BIAS, Y0
	CLAMP(Y0)
	VMOVUPS Y0, (DX)
	JMP     crun

cshort:
	VMOVSS (AX), X0
	VADDSS X13, X0, X0
	VMAXSS X0, X14, X0
	VMINSS X0, X15, X0
	VMOVSS X0, (DX)
	ADDQ   $4, AX
	ADDQ   $4, DX
	DECQ   BX
	JNZ    cshort
	JMP    crun

cdone:
	MOVQ       R12, ret+64(FP)
	VZEROUPPER
	RET
