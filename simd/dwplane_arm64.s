//go:build !purego

#include "textflag.h"

// DepthwisePlane3, DepthwisePlane3Pool and StridedRows (s = 2) for arm64
// (NEON). The Go wrappers (dwplane_arm64.go) send maps narrower than one
// vector (ow < 4, pw < 2, n < 5) to the generic loops.
//
// dwPlane3NEON: the nine weights broadcast into V22–V30, the bias into
// V31, lo and hi into V20 and V21. Each output row goes in chunks of C
// outputs, C = 16 (accumulators V16–V19), 8 (V16–V17) or 4 (V16): the
// largest that fits in ow, fixed for the whole plane. The chunks start at
// x = 0, C, 2C, … and a last one at ow-C where ow is not a multiple of C:
// it overlaps the one before and writes the same values again, so every
// output is computed by a whole vector and nothing is read or written
// past the row (no masks in NEON; no scalar tail). Each accumulator
// starts at the bias and takes the nine taps in order by FMLA, one
// rounding each: out = clamp(((bias + w0·p0) + w1·p1) + … + w8·p8), the
// order of the generic loop (which Go fuses into FMADD on arm64 too).
//
// Stride 1: per tap (row r, column kx) one LD1 of C/4 registers at x+kx,
// post-incremented by 4 bytes (kx = 0, 1) or to the next row's column x
// (kx = 2): nine loads, overlapping, of which the last reads column
// x+C+1, the chunk's last tap. The loads rotate through three register
// sets (V0–V3, V4–V7, V8–V11), each issued one tap ahead of the FMLAs
// that use it, for the in-order A53.
//
// Stride 2: per row, LD2 at 2x deinterleaves the even columns (tap kx =
// 0) from the odd (kx = 1), C/4 LD2s of two registers; kx = 2 is the even
// columns shifted by one, EXT of two neighbouring even vectors, the last
// one with the single float at 2x+2C (FMOVS), the chunk's last tap: so
// nothing past it is read (an LD2 at 2x+2 would read one float more). The
// next row's LD2s are interleaved with this row's kx = 2 FMLAs.
//
// Then FMAX with lo and FMIN with hi (not the NM forms: a NaN sum stays
// NaN) and one ST1.
//
// dwPlane3PoolNEON: per pooled row y, conv rows 2y (accumulators A:
// V16–V19) and 2y+1 (B: V12–V15) over 2C conv columns, C = 8, 4 or 2
// pooled outputs, chosen and overlapped as above. Padded rows 2y+1 and
// 2y+2 feed both conv rows, so each padded row's three loads are done
// once: row 2y+1 gives A its taps w3–w5 and B its w0–w2, row 2y+2 A's
// w6–w8 and B's w3–w5; each accumulator still takes its nine taps in
// order, so every sum is bit for bit the one dwPlane3NEON computes. Then
// FMAX of A and B (down), FMAXP (across: pairwise, in order), the clamp
// and one store.
//
// stride2RowsNEON: LD2 of 8 floats keeps the 4 even ones. Per row, 16
// outputs per iteration while the LD2s stay within the row's last taken
// float, then 8, then the last 8 (or, for 5–8 outputs, 4 and the last 4)
// from one float earlier, as the odd lanes of LD2s at 2j-1: the final
// load ends exactly at the last float taken.
//
// The assembler spells neither the vector FMAX, FMIN nor FMAXP, hence the
// WORDs.

#define DST R0     // output row
#define ROWS R1    // output (pooled) rows left
#define OW R2      // outputs (pooled outputs) per row
#define SRC R3     // the padded plane at the current output row
#define WPB R4     // bytes per padded row
#define ROWSTEP R5 // bytes from one output row's padded rows to the next's
#define XC R6      // the chunk's first output
#define PT R7      // load pointer
#define PO R8      // store pointer
#define FOUR R9    // 4: the next column
#define NEXT R10   // from past a row's last load to the next row's first
#define TMP R11
#define WPTR R12

