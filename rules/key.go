package rules

import "bytes"

// Kind tells a live key from a test key.
type Kind uint8

const (
	// Live is an sk_live_ key: it can move real money and data.
	Live Kind = iota + 1
	// Test is an sk_test_ key: a credential for the sandbox.
	Test
)

// String returns "live" or "test".
func (k Kind) String() string {
	switch k {
	case Live:
		return "live"
	case Test:
		return "test"
	}
	return "unknown"
}

// Rule returns the ID of the rule that reports a key of kind k.
func (k Kind) Rule() RuleID {
	if k == Test {
		return TestKey
	}
	return LiveKey
}

const (
	// KeyLen is the length of a Claro key: an 8-byte prefix and a 42-byte body.
	KeyLen = prefixLen + BodyLen
	// BodyLen is the number of base62 characters after the prefix.
	BodyLen   = 42
	prefixLen = len("sk_live_")

	// Context is the most bytes before a key that the matcher reads to
	// decide its left boundary (the longest escape it recognises, such as an
	// ANSI colour sequence written as text).
	Context = 32

	// Overlap is what a chunked reader must carry from one window into the
	// next so that every key is decided in exactly one window with its full
	// context: KeyLen-1 bytes so that a key straddling the edge lies wholly
	// in the next window, one byte of right boundary, and Context bytes of
	// left boundary. See FindIn.
	Overlap = KeyLen + Context

	// DefaultMinEntropy is the Shannon entropy, in bits per character of the
	// body, below which a key is taken for a placeholder. A random base62
	// body averages about 4.9.
	DefaultMinEntropy = 4.0
)

// Match is one key found by a Matcher: b[Start:End] is the key, as byte
// offsets into the slice that was searched (End-Start is always KeyLen).
type Match struct {
	Start, End int
	Kind       Kind
}

// Matcher finds Claro keys in bytes. The zero value applies the default
// thresholds. A Matcher is never modified by its methods, so one value is
// safe for concurrent use.
type Matcher struct {
	// MinEntropy is the entropy threshold in bits per character of the
	// 42-character body: keys below it are placeholders. Zero means
	// DefaultMinEntropy; a negative value turns the entropy check off (the
	// run, period and word checks still apply).
	MinEntropy float64
}

// Find returns the keys in b, in order. The start and end of b count as
// the start and end of input. Find never panics and does not allocate when
// b holds no key.
func (m *Matcher) Find(b []byte) []Match {
	return m.FindIn(nil, b, 0, len(b))
}

// FindIn appends to dst the keys whose first byte lies in b[lo:hi] and
// returns the extended slice. Bytes outside [lo, hi) are only context: up to
// Context bytes before a key decide its left boundary, the byte after it its
// right boundary. The start and end of b count as the start and end of
// input, so a chunked reader passes lo >= Context (except in its first
// window) and hi <= len(b)-KeyLen (except in its last) and carries Overlap
// bytes forward; then every key is reported exactly once, whatever the
// chunk size.
//
// FindIn never panics for lo and hi within [0, len(b)] and does not
// allocate when b holds no key. Its prefilter (indexPair) looks for the
// prefix's 'k' and its second '_' six bytes apart, both far rarer in code
// than 's', with SIMD compares; it may pass false candidates but never
// drops a key.
func (m *Matcher) FindIn(dst []Match, b []byte, lo, hi int) []Match {
	lo = max(lo, 0)
	last := min(hi, len(b)-KeyLen+1) // keys start in [lo, last)
	for s := lo; s < last; {
		j := indexPair(b[s : last-1+pairWidth])
		if j < 0 {
			break
		}
		s += j
		kind := prefixKind(b[s:])
		if kind == 0 || !isBody(b[s+prefixLen:s+KeyLen]) ||
			!rightBoundary(b, s+KeyLen) || !leftBoundary(b, s) ||
			m.isPlaceholder(b[s+prefixLen:s+KeyLen]) {
			s++
			continue
		}
		dst = append(dst, Match{Start: s, End: s + KeyLen, Kind: kind})
		s += KeyLen + 1 // the byte after a key is not alphanumeric, so no key starts there
	}
	return dst
}

