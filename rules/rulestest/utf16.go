package rulestest

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
