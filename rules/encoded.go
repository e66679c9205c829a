package rules

import (
	"bytes"
	"cmp"
	"slices"
)

// Encoding names how a key was written where it was found: one of the
// constants, or several joined by "+" for a key encoded more than once
// (see Then).
type Encoding string

// The encodings FindEncoded undoes, and the text encodings of files that
// the scanner decodes before it searches them (see UTF16).
const (
	Base64      Encoding = "base64"       // standard alphabet (+ /), padded or not
	Base64URL   Encoding = "base64url"    // URL-safe alphabet (- _)
	Percent     Encoding = "percent"      // URL percent-encoding, in part (sk%5Flive%5F…) or whole (%73%6B%5F…)
	JSONUnicode Encoding = "json-unicode" // JSON \u escapes, in part (sk\u005flive…) or whole (\u0073\u006b…)
	UTF16LE     Encoding = "utf-16le"     // a UTF-16 text file, little-endian
	UTF16BE     Encoding = "utf-16be"     // a UTF-16 text file, big-endian
)

// Then returns the encoding of text encoded with e and then with outer:
// the layers joined by "+" in the order they were applied, innermost
// first. Percent.Then(Base64) is "percent+base64", a percent-encoded key
// that was then base64-encoded.
func (e Encoding) Then(outer Encoding) Encoding { return e + "+" + outer }

// MaxDecodeDepth is the most layers of encoding FindEncoded undoes. Each
// layer can make a key up to six times longer (a JSON \u escape for each
// byte), and the context a chunked reader carries grows with it: 18 KiB
// at depth 3.
const MaxDecodeDepth = 3

const (
	// spread is the most bytes one decoded byte takes when encoded: a
	// JSON escape.
	spread = len(`\u0000`)

	// maxSegment bounds what one buffer holds below depth 1: a run is
	// decoded in pieces of at most this many bytes, overlapping by the
	// context of the layers below, so that memory stays bounded however
	// long the run.
	maxSegment = 64 << 10

	// minEncoded is the shortest encoded key: one byte of it
	// percent-encoded, as in sk_live%5F….
	minEncoded = KeyLen + len("%5F") - 1

	// minBase64 is the shortest base64 text that holds a whole key: 50
	// bytes take 67 characters. Below depth 1 what base64 hides is itself
	// encoded: minBase64Nested holds the shortest encoded key.
	minBase64       = (KeyLen*4 + 2) / 3
	minBase64Nested = (minEncoded*4 + 2) / 3

	// b64ContextQuads is how many 4-character groups before a key's
	// first group are decoded for its left boundary: 33 bytes, more than
	// Context. b64KeyQuads groups hold the key and the byte after it at
	// any alignment.
	b64ContextQuads = (Context + 3) / 3
	b64KeyQuads     = (2 + KeyLen + 1 + 2) / 3
)

// EncodedContext returns how many bytes before the start of a key's
// encoded span FindEncoded reads to decide it at the given depth, and how
// many from its start: the matcher's Context and the key with the byte
// after it, each decoded byte up to spread bytes long, once per layer. It
// returns 0, 0 for depth 0, where nothing is decoded. See FindEncoded.
func EncodedContext(depth int) (before, after int) {
	depth = min(depth, MaxDecodeDepth)
	if depth < 1 {
		return 0, 0
	}
	before, after = Context, KeyLen+1
	for range depth {
		// One more layer, and a few bytes for an escape or a base64 group
		// that a cut splits.
		before, after = spread*before+spread, spread*after+spread
	}
	return before, after
}

// Encoded is a key found in encoded form by FindEncoded.
type Encoded struct {
	// Start and End are the encoded span: b[Start:End] is the key as it is
	// written, as byte offsets into the slice that was searched.
	Start, End int
	Kind       Kind
	// Key is the decoded key, which Redact shows and Fingerprint compares
	// as for a key found in plain text.
	Key      [KeyLen]byte
	Encoding Encoding
}

