#include "textflag.h"

// 16 copies of the bytes of the plain key's pair, 'k' and '_' (indexPair):
// LOOKKEY loads them, as the other constants fill the registers.
DATA pairk<>+0x00(SB)/8, $0x6b6b6b6b6b6b6b6b
DATA pairk<>+0x08(SB)/8, $0x6b6b6b6b6b6b6b6b
GLOBL pairk<>(SB), RODATA|NOPTR, $16
DATA pairu<>+0x00(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA pairu<>+0x08(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL pairu<>(SB), RODATA|NOPTR, $16

// BCAST sets x to 16 copies of the byte c.
#define BCAST(c, x) MOVQ $c, AX; MOVQ AX, x; PUNPCKLQDQ x, x

// FIND sets x to 0xFF at each of the 16 positions from b[p+off] that
// holds the byte in c.
#define FIND(p, off, c, x) MOVOU off(SI)(p*1), x; PCMPEQB c, x

// LOOK adds to R12, R13 and DI a bit for each of the 16 positions from
// b[p] that starts what runHolds looks for: a '%' (R12), a JSON "\u"
// (R13), a base64 "c2t", "NrX" or "za1" (DI). It reads b[p:p+18].
#define LOOK(p) \
	FIND(p, 0, X9, X0); \
	PMOVMSKB X0, AX; \
	ORQ  AX, R12; \
	FIND(p, 0, X10, X0); \
	FIND(p, 1, X11, X1); \
	PAND X1, X0; \
	PMOVMSKB X0, AX; \
	ORQ  AX, R13; \
	FIND(p, 0, X12, X0); \
	FIND(p, 1, X13, X1); \
	PAND X1, X0; \
	FIND(p, 2, X14, X1); \
	PAND X1, X0; \
	FIND(p, 0, X15, X2); \
	FIND(p, 1, X7, X1); \
	PAND X1, X2; \
	FIND(p, 2, X6, X1); \
	PAND X1, X2; \
	POR  X2, X0; \
	FIND(p, 0, X5, X2); \
	FIND(p, 1, X4, X1); \
	PAND X1, X2; \
	FIND(p, 2, X3, X1); \
	PAND X1, X2; \
	POR  X2, X0; \
	PMOVMSKB X0, AX; \
	ORQ  AX, DI

// LOOKKEY adds to R9 a bit for each of the 16 positions from b[p] that
// starts the plain key's pair: 'k' at +1, '_' at +7. It reads b[p+1:p+23].
#define LOOKKEY(p) \
	MOVOU pairk<>(SB), X1; \
	FIND(p, 1, X1, X0); \
	MOVOU pairu<>(SB), X2; \
	FIND(p, 7, X2, X1); \
	PAND X1, X0; \
	PMOVMSKB X0, AX; \
	ORQ  AX, R9

// func indexRun(b []byte, all bool) (start, end int, holds uint8)
//
// A byte is a run byte when it is above 0x24 as a signed byte: 0x25..0x7F.
// The gate tests 16-byte windows starting 35 bytes apart, four per
// iteration: a run of 50 bytes (minRun) or more holds a whole window when
// windows start at most minRun-15 bytes apart, so it cannot slip between
// them. A window of run bytes is a candidate:
// when neither the 16 bytes before it nor the 16 after are all run bytes,
// its run is too short (it would need 34 bytes beyond the window, 16 or
// more on one side), which settles most windows in text. Otherwise the
// run through it is measured 16 bytes at a time in both directions, and,
// when it is long enough, looked into as runHolds does unless all is set.
// The search goes on after a run that is not returned. Text with few runs
// costs about five instructions per 35 bytes.
TEXT ·indexRun(SB), NOSPLIT, $0-49
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	MOVQ $-1, AX
	MOVQ AX, start+32(FP)
	MOVQ AX, end+40(FP)
	MOVB $0, holds+48(FP)
	CMPQ BX, $50
	JLT  ret

	// X0-X2 are scratch; the constants live in X3-X15 throughout. X15 is
	// the zero register only in Go's register ABI; this is ABI0 code, and
	// the call's wrapper restores it (cmd/compile/abi-internal.md).
	BCAST(0x2424242424242424, X8)  // run bytes are above this
	BCAST(0x2525252525252525, X9)  // %
	BCAST(0x5c5c5c5c5c5c5c5c, X10) // backslash
	BCAST(0x7575757575757575, X11) // u
	BCAST(0x6363636363636363, X12) // c
	BCAST(0x3232323232323232, X13) // 2
	BCAST(0x7474747474747474, X14) // t
	BCAST(0x4e4e4e4e4e4e4e4e, X15) // N
	BCAST(0x7272727272727272, X7)  // r
	BCAST(0x5858585858585858, X6)  // X
	BCAST(0x7a7a7a7a7a7a7a7a, X5)  // z
	BCAST(0x6161616161616161, X4)  // a
	BCAST(0x3131313131313131, X3)  // 1

	XORQ DI, DI       // DI = start of the next window
	LEAQ -16(BX), R8  // windows start at DI <= R8 = len-16
	LEAQ -105(R8), R9 // four windows, DI to DI+105, while DI <= R9

	// Each window costs a load, a compare, a mask and a compare-and-branch
	// that is rarely taken.
four:
	CMPQ DI, R9
	JGT  single
	MOVOU (SI)(DI*1), X0
	MOVOU 35(SI)(DI*1), X1
	MOVOU 70(SI)(DI*1), X2
	PCMPGTB X8, X0
	PCMPGTB X8, X1
	PCMPGTB X8, X2
	PMOVMSKB X0, AX
	PMOVMSKB X1, CX
	PMOVMSKB X2, DX
	MOVOU 105(SI)(DI*1), X0
	PCMPGTB X8, X0
	PMOVMSKB X0, R13
	CMPL AX, $0xFFFF
	JEQ  neighbours
	CMPL CX, $0xFFFF
	JEQ  second
	CMPL DX, $0xFFFF
	JEQ  third
	CMPL R13, $0xFFFF
	JEQ  fourth
	ADDQ $140, DI
	JMP  four

second:
	ADDQ $35, DI
	JMP  neighbours

third:
	ADDQ $70, DI
	JMP  neighbours

fourth:
	ADDQ $105, DI
	JMP  neighbours

single:
	// At most three windows are left.
	CMPQ DI, R8
	JGT  ret
	MOVOU (SI)(DI*1), X0
	PCMPGTB X8, X0
	PMOVMSKB X0, AX
	CMPL AX, $0xFFFF
	JEQ  neighbours
	ADDQ $35, DI
	JMP  single

neighbours:
	// b[DI:DI+16] is run bytes. Near either end of b, measure.
	CMPQ DI, $16
	JLT  measure
	LEAQ 32(DI), CX
	CMPQ CX, BX
	JGT  measure
	MOVOU -16(SI)(DI*1), X1
	MOVOU 16(SI)(DI*1), X2
	PCMPGTB X8, X1
	PCMPGTB X8, X2
	PMOVMSKB X1, AX
	PMOVMSKB X2, CX
	INCL AX
	INCL CX
	ORL  CX, AX
	TESTL $0x10000, AX
	JNZ  measure
	ADDQ $35, DI
	JMP  four

measure:
	// R10 and R11 become the start and end of the run that holds the
	// window.
	MOVQ DI, R10

left:
	TESTQ R10, R10
	JZ   right0
	CMPQ R10, $16
	JLT  leftnear
	MOVOU -16(SI)(R10*1), X2
	PCMPGTB X8, X2
	PMOVMSKB X2, AX
	CMPL AX, $0xFFFF
	JNE  leftlast
	SUBQ $16, R10
	JMP  left

leftlast:
	// The highest clear bit is the last byte before R10 that is not a
	// run byte: b[R10-16+AX].
	NOTL AX
	ANDL $0xFFFF, AX
	BSRL AX, AX
	LEAQ -15(R10)(AX*1), R10
	JMP  right0

leftnear:
	// 0 < R10 < 16: test b[0:16] and keep the bits of the bytes below R10.
	MOVOU (SI), X2
	PCMPGTB X8, X2
	PMOVMSKB X2, AX
	NOTL AX
	MOVQ R10, CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	ANDL DX, AX
	JZ   leftzero
	BSRL AX, AX
	LEAQ 1(AX), R10
	JMP  right0

leftzero:
	XORQ R10, R10

right0:
	LEAQ 16(DI), R11

right:
	CMPQ R11, BX
	JGE  measured
	LEAQ 16(R11), CX
	CMPQ CX, BX
	JGT  rightnear
	MOVOU (SI)(R11*1), X2
	PCMPGTB X8, X2
	PMOVMSKB X2, AX
	CMPL AX, $0xFFFF
	JNE  rightlast
	ADDQ $16, R11
	JMP  right

rightlast:
	// The lowest clear bit is the first byte that is not a run byte.
	NOTL AX
	BSFL AX, AX
	ADDQ AX, R11
	JMP  measured

rightnear:
	// len-16 < R11 < len: test b[len-16:len] and shift out the bits of the
	// bytes below R11. The bits shifted in are clear, so after NOTL they
	// stop BSFL at the end of b.
	MOVOU -16(SI)(BX*1), X2
	PCMPGTB X8, X2
	PMOVMSKB X2, AX
	MOVQ R11, CX
	SUBQ BX, CX
	ADDQ $16, CX
	SHRL CX, AX
	NOTL AX
	BSFL AX, AX
	ADDQ AX, R11

measured:
	MOVQ R11, AX
	SUBQ R10, AX
	CMPQ AX, $50
	JLT  next
	MOVL $15, CX      // everything runHolds reports
	CMPB all+24(FP), $0
	JNE  found
	// Look into the run, 16 positions at a time. The last positions that
	// matter are 23 bytes before its end for the key's pair, and 18 for
	// the rest (LOOKKEY and LOOK read that far).
	XORQ R9, R9
	XORQ R12, R12
	XORQ R13, R13
	XORQ DI, DI
	MOVQ R10, DX

look:
	LEAQ 23(DX), CX
	CMPQ CX, R11
	JGT  looklast
	LOOK(DX)
	LOOKKEY(DX)
	ADDQ $16, DX
	JMP  look

looklast:
	// DX > R11-23: LOOK at DX too when it can, so that no position
	// between the loop's last block and the one at R11-18 is left out.
	LEAQ 18(DX), CX
	CMPQ CX, R11
	JGT  lookends
	LOOK(DX)

lookends:
	LEAQ -23(R11), DX
	LOOKKEY(DX)
	LEAQ -18(R11), DX
	LOOK(DX)
	XORL CX, CX
	TESTQ R12, R12
	JZ   nopercent
	ORL  $1, CX

nopercent:
	TESTQ R13, R13
	JZ   nojson
	ORL  $2, CX

nojson:
	TESTQ DI, DI
	JZ   nobase64
	ORL  $4, CX

nobase64:
	TESTQ R9, R9
	JZ   nokey
	ORL  $8, CX

nokey:
	TESTL CX, CX
	JNZ  found

next:
	LEAQ 1(R11), DI   // b[R11] is not a run byte: the next run starts after it
	LEAQ -121(BX), R9 // as set up above: LOOKKEY used R9
	JMP  four

found:
	MOVQ R10, start+32(FP)
	MOVQ R11, end+40(FP)
	MOVB CX, holds+48(FP)

ret:
	RET
