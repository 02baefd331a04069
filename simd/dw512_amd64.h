// Registers and macros shared by the AVX-512 3×3 depthwise kernels
// (dwplane512_amd64.s, dwsame512_amd64.s): the nine weights broadcast in
// Z0–Z8, the bias, lo and hi in Z9–Z11.

#define W0 Z0
#define W1 Z1
#define W2 Z2
#define W3 Z3
#define W4 Z4
#define W5 Z5
#define W6 Z6
#define W7 Z7
#define W8 Z8
#define BIAS Z9
#define LO Z10
#define HI Z11

// WEIGHTS9(p): the nine 3×3 weights at p broadcast into W0–W8.
#define WEIGHTS9(p) \
	VBROADCASTSS (p), W0   \
	VBROADCASTSS 4(p), W1  \
	VBROADCASTSS 8(p), W2  \
	VBROADCASTSS 12(p), W3 \
	VBROADCASTSS 16(p), W4 \
	VBROADCASTSS 20(p), W5 \
	VBROADCASTSS 24(p), W6 \
	VBROADCASTSS 28(p), W7 \
	VBROADCASTSS 32(p), W8