// FindEncoded appends to dst the keys that b holds in encoded form, whose
// encoded spans start in b[lo:hi), in order of Start, and returns the
// extended slice. Depth is how many layers of encoding it undoes; at depth
// 1 it finds keys
//
//   - base64-encoded, in either alphabet, padded or not, at any alignment
//     in the encoded data: base64(key), base64("user:" + key) as in an HTTP
//     basic-auth header, a Kubernetes Secret's data;
//   - percent-encoded in part or in whole, hex digits in either case:
//     sk%5Flive%5F…, %73%6B%5F…;
//   - JSON \u-escaped in part or in whole: sk\u005flive\u005f…,
//     \u0073\u006b….
//
// At depth 2 it also finds each of those encodings of another (a
// percent-encoded key, base64-encoded), and so on up to MaxDecodeDepth; 0
// finds nothing. The decoded key must pass the boundary and placeholder
// rules that Find applies to plain text, with the decoded text around it
// as its context, so base64 of a placeholder or of a Stripe key is not a
// key. A key that Find reports in plain text is never reported again here:
// a percent or JSON span holds at least one escape.
//
// As for FindIn, bytes outside [lo, hi) are only context. With before,
// after := EncodedContext(depth), a key is decided from the bytes within
// before of its span's start and after it, so a chunked reader passes
// lo >= before (except in its first window) and hi <= len(b)-after (except
// in its last) and carries before+after bytes forward; then every encoded
// key is reported exactly once, whatever the chunk size.
//
// FindEncoded never panics for lo and hi within [0, len(b)]. It decodes
// only inside runs of at least 52 bytes in 0x25..0x7F, the bytes every
// encoding above writes keys with, that hold an escape or the base64 of
// "sk_", which text without encoded keys rarely has; an SSE2 search finds
// them (indexRun), and text without them costs that search and nothing
// else. At depth 1 it decodes only around what can begin a key (a base64
// group that encodes "sk_", an 's' near an escape), into fixed buffers,
// and does not allocate; deeper layers decode whole runs, in pieces of at
// most 64 KiB, into buffers they allocate.
func (m *Matcher) FindEncoded(dst []Encoded, b []byte, lo, hi, depth int) []Encoded {
	_, dst = m.find(nil, dst, b, lo, hi, depth, false)
	return dst
}

// FindAll appends to keys what FindIn(keys, b, lo, hi) appends and to
// encoded what FindEncoded(encoded, b, lo, hi, depth) appends, with one
// search for both, and returns the extended slices; with depth 0 it is
// FindIn. A chunked reader passes lo and hi as FindEncoded's contract says,
// which meets FindIn's.
//
// Every key, plain or encoded, lies in a run of 50 or more bytes in
// 0x25..0x7F, so the run search (indexRun) that finds the encoded keys'
// runs finds the plain keys' ones too, looking in each for FindIn's pair
// of bytes ('k', and '_' six bytes on), and FindIn runs only in the runs
// that have it. Looking for keys in both forms so costs about what FindIn
// alone does on text with few long runs, and somewhat more on text with
// many (Go source: hex digests, base64 test vectors, escaped strings).
func (m *Matcher) FindAll(keys []Match, encoded []Encoded, b []byte, lo, hi, depth int) ([]Match, []Encoded) {
	if min(depth, MaxDecodeDepth) < 1 {
		return m.FindIn(keys, b, lo, hi), encoded
	}
	return m.find(keys, encoded, b, lo, hi, depth, true)
}

// find is FindEncoded, and with plain FindAll.
func (m *Matcher) find(keys []Match, dst []Encoded, b []byte, lo, hi, depth int, plain bool) ([]Match, []Encoded) {
	depth = min(depth, MaxDecodeDepth)
	lo, hi = max(lo, 0), min(hi, len(b))
	if depth < 1 || lo >= hi {
		return keys, dst
	}
	before, after := EncodedContext(depth)
	from, to := max(lo-before, 0), min(hi+after, len(b))
	n := len(dst)
	for p := from; p < to; {
		// Only runs with the plain key's pair, an escape or a base64
		// prefix can hold a key, plain or encoded once; deeper, any run
		// may decode to one that has them.
		s, e, holds := indexRun(b[p:to], depth > 1)
		if s < 0 {
			break
		}
		s, e = p+s, p+e
		if plain && holds&holdsKey != 0 {
			keys = m.FindIn(keys, b, max(lo, s), min(hi, e))
		}
		dst = m.findOnce(dst, b, s, e, lo, hi, holds)
		if depth > 1 {
			dst = m.findNested(dst, b, s, e, lo, hi, depth)
		}
		p = e
	}
	found := dst[n:]
	slices.SortFunc(found, func(x, y Encoded) int {
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End))
	})
	// Two chains of decoders can reach one key; report it once.
	found = slices.CompactFunc(found, func(x, y Encoded) bool { return x.Start == y.Start && x.End == y.End })
	return keys, dst[:n+len(found)]
}

