//go:build !purego

#include "textflag.h"

// func prefetchw(p *float32, n int)
//
// PREFETCHW (0F 0D /1, which Go's assembler does not know: encoded by
// bytes, with the address in SI) for each cache line of the n floats from
// p, the first line the one p is in; none for n ≤ 0.
TEXT ·prefetchw(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	TESTQ CX, CX
	JLE  done
	LEAQ (SI)(CX*4), CX // the end
	ANDQ $-64, SI       // the first line
loop:
	CMPQ SI, CX
	JAE  done
	BYTE $0x0F; BYTE $0x0D; BYTE $0x0E // PREFETCHW (SI)
	ADDQ $64, SI
	JMP  loop
done:
	RET
