package rulestest

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Base64 encodes s with the standard base64 alphabet and padding.
func Base64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// EscapeAll writes every byte of s with format, such as "%%%02X" for
// percent-encoding or "\\u%04x" for JSON escapes.
func EscapeAll(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// UTF16 encodes s, ASCII and characters of the Basic Multilingual Plane,
// as UTF-16 in the given byte order, with a byte-order mark if bom: the
// form of text files Windows tools write.
func UTF16(s string, bigEndian, bom bool) []byte {
	if bom {
		s = "\uFEFF" + s
	}
	var b []byte
	for _, r := range s {
		if bigEndian {
			b = append(b, byte(r>>8), byte(r))
		} else {
			b = append(b, byte(r), byte(r>>8))
		}
	}
	return b
}