// LOAD_ARGS broadcasts the weights (at WPTR) into V22–V30, the bias into
// V31, lo into V20 and hi into V21 (the bias, lo and hi at off(FP)).
#define LOAD_ARGS(boff, looff, hioff) \
	VLD1R.P 4(WPTR), [V22.S4] \
	VLD1R.P 4(WPTR), [V23.S4] \
	VLD1R.P 4(WPTR), [V24.S4] \
	VLD1R.P 4(WPTR), [V25.S4] \
	VLD1R.P 4(WPTR), [V26.S4] \
	VLD1R.P 4(WPTR), [V27.S4] \
	VLD1R.P 4(WPTR), [V28.S4] \
	VLD1R.P 4(WPTR), [V29.S4] \
	VLD1R.P 4(WPTR), [V30.S4] \
	FMOVS   boff(FP), F31      \
	VDUP    V31.S[0], V31.S4   \
	FMOVS   looff(FP), F20     \
	VDUP    V20.S[0], V20.S4   \
	FMOVS   hioff(FP), F21     \
	VDUP    V21.S[0], V21.S4

// Loads of the three register sets: 4, 2 or 1 registers.
#define L16_0(inc) VLD1.P (PT)(inc), [V0.S4, V1.S4, V2.S4, V3.S4]
#define L16_1(inc) VLD1.P (PT)(inc), [V4.S4, V5.S4, V6.S4, V7.S4]
#define L16_2(inc) VLD1.P (PT)(inc), [V8.S4, V9.S4, V10.S4, V11.S4]
#define L8_0(inc) VLD1.P (PT)(inc), [V0.S4, V1.S4]
#define L8_1(inc) VLD1.P (PT)(inc), [V2.S4, V3.S4]
#define L8_2(inc) VLD1.P (PT)(inc), [V4.S4, V5.S4]
#define L4_0(inc) VLD1.P (PT)(inc), [V0.S4]
#define L4_1(inc) VLD1.P (PT)(inc), [V1.S4]
#define L4_2(inc) VLD1.P (PT)(inc), [V2.S4]

// FMLA4(w, x0…x3, a0…a3): a_i += w·x_i.
#define FMLA4(w, x0, x1, x2, x3, a0, a1, a2, a3) \
	VFMLA w.S4, x0.S4, a0.S4 \
	VFMLA w.S4, x1.S4, a1.S4 \
	VFMLA w.S4, x2.S4, a2.S4 \
	VFMLA w.S4, x3.S4, a3.S4

#define FMLA2(w, x0, x1, a0, a1) \
	VFMLA w.S4, x0.S4, a0.S4 \
	VFMLA w.S4, x1.S4, a1.S4

// Accumulators A (V16…) from set k.
#define A16_0(w) FMLA4(w, V0, V1, V2, V3, V16, V17, V18, V19)
#define A16_1(w) FMLA4(w, V4, V5, V6, V7, V16, V17, V18, V19)
#define A16_2(w) FMLA4(w, V8, V9, V10, V11, V16, V17, V18, V19)
#define A8_0(w) FMLA2(w, V0, V1, V16, V17)
#define A8_1(w) FMLA2(w, V2, V3, V16, V17)
#define A8_2(w) FMLA2(w, V4, V5, V16, V17)
#define A4_0(w) VFMLA w.S4, V0.S4, V16.S4
#define A4_1(w) VFMLA w.S4, V1.S4, V16.S4
#define A4_2(w) VFMLA w.S4, V2.S4, V16.S4

// Accumulators B (V12…, the pool's second conv row) from set k.
#define B16_0(w) FMLA4(w, V0, V1, V2, V3, V12, V13, V14, V15)
#define B16_1(w) FMLA4(w, V4, V5, V6, V7, V12, V13, V14, V15)
#define B16_2(w) FMLA4(w, V8, V9, V10, V11, V12, V13, V14, V15)
#define B8_0(w) FMLA2(w, V0, V1, V12, V13)
#define B8_1(w) FMLA2(w, V2, V3, V12, V13)
#define B8_2(w) FMLA2(w, V4, V5, V12, V13)
#define B4_0(w) VFMLA w.S4, V0.S4, V12.S4
#define B4_1(w) VFMLA w.S4, V1.S4, V12.S4
#define B4_2(w) VFMLA w.S4, V2.S4, V12.S4

