// Macros shared by the AVX2 GEMM kernels (gemm_amd64.s) and the
// offsets kernels (gemmoff_amd64.s). The including file defines the
// registers they name: A_PTR (the A panel), BCAST (the broadcast A
// value), C_PTR, C1–C3 (the four C rows), LDC (C's row stride in bytes),
// and keeps the B row in Y12–Y14.

// FMA3 multiplies the B row in Y12–Y14 by A row r (byte offset off in the
// current k step) into accumulators c0–c2; FMA2 the B row in Y12–Y13.

#define FMA3(off, c0, c1, c2) \
	VBROADCASTSS off(A_PTR), BCAST \
	VFMADD231PS  Y12, BCAST, c0    \
	VFMADD231PS  Y13, BCAST, c1    \
	VFMADD231PS  Y14, BCAST, c2

#define FMA2(off, c0, c1) \
	VBROADCASTSS off(A_PTR), BCAST \
	VFMADD231PS  Y12, BCAST, c0    \
	VFMADD231PS  Y13, BCAST, c1

// Tiles are stored row by row: ROWn adds C's row at p into n accumulators
// (K blocks after the first), SAVEn stores them. ROWS4 points C1–C3 at
// the rows below C_PTR.

#define ROW3(p, x0, x1, x2) \
	VADDPS (p), x0, x0     \
	VADDPS 32(p), x1, x1   \
	VADDPS 64(p), x2, x2

#define SAVE3(p, x0, x1, x2) \
	VMOVUPS x0, (p)        \
	VMOVUPS x1, 32(p)      \
	VMOVUPS x2, 64(p)

#define ROW2(p, x0, x1) \
	VADDPS (p), x0, x0     \
	VADDPS 32(p), x1, x1

#define SAVE2(p, x0, x1) \
	VMOVUPS x0, (p)        \
	VMOVUPS x1, 32(p)

#define ROWS4 \
	LEAQ (C_PTR)(LDC*1), C1 \
	LEAQ (C_PTR)(LDC*2), C2 \
	LEAQ (C1)(LDC*2), C3