// findOnce appends the keys encoded once in the run b[s:e] whose spans
// start in [lo, hi); holds says what the run holds (runHolds).
func (m *Matcher) findOnce(dst []Encoded, b []byte, s, e, lo, hi int, holds uint8) []Encoded {
	if holds&holdsBase64 != 0 && e-s >= minBase64 {
		dst = m.findBase64(dst, b, s, e, lo, hi)
	}
	if holds&holdsPercent != 0 {
		dst = m.findEscaped(dst, b, s, e, lo, hi, Percent)
	}
	if holds&holdsJSON != 0 {
		dst = m.findEscaped(dst, b, s, e, lo, hi, JSONUnicode)
	}
	return dst
}

// findBase64 appends the base64-encoded keys in the run b[s:e] whose spans
// start in [lo, hi). It looks for the base64 characters that "sk_", the
// start of every key, always encodes to, at each of its three alignments
// in the encoded bytes (both alphabets agree on them): where one is, the
// alignment tells which groups of four characters to decode, so base64
// data that begins inside the run (after "path/", say) decodes correctly.
func (m *Matcher) findBase64(dst []Encoded, b []byte, s, e, lo, hi int) []Encoded {
	// At alignment 1 and 2 the group starts back characters before the
	// pattern (its first characters also encode the bytes before the key),
	// and the key's first encoded character shift characters before it.
	prefixes := [...]struct {
		text               string
		align, back, shift int
	}{
		{"c2tf", 0, 0, 0}, // "sk_" from a group's first byte
		{"NrX", 1, 2, 1},  // ".sk" "_.." from its second
		{"za19", 2, 3, 1}, // "..s" "k_." from its third
	}
	for _, p := range prefixes {
		for i := s; ; {
			j := bytes.Index(b[i:e], []byte(p.text))
			if j < 0 {
				break
			}
			h := i + j
			i = h + 1
			if start := h - p.shift; start >= lo && start < hi {
				if k, ok := m.base64At(b, s, e, h-p.back, p.align); ok {
					dst = append(dst, k)
				}
			}
		}
	}
	return dst
}

// base64At decodes the key that may start at byte align of the base64
// group at b[q:q+4], within the run b[s:e], with enough groups before it
// for its left boundary and after it for its right one.
func (m *Matcher) base64At(b []byte, s, e, q, align int) (Encoded, bool) {
	if q < s {
		return Encoded{}, false
	}
	qs := q // the first group decoded
	for range b64ContextQuads {
		if qs-4 < s || !isBase64(b[qs-4:qs]) {
			break
		}
		qs -= 4
	}
	var buf [3 * (b64ContextQuads + b64KeyQuads)]byte
	dec := decodeBase64(buf[:0], b[qs:min(e, q+4*b64KeyQuads)])
	off := 3*(q-qs)/4 + align // the key in dec
	var one [1]Match
	ms := m.FindIn(one[:0], dec, off, off+1)
	if len(ms) == 0 {
		return Encoded{}, false
	}
	last := align + KeyLen - 1 // the key's last byte, counted from the group at q
	k := Encoded{Start: q + align, End: q + 4*(last/3) + last%3 + 2, Kind: ms[0].Kind}
	k.Encoding = base64Alphabet(b, s, e, k.Start, k.End)
	copy(k.Key[:], dec[off:])
	return k, true
}

// base64Alphabet names the alphabet of the base64 text around b[i:j]
// within b[s:e]. Both alphabets write a key's own bytes alike, so the
// rest of the text decides: Base64URL when it has - or _.
func base64Alphabet(b []byte, s, e, i, j int) Encoding {
	for i > s && isBase64(b[i-1:i]) {
		i--
	}
	for j < e && isBase64(b[j:j+1]) {
		j++
	}
	if bytes.ContainsAny(b[i:j], "-_") {
		return Base64URL
	}
	return Base64
}

// decodeBase64 appends to dst the bytes that the base64 text at the start
// of src encodes, in whole groups of four characters and a last group of
// two or three where the text ends; it stops at the first character that
// is in neither alphabet.
func decodeBase64(dst, src []byte) []byte {
	for len(src) > 0 {
		var v [4]byte
		k := 0
		for ; k < 4 && k < len(src); k++ {
			c, ok := base64Value(src[k])
			if !ok {
				break
			}
			v[k] = c
		}
		if k >= 2 {
			dst = append(dst, v[0]<<2|v[1]>>4)
		}
		if k >= 3 {
			dst = append(dst, v[1]<<4|v[2]>>2)
		}
		if k < 4 {
			return dst
		}
		dst = append(dst, v[2]<<6|v[3])
		src = src[4:]
	}
	return dst
}

// base64Values maps a byte to its 6-bit value in either base64 alphabet (+
// and - are 62, / and _ are 63), or to 0xFF.
const base64Values = "" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x3e\xff\x3e\xff\x3f" +
	"\x34\x35\x36\x37\x38\x39\x3a\x3b\x3c\x3d\xff\xff\xff\xff\xff\xff" +
	"\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e" +
	"\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\xff\xff\xff\xff\x3f" +
	"\xff\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28" +
	"\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