#define BIAS4 \
	VMOV V31.B16, V16.B16 \
	VMOV V31.B16, V17.B16 \
	VMOV V31.B16, V18.B16 \
	VMOV V31.B16, V19.B16

#define BIAS4B \
	VMOV V31.B16, V12.B16 \
	VMOV V31.B16, V13.B16 \
	VMOV V31.B16, V14.B16 \
	VMOV V31.B16, V15.B16

// Stride 1, from PT at tap (0, 0): the nine taps into A, each load one
// tap ahead of its FMLAs.
#define S1_16 \
	BIAS4            \
	L16_0(FOUR)      \
	L16_1(FOUR)      \
	A16_0(V22)       \
	L16_2(NEXT)      \
	A16_1(V23)       \
	L16_0(FOUR)      \
	A16_2(V24)       \
	L16_1(FOUR)      \
	A16_0(V25)       \
	L16_2(NEXT)      \
	A16_1(V26)       \
	L16_0(FOUR)      \
	A16_2(V27)       \
	L16_1(FOUR)      \
	A16_0(V28)       \
	L16_2(NEXT)      \
	A16_1(V29)       \
	A16_2(V30)

#define S1_8 \
	VMOV V31.B16, V16.B16 \
	VMOV V31.B16, V17.B16 \
	L8_0(FOUR)            \
	L8_1(FOUR)            \
	A8_0(V22)             \
	L8_2(NEXT)            \
	A8_1(V23)             \
	L8_0(FOUR)            \
	A8_2(V24)             \
	L8_1(FOUR)            \
	A8_0(V25)             \
	L8_2(NEXT)            \
	A8_1(V26)             \
	L8_0(FOUR)            \
	A8_2(V27)             \
	L8_1(FOUR)            \
	A8_0(V28)             \
	L8_2(NEXT)            \
	A8_1(V29)             \
	A8_2(V30)

#define S1_4 \
	VMOV V31.B16, V16.B16 \
	L4_0(FOUR)            \
	L4_1(FOUR)            \
	A4_0(V22)             \
	L4_2(NEXT)            \
	A4_1(V23)             \
	L4_0(FOUR)            \
	A4_2(V24)             \
	L4_1(FOUR)            \
	A4_0(V25)             \
	L4_2(NEXT)            \
	A4_1(V26)             \
	L4_0(FOUR)            \
	A4_2(V27)             \
	L4_1(FOUR)            \
	A4_0(V28)             \
	L4_2(NEXT)            \
	A4_1(V29)             \
	A4_2(V30)

// Stride 2, 16 outputs: S2LD16 loads a row (even columns in V0, V2, V4,
// V6, odd in V1, V3, V5, V7, the float after them in V8) and moves PT to
// the next row; S2A16 does taps kx = 0 and 1 and forms kx = 2 in V9–V12
// (EXT); S2B16 does kx = 2 with the next row's loads between its FMLAs.
#define S2LD16 \
	VLD2.P 32(PT), [V0.S4, V1.S4] \
	VLD2.P 32(PT), [V2.S4, V3.S4] \
	VLD2.P 32(PT), [V4.S4, V5.S4] \
	VLD2.P 32(PT), [V6.S4, V7.S4] \
	FMOVS  (PT), F8               \
	ADD    NEXT, PT

