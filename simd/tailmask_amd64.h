// TAILMASK16 sets K1 to the first min(CX, 16) lanes (a full vector: all
// 16), AX its scratch: the opmask of a loop that takes 16 floats a turn
// and counts the floats left in CX.
#define TAILMASK16 \
	MOVQ  $-1, AX  \
	CMPQ  CX, $16  \
	JAE   4(PC)    \
	MOVL  $1, AX   \
	SHLL  CX, AX   \
	DECL  AX       \
	KMOVW AX, K1
