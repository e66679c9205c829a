package rules

import "bytes"

// UTF16 reports whether head, the first bytes of a file, begins UTF-16
// text, and in which byte order: a byte-order mark, or, without one, the
// NUL bytes of mostly-ASCII text, where nine characters in ten have a NUL
// high byte and a printable ASCII or whitespace low byte. It returns the
// byte order (UTF16LE or UTF16BE) and the length of the mark, which is not
// text, or "" when head is not UTF-16. Without a mark, head must hold at
// least KeyLen characters: a shorter file cannot hold a key, and the
// pattern needs that many to tell text from binary data.
func UTF16(head []byte) (Encoding, int) {
	if len(head) >= 2 {
		var enc Encoding
		switch {
		case head[0] == 0xFF && head[1] == 0xFE:
			enc = UTF16LE
		case head[0] == 0xFE && head[1] == 0xFF:
			enc = UTF16BE
		}
		// Binary data may start with those two bytes too (a bzip2 test
		// file in Go's module cache does); read as UTF-16 it breaks
		// surrogate pairs and holds control characters, which text does
		// not, so its raw bytes are scanned instead.
		if enc != "" && plausibleUTF16(head[2:], enc) {
			return enc, 2
		}
	}
	units := len(head) / 2
	// Text without NUL bytes, nearly every file, is settled by one fast
	// search; binary data once either reading misses too often.
	if units < KeyLen || bytes.IndexByte(head, 0) < 0 {
		return "", 0
	}
	most := units - units*9/10 // misses allowed
	le, be := 0, 0             // misses
	for i := 0; i+1 < len(head) && (le <= most || be <= most); i += 2 {
		if head[i+1] != 0 || !isTextByte(head[i]) {
			le++
		}
		if head[i] != 0 || !isTextByte(head[i+1]) {
			be++
		}
	}
	switch {
	case le <= most:
		return UTF16LE, 0
	case be <= most:
		return UTF16BE, 0
	}
	return "", 0
}

// plausibleUTF16 reports whether b, read in byte order enc, is text: at
// most one code unit in a hundred is a C0 control other than whitespace, a
// noncharacter (U+FFFE, U+FFFF) or half of a broken surrogate pair. Text in
// any script passes; random bytes break about one pair in thirty units.
func plausibleUTF16(b []byte, enc Encoding) bool {
	hi, lo := 1, 0
	if enc == UTF16BE {
		hi, lo = 0, 1
	}
	unit := func(i int) uint16 { return uint16(b[2*i+hi])<<8 | uint16(b[2*i+lo]) }
	units := len(b) / 2
	bad := 0
	for i := 0; i < units; i++ {
		u := unit(i)
		switch {
		case u < 0x20 && u != '\t' && u != '\n' && u != '\r', u == 0xFFFE, u == 0xFFFF:
			bad++
		case 0xD800 <= u && u < 0xDC00: // a high surrogate needs a low one next
			if i+1 < units {
				if n := unit(i + 1); 0xDC00 <= n && n < 0xE000 {
					i++
					continue
				}
				bad++
			}
		case 0xDC00 <= u && u < 0xE000: // a low surrogate alone
			bad++
		}
	}
	return bad*100 <= units
}

func isTextByte(c byte) bool { return c == '\t' || c == '\n' || c == '\r' || (' ' <= c && c < 0x7F) }

// DecodeUTF16 appends to dst one byte for each whole 16-bit code unit of
// src, read in the byte order enc (UTF16LE or UTF16BE): the unit itself
// when it is ASCII, and 0x80 for any other, which no key, escape or line
// end uses. One byte per unit keeps columns in the result counting code
// units, which are characters except that one outside the Basic
// Multilingual Plane counts two. A last odd byte of src is left for the
// caller to carry to the next call. dst may be src[:0]: each unit is read
// before its byte is written.
func DecodeUTF16(dst, src []byte, enc Encoding) []byte {
	hi, lo := 1, 0
	if enc == UTF16BE {
		hi, lo = 0, 1
	}
	for i := 0; i+1 < len(src); i += 2 {
		c := byte(0x80)
		if src[i+hi] == 0 && src[i+lo] < 0x80 {
			c = src[i+lo]
		}
		dst = append(dst, c)
	}
	return dst
}
