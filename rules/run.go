package rules

// A key is 50 bytes in 0x25..0x7F ('%' to DEL), and so is every encoded
// form of it (base64 characters, percent escapes, JSON \u escapes), only
// longer. Text rarely has runs that long of those bytes (spaces, quotes and
// line ends break them), so the search for keys, plain and encoded, looks
// only inside such runs, and the run search is its gate: it must be cheap
// on text without keys, and it must never miss a run.
//
// minRun is the shortest run that can hold a key: the key itself. An
// encoded key is longer: minEncoded bytes with one byte percent-encoded, 55
// with one JSON escape, 67 in base64.
const minRun = KeyLen

// isRunByte reports whether c may be part of a key, plain or encoded:
// 0x25..0x7F.
func isRunByte(c byte) bool { return 0x25 <= c && c < 0x80 }

// What a run holds that a key needs: the prefilter's pair for a plain key
// (see indexPair), an escape, or the base64 of "sk_" (see findBase64).
// Most long runs have none: identifiers and paths, hex digests, random
// base64 data.
const (
	holdsPercent = 1 << iota // a '%'
	holdsJSON                // a JSON \u
	holdsBase64              // c2t, NrX or za1: the start of c2tf, NrX, za19
	holdsKey                 // 'k' and, six bytes on, '_': sk_live_, sk_test_
	holdsAll     = holdsPercent | holdsJSON | holdsBase64 | holdsKey
)

// runHolds returns what the run r holds: an escape or a base64 prefix at a
// position with two more bytes of r after it (an escape needs more, and a
// base64 prefix a fourth byte), and a key's pair inside r.
func runHolds(r []byte) uint8 {
	var h uint8
	for i := 0; i+2 < len(r); i++ {
		switch c, d, e := r[i], r[i+1], r[i+2]; {
		case c == '%':
			h |= holdsPercent
		case c == '\\' && d == 'u':
			h |= holdsJSON
		case c == 'c' && d == '2' && e == 't',
			c == 'N' && d == 'r' && e == 'X',
			c == 'z' && d == 'a' && e == '1':
			h |= holdsBase64
		}
		if i+pairUOff < len(r) && r[i+pairKOff] == pairK && r[i+pairUOff] == pairU {
			h |= holdsKey
		}
	}
	return h
}

// indexRunGeneric returns the first run of at least minRun bytes that
// isRunByte accepts and that holds something (runHolds), or, with all, any
// such run; as b[start:end] with the run maximal within b, and what it
// holds (holdsAll with all); or -1, -1, 0. It is the portable gate, and
// the reference the assembly version is tested against.
func indexRunGeneric(b []byte, all bool) (start, end int, holds uint8) {
	for i := 0; i < len(b); {
		if !isRunByte(b[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(b) && isRunByte(b[j]) {
			j++
		}
		if j-i >= minRun {
			if all {
				return i, j, holdsAll
			}
			if h := runHolds(b[i:j]); h != 0 {
				return i, j, h
			}
		}
		i = j + 1 // b[j] is not a run byte
	}
	return -1, -1, 0
}