#define S2A16(wa, wb) \
	VFMLA wa.S4, V0.S4, V16.S4       \
	VEXT  $4, V2.B16, V0.B16, V9.B16  \
	VFMLA wa.S4, V2.S4, V17.S4       \
	VEXT  $4, V4.B16, V2.B16, V10.B16 \
	VFMLA wa.S4, V4.S4, V18.S4       \
	VEXT  $4, V6.B16, V4.B16, V11.B16 \
	VFMLA wa.S4, V6.S4, V19.S4       \
	VEXT  $4, V8.B16, V6.B16, V12.B16 \
	FMLA4(wb, V1, V3, V5, V7, V16, V17, V18, V19)

#define S2B16(wc) \
	VFMLA  wc.S4, V9.S4, V16.S4   \
	VLD2.P 32(PT), [V0.S4, V1.S4] \
	VFMLA  wc.S4, V10.S4, V17.S4  \
	VLD2.P 32(PT), [V2.S4, V3.S4] \
	VFMLA  wc.S4, V11.S4, V18.S4  \
	VLD2.P 32(PT), [V4.S4, V5.S4] \
	VFMLA  wc.S4, V12.S4, V19.S4  \
	VLD2.P 32(PT), [V6.S4, V7.S4] \
	FMOVS  (PT), F8               \
	ADD    NEXT, PT

#define S2_16 \
	BIAS4                                   \
	S2LD16                                  \
	S2A16(V22, V23)                         \
	S2B16(V24)                              \
	S2A16(V25, V26)                         \
	S2B16(V27)                              \
	S2A16(V28, V29)                         \
	FMLA4(V30, V9, V10, V11, V12, V16, V17, V18, V19)

// 8 outputs: even columns in V0, V2, odd in V1, V3, kx = 2 in V9, V10.
#define S2LD8 \
	VLD2.P 32(PT), [V0.S4, V1.S4] \
	VLD2.P 32(PT), [V2.S4, V3.S4] \
	FMOVS  (PT), F8               \
	ADD    NEXT, PT

#define S2A8(wa, wb) \
	VFMLA wa.S4, V0.S4, V16.S4       \
	VEXT  $4, V2.B16, V0.B16, V9.B16  \
	VFMLA wa.S4, V2.S4, V17.S4       \
	VEXT  $4, V8.B16, V2.B16, V10.B16 \
	FMLA2(wb, V1, V3, V16, V17)

#define S2B8(wc) \
	VFMLA  wc.S4, V9.S4, V16.S4   \
	VLD2.P 32(PT), [V0.S4, V1.S4] \
	VFMLA  wc.S4, V10.S4, V17.S4  \
	VLD2.P 32(PT), [V2.S4, V3.S4] \
	FMOVS  (PT), F8               \
	ADD    NEXT, PT

#define S2_8 \
	VMOV V31.B16, V16.B16       \
	VMOV V31.B16, V17.B16       \
	S2LD8                       \
	S2A8(V22, V23)              \
	S2B8(V24)                   \
	S2A8(V25, V26)              \
	S2B8(V27)                   \
	S2A8(V28, V29)              \
	FMLA2(V30, V9, V10, V16, V17)

// 4 outputs: even columns in V0, odd in V1, kx = 2 in V9.
#define S2LD4 \
	VLD2.P 32(PT), [V0.S4, V1.S4] \
	FMOVS  (PT), F8               \
	ADD    NEXT, PT

#define S2A4(wa, wb) \
	VFMLA wa.S4, V0.S4, V16.S4      \
	VEXT  $4, V8.B16, V0.B16, V9.B16 \
	VFMLA wb.S4, V1.S4, V16.S4

#define S2_4 \
	VMOV  V31.B16, V16.B16  \
	S2LD4                   \
	S2A4(V22, V23)          \
	VFMLA V24.S4, V9.S4, V16.S4 \
	S2LD4                   \
	S2A4(V25, V26)          \
	VFMLA V27.S4, V9.S4, V16.S4 \
	S2LD4                   \
	S2A4(V28, V29)          \
	VFMLA V30.S4, V9.S4, V16.S4

