package rules

import "bytes"

// A key is sk_live_… or sk_test_…: it has 'k' at offset 1 and '_' at
// offset 7. The prefilter looks for that pair of bytes at once, the way the
// memchr crate's "packed pair" searcher does. Each byte alone is common in
// code ('k' about 0.4% of Go source, '_' 0.8%), but the pair six bytes
// apart is rare, so the verifier runs seldom and the search streams.
const (
	pairK     = 'k'
	pairKOff  = 1
	pairU     = '_'
	pairUOff  = 7
	pairWidth = pairUOff + 1 // bytes a candidate needs for the pair test
)

// indexPairGeneric returns the smallest p with b[p+1] == 'k' and
// b[p+7] == '_', or -1. It is the portable prefilter, and the reference the
// assembly version is tested against.
func indexPairGeneric(b []byte) int {
	for p := 0; p+pairWidth <= len(b); {
		j := bytes.IndexByte(b[p+pairKOff:len(b)-pairWidth+pairKOff+1], pairK)
		if j < 0 {
			return -1
		}
		p += j
		if b[p+pairUOff] == pairU {
			return p
		}
		p++
	}
	return -1
}
