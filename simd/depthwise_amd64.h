// Macros shared by the AVX2 depthwise kernels (depthwise_amd64.s,
// dwplane_amd64.s). The including file defines MASK (the lane mask of a
// short row) and TMP (a scratch vector).

// ROW0 adds the three taps of the input row at off(p) to acc; ROW sets acc
// to them. Full-vector loads are folded into the arithmetic. MROW0 and
// MROW are ROW0 and ROW with masked loads.

#define ROW0(off, p, acc, w0, w1, w2) \
	VFMADD231PS off(p), w0, acc   \
	VFMADD231PS 4+off(p), w1, acc \
	VFMADD231PS 8+off(p), w2, acc

#define ROW(off, p, acc, w0, w1, w2) \
	VMULPS      off(p), w0, acc   \
	VFMADD231PS 4+off(p), w1, acc \
	VFMADD231PS 8+off(p), w2, acc

#define MROW0(p, acc, w0, w1, w2) \
	VMASKMOVPS  (p), MASK, TMP  \
	VFMADD231PS TMP, w0, acc    \
	VMASKMOVPS  4(p), MASK, TMP \
	VFMADD231PS TMP, w1, acc    \
	VMASKMOVPS  8(p), MASK, TMP \
	VFMADD231PS TMP, w2, acc

#define MROW(p, acc, w0, w1, w2) \
	VMASKMOVPS  (p), MASK, TMP  \
	VMULPS      TMP, w0, acc    \
	VMASKMOVPS  4(p), MASK, TMP \
	VFMADD231PS TMP, w1, acc    \
	VMASKMOVPS  8(p), MASK, TMP \
	VFMADD231PS TMP, w2, acc