// func dwPlane3NEON(dst *float32, oh, ow int, p *float32, wp, s int, w *float32, bias, lo, hi float32)
// ow >= 4; p holds every tap ((oh-1)·s+3 rows of wp >= (ow-1)·s+3).
TEXT ·dwPlane3NEON(SB), NOSPLIT, $0-68
	MOVD w+48(FP), WPTR
	LOAD_ARGS(bias+56, lo+60, hi+64)
	MOVD dst+0(FP), DST
	MOVD oh+8(FP), ROWS
	MOVD ow+16(FP), OW
	MOVD p+24(FP), SRC
	MOVD wp+32(FP), WPB
	LSL  $2, WPB
	MOVD s+40(FP), TMP
	MUL  TMP, WPB, ROWSTEP
	MOVD $4, FOUR
	CMP  $2, TMP
	BEQ  s2
	SUB  $8, WPB, NEXT     // from column x+2 of one row to x of the next
	CMP  $16, OW
	BGE  s1w16
	CMP  $8, OW
	BGE  s1w8

s1w4:
	MOVD ZR, XC

s1w4x:
	ADD  XC<<2, SRC, PT
	S1_4
	ADD  XC<<2, DST, PO
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	VST1 [V16.S4], (PO)
	ADD  $4, XC
	CMP  OW, XC
	BEQ  s1w4y
	ADD  $4, XC, TMP
	CMP  OW, TMP
	BLE  s1w4x
	SUB  $4, OW, XC        // the last chunk, overlapping
	B    s1w4x

s1w4y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  s1w4
	RET

s1w8:
	MOVD ZR, XC

s1w8x:
	ADD  XC<<2, SRC, PT
	S1_8
	ADD  XC<<2, DST, PO
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4e34f631 // FMAX V17.4S, V17.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	WORD $0x4eb5f631 // FMIN V17.4S, V17.4S, V21.4S
	VST1 [V16.S4, V17.S4], (PO)
	ADD  $8, XC
	CMP  OW, XC
	BEQ  s1w8y
	ADD  $8, XC, TMP
	CMP  OW, TMP
	BLE  s1w8x
	SUB  $8, OW, XC
	B    s1w8x

s1w8y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  s1w8
	RET

s1w16:
	MOVD ZR, XC

s1w16x:
	ADD  XC<<2, SRC, PT
	S1_16
	ADD  XC<<2, DST, PO
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4e34f631 // FMAX V17.4S, V17.4S, V20.4S
	WORD $0x4e34f652 // FMAX V18.4S, V18.4S, V20.4S
	WORD $0x4e34f673 // FMAX V19.4S, V19.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	WORD $0x4eb5f631 // FMIN V17.4S, V17.4S, V21.4S
	WORD $0x4eb5f652 // FMIN V18.4S, V18.4S, V21.4S
	WORD $0x4eb5f673 // FMIN V19.4S, V19.4S, V21.4S
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (PO)
	ADD  $16, XC
	CMP  OW, XC
	BEQ  s1w16y
	ADD  $16, XC, TMP
	CMP  OW, TMP
	BLE  s1w16x
	SUB  $16, OW, XC
	B    s1w16x

s1w16y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  s1w16
	RET

s2:
	CMP $16, OW
	BGE s2w16
	CMP $8, OW
	BGE s2w8
	SUB $32, WPB, NEXT     // from column 2x+8 of one row to 2x of the next

s2w4:
	MOVD ZR, XC

s2w4x:
	ADD  XC<<3, SRC, PT
	S2_4
	ADD  XC<<2, DST, PO
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	VST1 [V16.S4], (PO)
	ADD  $4, XC
	CMP  OW, XC
	BEQ  s2w4y
	ADD  $4, XC, TMP
	CMP  OW, TMP
	BLE  s2w4x
	SUB  $4, OW, XC
	B    s2w4x

s2w4y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  s2w4
	RET

s2w8:
	SUB $64, WPB, NEXT

s2w8r:
	MOVD ZR, XC