// IsKey reports whether b is exactly one Claro key in form: sk_live_ or
// sk_test_ followed by 42 base62 characters. It does not judge whether the
// key is a placeholder; Matcher.Find does.
func IsKey(b []byte) bool {
	return len(b) == KeyLen && prefixKind(b) != 0 && isBody(b[prefixLen:])
}

// prefixKind returns the kind named by the prefix at the start of b, or 0.
func prefixKind(b []byte) Kind {
	if len(b) < prefixLen || b[0] != 's' || b[1] != 'k' || b[2] != '_' || b[7] != '_' {
		return 0
	}
	switch string(b[3:7]) { // does not allocate
	case "live":
		return Live
	case "test":
		return Test
	}
	return 0
}

// isBody reports whether every byte of b is base62.
func isBody(b []byte) bool {
	for _, c := range b {
		if !isAlnum(c) {
			return false
		}
	}
	return true
}

// rightBoundary reports whether a key may end at e: end of input or a byte
// that is not [A-Za-z0-9]. An underscore may follow a key.
func rightBoundary(b []byte, e int) bool {
	return e == len(b) || !isAlnum(b[e])
}

// leftBoundary reports whether a key may start at s: start of input, a byte
// that is not [A-Za-z0-9_], or an escape that ends right before s.
func leftBoundary(b []byte, s int) bool {
	return s == 0 || !isWord(b[s-1]) || escapeBefore(b, s)
}

// escapeBefore reports whether an escape sequence ends right before s,
// although its last byte is a word byte: \n \t \r \b \f \v \0, octal \042,
// \x22, \u0022, \U00000022, URL %3D, and ANSI colour sequences (ESC[32m,
// written raw or as \e[, \033[, \x1b[, \u001b[). A key after an escaped
// quote (\") or an HTML entity (&quot;) needs no rule here: the byte
// before it is not a word byte.
func escapeBefore(b []byte, s int) bool {
	c := b[s-1]
	if s >= 2 && b[s-2] == '\\' && isByteIn(c, "ntrbfv0") {
		return true
	}
	if s >= 3 && b[s-3] == '%' && isHex(b[s-2]) && isHex(b[s-1]) {
		return true
	}
	if s >= 4 && b[s-4] == '\\' && b[s-3] == 'x' && isHex(b[s-2]) && isHex(b[s-1]) {
		return true
	}
	if s >= 4 && b[s-4] == '\\' && isOctal(b[s-3]) && isOctal(b[s-2]) && isOctal(b[s-1]) {
		return true
	}
	if s >= 6 && b[s-6] == '\\' && b[s-5] == 'u' && allHex(b[s-4:s]) {
		return true
	}
	if s >= 10 && b[s-10] == '\\' && b[s-9] == 'U' && allHex(b[s-8:s]) {
		return true
	}
	return c == 'm' && ansiBefore(b, s-1)
}

// ansiBefore reports whether b[:m] ends with the start of an ANSI SGR
// sequence whose final 'm' is at m: ESC '[' then digits and semicolons.
func ansiBefore(b []byte, m int) bool {
	i := m - 1
	for i >= 0 && m-i <= 16 && (isDigit(b[i]) || b[i] == ';') {
		i--
	}
	if i < 0 || b[i] != '[' {
		return false
	}
	p := b[max(0, i-6):i] // the ESC before '[', raw or written as an escape
	for _, esc := range [...]string{"\x1b", `\e`, `\033`, `\x1b`, `\x1B`, `\u001b`, `\u001B`} {
		if bytes.HasSuffix(p, []byte(esc)) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }
func isWord(c byte) bool  { return c == '_' || isAlnum(c) }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isOctal(c byte) bool { return '0' <= c && c <= '7' }
func isHex(c byte) bool   { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }

func isByteIn(c byte, set string) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}