// base64Value returns the 6-bit value of a character of either base64
// alphabet.
func base64Value(c byte) (byte, bool) {
	v := base64Values[c]
	return v, v != 0xFF
}

func isBase64(b []byte) bool {
	for _, c := range b {
		if base64Values[c] == 0xFF {
			return false
		}
	}
	return true
}

// findEscaped appends the keys in the run b[s:e] that are written with at
// least one escape of enc (Percent or JSONUnicode) and whose spans start
// in [lo, hi). A key's span holds an escape, so it starts at most 49
// escapes before one: only those bytes are tried, each once.
func (m *Matcher) findEscaped(dst []Encoded, b []byte, s, e, lo, hi int, enc Encoding) []Encoded {
	lead, width := []byte("%"), len("%5F")
	if enc == JSONUnicode {
		lead, width = []byte(`\u`), spread
	}
	next := max(s, lo) // the first byte not yet tried
	for i := s; i < e; {
		j := bytes.Index(b[i:e], lead)
		if j < 0 {
			break
		}
		esc := i + j
		i = esc + 1
		if _, w := unescape(b[:e], esc, enc); w == 1 {
			continue // not an escape: "%zz", "\user"
		}
		// A key starts with 's', as itself or escaped.
		from, to := max(next, esc-(KeyLen-1)*width), min(esc+1, hi)
		for _, first := range [...]byte{'s', lead[0]} {
			for c := from; c < to; c++ {
				j := bytes.IndexByte(b[c:to], first)
				if j < 0 {
					break
				}
				c += j
				if k, ok := m.escapedAt(b, c, e, enc); ok {
					dst = append(dst, k)
				}
			}
		}
		next = max(next, esc+1)
	}
	return dst
}

// escapedAt decodes the key that may start at b[c], written with escapes
// of enc, within the run that ends at e.
func (m *Matcher) escapedAt(b []byte, c, e int, enc Encoding) (Encoded, bool) {
	if ch, _ := unescape(b[:e], c, enc); ch != 's' {
		return Encoded{}, false // the common case: not the start of a key
	}
	// The last Context bytes of the decoded text before the key, then the
	// key and the byte after it.
	var buf [Context + KeyLen + 1]byte
	var ctx [spread * Context]byte
	nc := 0
	for i := max(0, c-len(ctx)); i < c; {
		ch, w := unescape(b[:c], i, enc)
		ctx[nc] = ch
		nc++
		i += w
	}
	nc = copy(buf[:], ctx[max(0, nc-Context):nc])
	n, end := nc, c
	for i := c; n < len(buf) && i < e; {
		ch, w := unescape(b[:e], i, enc)
		buf[n] = ch
		n++
		i += w
		if n-nc == KeyLen {
			end = i
		}
	}
	if n-nc < KeyLen || end-c == KeyLen {
		return Encoded{}, false // too short, or plain text: Find's to report
	}
	var one [1]Match
	ms := m.FindIn(one[:0], buf[:n], nc, nc+1)
	if len(ms) == 0 {
		return Encoded{}, false
	}
	k := Encoded{Start: c, End: end, Kind: ms[0].Kind, Encoding: enc}
	copy(k.Key[:], buf[nc:])
	return k, true
}

// unescape returns the byte that b[i:] starts with, written with an escape
// of enc or as itself, and how many bytes of b write it. A percent escape
// is % and two hex digits; a JSON escape is \u and four, or \\ (so that
// the u in \\u0041 is a letter). A JSON escape of a character that is not
// ASCII gives 0x80, which is neither a word byte nor a run byte.
func unescape(b []byte, i int, enc Encoding) (byte, int) {
	c := b[i]
	switch {
	case enc == Percent && c == '%' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]):
		return hexValue(b[i+1])<<4 | hexValue(b[i+2]), 3
	case enc == JSONUnicode && c == '\\' && i+1 < len(b) && b[i+1] == '\\':
		return '\\', 2
	case enc == JSONUnicode && c == '\\' && i+5 < len(b) && b[i+1] == 'u' && allHex(b[i+2:i+6]):
		if b[i+2] != '0' || b[i+3] != '0' || b[i+4] > '7' {
			return 0x80, 6
		}
		return hexValue(b[i+4])<<4 | hexValue(b[i+5]), 6
	}
	return c, 1
}