s2w8x:
	ADD  XC<<3, SRC, PT
	S2_8
	ADD  XC<<2, DST, PO
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4e34f631 // FMAX V17.4S, V17.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	WORD $0x4eb5f631 // FMIN V17.4S, V17.4S, V21.4S
	VST1 [V16.S4, V17.S4], (PO)
	ADD  $8, XC
	CMP  OW, XC
	BEQ  s2w8y
	ADD  $8, XC, TMP
	CMP  OW, TMP
	BLE  s2w8x
	SUB  $8, OW, XC
	B    s2w8x

s2w8y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  s2w8r
	RET

s2w16:
	SUB $128, WPB, NEXT

s2w16r:
	MOVD ZR, XC

s2w16x:
	ADD  XC<<3, SRC, PT
	S2_16
	ADD  XC<<2, DST, PO
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4e34f631 // FMAX V17.4S, V17.4S, V20.4S
	WORD $0x4e34f652 // FMAX V18.4S, V18.4S, V20.4S
	WORD $0x4e34f673 // FMAX V19.4S, V19.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	WORD $0x4eb5f631 // FMIN V17.4S, V17.4S, V21.4S
	WORD $0x4eb5f652 // FMIN V18.4S, V18.4S, V21.4S
	WORD $0x4eb5f673 // FMIN V19.4S, V19.4S, V21.4S
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (PO)
	ADD  $16, XC
	CMP  OW, XC
	BEQ  s2w16y
	ADD  $16, XC, TMP
	CMP  OW, TMP
	BLE  s2w16x
	SUB  $16, OW, XC
	B    s2w16x

s2w16y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  s2w16r
	RET

// The pool's chunks, from PT at padded row 2y, conv column 2x: padded
// rows r = 0…3, taps kx = 0…2, one load each (set (3r+kx) mod 3), one
// load ahead; row r feeds A with w[3r+kx] (r < 3) and B with w[3(r-1)+kx]
// (r > 0).
#define P_16 \
	BIAS4                  \
	BIAS4B                 \
	L16_0(FOUR)            \
	L16_1(FOUR)            \
	A16_0(V22)             \
	L16_2(NEXT)            \
	A16_1(V23)             \
	L16_0(FOUR)            \
	A16_2(V24)             \
	L16_1(FOUR)            \
	A16_0(V25)             \
	B16_0(V22)             \
	L16_2(NEXT)            \
	A16_1(V26)             \
	B16_1(V23)             \
	L16_0(FOUR)            \
	A16_2(V27)             \
	B16_2(V24)             \
	L16_1(FOUR)            \
	A16_0(V28)             \
	B16_0(V25)             \
	L16_2(NEXT)            \
	A16_1(V29)             \
	B16_1(V26)             \
	L16_0(FOUR)            \
	A16_2(V30)             \
	B16_2(V27)             \
	L16_1(FOUR)            \
	B16_0(V28)             \
	L16_2(NEXT)            \
	B16_1(V29)             \
	B16_2(V30)

#define P_8 \
	VMOV V31.B16, V16.B16  \
	VMOV V31.B16, V17.B16  \
	VMOV V31.B16, V12.B16  \
	VMOV V31.B16, V13.B16  \
	L8_0(FOUR)             \
	L8_1(FOUR)             \
	A8_0(V22)              \
	L8_2(NEXT)             \
	A8_1(V23)              \
	L8_0(FOUR)             \
	A8_2(V24)              \
	L8_1(FOUR)             \
	A8_0(V25)              \
	B8_0(V22)              \
	L8_2(NEXT)             \
	A8_1(V26)              \
	B8_1(V23)              \
	L8_0(FOUR)             \
	A8_2(V27)              \
	B8_2(V24)              \
	L8_1(FOUR)             \
	A8_0(V28)              \
	B8_0(V25)              \
	L8_2(NEXT)             \
	A8_1(V29)              \
	B8_1(V26)              \
	L8_0(FOUR)             \
	A8_2(V30)              \
	B8_2(V27)              \
	L8_1(FOUR)             \
	B8_0(V28)              \
	L8_2(NEXT)             \
	B8_1(V29)              \
	B8_2(V30)

