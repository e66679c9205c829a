#include "textflag.h"

// func indexPair(b []byte) int
//
// For each position p it tests b[p+1] == 'k' && b[p+7] == '_', 32
// positions per iteration (two 16-byte halves), and returns the first p
// that passes, or -1. A position p needs bytes up to p+7, so a 32-position
// block starting at p reads b[p+1 : p+7+32]. The last, partial block is
// handled by re-testing the final 32 positions (overlap is harmless: the
// positions before them already failed). Inputs shorter than one block go
// to a scalar loop.
TEXT ·indexPair(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	MOVQ SI, DI

	// X0 = 'k' x16, X1 = '_' x16
	MOVQ $0x6b6b6b6b6b6b6b6b, DX
	MOVQ DX, X0
	PUNPCKLQDQ X0, X0
	MOVQ $0x5f5f5f5f5f5f5f5f, DX
	MOVQ DX, X1
	PUNPCKLQDQ X1, X1

	// Positions 0 .. len-8 exist; a block of 32 starting at p is in range
	// while p+39 <= len. R8 = start of the last full block.
	CMPQ BX, $39
	JB   scalar
	LEAQ -39(SI)(BX*1), R8

loop:
	MOVOU 1(DI), X2
	MOVOU 7(DI), X3
	MOVOU 17(DI), X4
	MOVOU 23(DI), X5
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X0, X4
	PCMPEQB X1, X5
	PAND X3, X2
	PAND X5, X4
	MOVOU X2, X6
	POR  X4, X6
	PMOVMSKB X6, DX
	TESTL DX, DX
	JNZ  found
	ADDQ $32, DI
	CMPQ DI, R8
	JBE  loop

	// The tail: re-test the last full block, unless the loop ended on it.
	LEAQ 32(R8), DX
	CMPQ DI, DX
	JAE  notfound
	MOVQ R8, DI
	MOVOU 1(DI), X2
	MOVOU 7(DI), X3
	MOVOU 17(DI), X4
	MOVOU 23(DI), X5
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X0, X4
	PCMPEQB X1, X5
	PAND X3, X2
	PAND X5, X4
	MOVOU X2, X6
	POR  X4, X6
	PMOVMSKB X6, DX
	TESTL DX, DX
	JZ   notfound

found:
	// DX has a bit for a hit in either half; find the first, low half first.
	PMOVMSKB X2, DX
	PMOVMSKB X4, CX
	SHLQ $16, CX
	ORQ  CX, DX
	BSFQ DX, DX
	SUBQ SI, DI
	ADDQ DX, DI
	MOVQ DI, ret+24(FP)
	RET

scalar:
	// len < 39: at most 31 positions, tested one by one.
	CMPQ BX, $8
	JB   notfound
	LEAQ -8(SI)(BX*1), R8

scalarloop:
	CMPB 1(DI), $0x6b
	JNE  scalarnext
	CMPB 7(DI), $0x5f
	JEQ  scalarfound

scalarnext:
	ADDQ $1, DI
	CMPQ DI, R8
	JBE  scalarloop

notfound:
	MOVQ $-1, ret+24(FP)
	RET

scalarfound:
	SUBQ SI, DI
	MOVQ DI, ret+24(FP)
	RET