func hexValue(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// findNested appends the keys under two or more layers of encoding in the
// run b[s:e] whose spans start in [lo, hi): the run is decoded once with
// each encoding that applies to it, in pieces of at most maxSegment bytes
// that overlap by what the layers below read, and each piece is searched
// at depth-1.
func (m *Matcher) findNested(dst []Encoded, b []byte, s, e, lo, hi, depth int) []Encoded {
	before, after := EncodedContext(depth)
	var d decoded
	for a := s; ; {
		z := min(e, a+maxSegment)
		keepLo, keepHi := max(lo, a), min(hi, z) // keys decided in this piece
		if a > s {
			keepLo = max(lo, a+before)
		}
		if z < e {
			keepHi = min(hi, z-after)
		}
		if keepLo < keepHi {
			dst = m.findUnder(dst, b, a, z, keepLo, keepHi, depth, &d)
		}
		if z == e {
			return dst
		}
		a = z - after - before
	}
}

// findUnder searches each decoding of b[a:z] at depth-1 and appends what it
// finds whose spans start in [lo, hi), with the encoding of b[a:z] as the
// outer layer.
func (m *Matcher) findUnder(dst []Encoded, b []byte, a, z, lo, hi, depth int, d *decoded) []Encoded {
	seg := b[a:z]
	if bytes.IndexByte(seg, '%') >= 0 {
		d.unescape(b, a, z, Percent)
		dst = m.findDecoded(dst, lo, hi, depth, d, Percent)
	}
	if bytes.Contains(seg, []byte(`\u`)) {
		d.unescape(b, a, z, JSONUnicode)
		dst = m.findDecoded(dst, lo, hi, depth, d, JSONUnicode)
	}
	for i := a; i < z; {
		if _, ok := base64Value(b[i]); !ok {
			i++
			continue
		}
		j := i + 1
		for j < z {
			if _, ok := base64Value(b[j]); !ok {
				break
			}
			j++
		}
		if j-i >= minBase64Nested {
			// The data may start anywhere in the text: try each of the four
			// places a group can start.
			enc := Base64
			if bytes.ContainsAny(b[i:j], "-_") {
				enc = Base64URL
			}
			for phase := range 4 {
				d.decodeBase64(b, i+phase, j)
				dst = m.findDecoded(dst, lo, hi, depth, d, enc)
			}
		}
		i = j
	}
	return dst
}

// findDecoded searches d, text decoded with outer, at depth-1 and appends
// the keys found there, with their spans mapped back to the text, when they
// start in [lo, hi) and outer played a part: a percent or JSON span must
// hold an escape.
func (m *Matcher) findDecoded(dst []Encoded, lo, hi, depth int, d *decoded, outer Encoding) []Encoded {
	d.found = m.FindEncoded(d.found[:0], d.b, 0, len(d.b), depth-1)
	for _, k := range d.found {
		start, end := d.source(k.Start, k.End)
		unchanged := outer != Base64 && outer != Base64URL && end-start == k.End-k.Start
		if start < lo || start >= hi || unchanged {
			continue
		}
		k.Start, k.End, k.Encoding = start, end, k.Encoding.Then(outer)
		dst = append(dst, k)
	}
	return dst
}

// decoded is a piece of text decoded once, with where each byte came from.
// Its buffers are reused from one piece to the next.
type decoded struct {
	b []byte
	// Unescaped, b[i] was decoded from the text's bytes start[i]:end[i],
	// an escape or the byte itself. Decoded from base64, its bits are in
	// the characters from + i/3*4 + i%3 and the next.
	start, end []int32
	base64     bool
	from       int
	found      []Encoded
}

// source returns the span of the text that b[i:j] was decoded from.
func (d *decoded) source(i, j int) (int, int) {
	if d.base64 {
		j--
		return d.from + i/3*4 + i%3, d.from + j/3*4 + j%3 + 2
	}
	return int(d.start[i]), int(d.end[j-1])
}

// unescape decodes the escapes of enc in b[a:z]; other bytes stay as they
// are.
func (d *decoded) unescape(b []byte, a, z int, enc Encoding) {
	d.b, d.start, d.end, d.base64 = d.b[:0], d.start[:0], d.end[:0], false
	for i := a; i < z; {
		c, w := unescape(b[:z], i, enc)
		d.b = append(d.b, c)
		d.start = append(d.start, int32(i))
		d.end = append(d.end, int32(i+w))
		i += w
	}
}

// decodeBase64 decodes the base64 text b[a:z] from its start.
func (d *decoded) decodeBase64(b []byte, a, z int) {
	d.b, d.base64, d.from = d.b[:0], true, a
	if a < z {
		d.b = decodeBase64(d.b, b[a:z])
	}
}