#define P_4 \
	VMOV V31.B16, V16.B16  \
	VMOV V31.B16, V12.B16  \
	L4_0(FOUR)             \
	L4_1(FOUR)             \
	A4_0(V22)              \
	L4_2(NEXT)             \
	A4_1(V23)              \
	L4_0(FOUR)             \
	A4_2(V24)              \
	L4_1(FOUR)             \
	A4_0(V25)              \
	B4_0(V22)              \
	L4_2(NEXT)             \
	A4_1(V26)              \
	B4_1(V23)              \
	L4_0(FOUR)             \
	A4_2(V27)              \
	B4_2(V24)              \
	L4_1(FOUR)             \
	A4_0(V28)              \
	B4_0(V25)              \
	L4_2(NEXT)             \
	A4_1(V29)              \
	B4_1(V26)              \
	L4_0(FOUR)             \
	A4_2(V30)              \
	B4_2(V27)              \
	L4_1(FOUR)             \
	B4_0(V28)              \
	L4_2(NEXT)             \
	B4_1(V29)              \
	B4_2(V30)

// func dwPlane3PoolNEON(dst *float32, ph, pw int, p *float32, wp int, w *float32, bias, lo, hi float32)
// pw >= 2; p holds 2ph+2 rows of wp >= 2pw+2.
TEXT ·dwPlane3PoolNEON(SB), NOSPLIT, $0-60
	MOVD w+40(FP), WPTR
	LOAD_ARGS(bias+48, lo+52, hi+56)
	MOVD dst+0(FP), DST
	MOVD ph+8(FP), ROWS
	MOVD pw+16(FP), OW
	MOVD p+24(FP), SRC
	MOVD wp+32(FP), WPB
	LSL  $2, WPB
	LSL  $1, WPB, ROWSTEP  // two padded rows per pooled row
	MOVD $4, FOUR
	SUB  $8, WPB, NEXT
	CMP  $8, OW
	BGE  p8
	CMP  $4, OW
	BGE  p4

p2: // 2 pooled outputs: 4 conv columns, one vector per conv row
	MOVD ZR, XC

p2x:
	ADD   XC<<3, SRC, PT
	P_4
	ADD   XC<<2, DST, PO
	WORD  $0x4e2cf610 // FMAX V16.4S, V16.4S, V12.4S
	WORD  $0x6e30f610 // FMAXP V16.4S, V16.4S, V16.4S
	WORD  $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD  $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	FMOVD F16, (PO)
	ADD   $2, XC
	CMP   OW, XC
	BEQ   p2y
	ADD   $2, XC, TMP
	CMP   OW, TMP
	BLE   p2x
	SUB   $2, OW, XC
	B     p2x

p2y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  p2
	RET

p4: // 4 pooled outputs: 8 conv columns
	MOVD ZR, XC

p4x:
	ADD  XC<<3, SRC, PT
	P_8
	ADD  XC<<2, DST, PO
	WORD $0x4e2cf610 // FMAX V16.4S, V16.4S, V12.4S
	WORD $0x4e2df631 // FMAX V17.4S, V17.4S, V13.4S
	WORD $0x6e31f610 // FMAXP V16.4S, V16.4S, V17.4S
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	VST1 [V16.S4], (PO)
	ADD  $4, XC
	CMP  OW, XC
	BEQ  p4y
	ADD  $4, XC, TMP
	CMP  OW, TMP
	BLE  p4x
	SUB  $4, OW, XC
	B    p4x

p4y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  p4
	RET

p8: // 8 pooled outputs: 16 conv columns
	MOVD ZR, XC

p8x:
	ADD  XC<<3, SRC, PT
	P_16
	ADD  XC<<2, DST, PO
	WORD $0x4e2cf610 // FMAX V16.4S, V16.4S, V12.4S
	WORD $0x4e2df631 // FMAX V17.4S, V17.4S, V13.4S
	WORD $0x4e2ef652 // FMAX V18.4S, V18.4S, V14.4S
	WORD $0x4e2ff673 // FMAX V19.4S, V19.4S, V15.4S
	WORD $0x6e31f610 // FMAXP V16.4S, V16.4S, V17.4S
	WORD $0x6e33f651 // FMAXP V17.4S, V18.4S, V19.4S
	WORD $0x4e34f610 // FMAX V16.4S, V16.4S, V20.4S
	WORD $0x4e34f631 // FMAX V17.4S, V17.4S, V20.4S
	WORD $0x4eb5f610 // FMIN V16.4S, V16.4S, V21.4S
	WORD $0x4eb5f631 // FMIN V17.4S, V17.4S, V21.4S
	VST1 [V16.S4, V17.S4], (PO)
	ADD  $8, XC
	CMP  OW, XC
	BEQ  p8y
	ADD  $8, XC, TMP
	CMP  OW, TMP
	BLE  p8x
	SUB  $8, OW, XC
	B    p8x

p8y:
	ADD  OW<<2, DST
	ADD  ROWSTEP, SRC
	SUBS $1, ROWS
	BNE  p8
	RET

// func stride2RowsNEON(dst *float32, ldd int, src *float32, lds, rows, n int)
// n >= 5, lds >= 0. Evens of LD2 [Va, Vb] are in Va: loading the next 8
// floats into [Vb, Vc] overwrites the unwanted odd ones, so the wanted
// vectors are consecutive registers for one ST1.
TEXT ·stride2RowsNEON(SB), NOSPLIT, $0-48
	MOVD dst+0(FP), R0
	MOVD ldd+8(FP), R1
	LSL  $2, R1
	MOVD src+16(FP), R2
	MOVD lds+24(FP), R3
	LSL  $2, R3
	MOVD rows+32(FP), R4
	MOVD n+40(FP), R5
	CMP  $9, R5
	BLT  short
	LSL  $3, R5, R6
	SUB  $68, R6           // bytes to float 2(n-8)-1: the last 8 as odd lanes
	LSL  $2, R5, R7
	SUB  $32, R7           // bytes to output n-8

long:
	MOVD R2, R8
	MOVD R0, R9
	MOVD R5, R10

l16: // while the 32 floats read stay within float 2n-2
	CMP    $17, R10
	BLT    l8
	VLD2.P 32(R8), [V0.S4, V1.S4]
	VLD2.P 32(R8), [V1.S4, V2.S4]
	VLD2.P 32(R8), [V2.S4, V3.S4]
	VLD2.P 32(R8), [V3.S4, V4.S4]
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R9)
	SUB    $16, R10
	B      l16

l8:
	CMP    $9, R10
	BLT    last8
	VLD2.P 32(R8), [V0.S4, V1.S4]
	VLD2.P 32(R8), [V1.S4, V2.S4]
	VST1.P [V0.S4, V1.S4], 32(R9)
	SUB    $8, R10

last8: // outputs n-8 … n-1 from floats 2n-17 … 2n-2, odd lanes
	ADD  R6, R2, R8
	ADD  $32, R8, R11
	ADD  R7, R0, R9
	VLD2 (R11), [V1.S4, V2.S4]
	VLD2 (R8), [V0.S4, V1.S4]
	VST1 [V1.S4, V2.S4], (R9)
	ADD  R1, R0
	ADD  R3, R2
	SUBS $1, R4
	BNE  long
	RET

short: // 5–8 outputs: 4 from float 0, the last 4 from float 2(n-4)-1
	LSL $3, R5, R6
	SUB $36, R6
	LSL $2, R5, R7
	SUB $16, R7

srow:
	VLD2 (R2), [V0.S4, V1.S4]
	VST1 [V0.S4], (R0)
	ADD  R6, R2, R8
	ADD  R7, R0, R9
	VLD2 (R8), [V0.S4, V1.S4]
	VST1 [V1.S4], (R9)
	ADD  R1, R0
	ADD  R3, R2
	SUBS $1, R4
	BNE  srow
	RET
