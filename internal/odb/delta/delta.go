package delta

import (
	"errors"
	"fmt"
)

// Errors of a malformed delta. They are data, not bugs: a corrupt or
// hostile pack can hold anything, and Apply must reject it without
// reading or writing out of bounds.
var (
	errDeltaHeader    = errors.New("delta: truncated size header")
	errDeltaBaseSize  = errors.New("delta: base size mismatch")
	errDeltaCopy      = errors.New("delta: copy out of the base's range")
	errDeltaInsert    = errors.New("delta: insert past the end of the delta")
	errDeltaOpcode    = errors.New("delta: reserved opcode 0")
	errDeltaOverflow  = errors.New("delta: result larger than its declared size")
	errDeltaShortfall = errors.New("delta: result shorter than its declared size")
)

// size reads one of the two sizes at the start of a delta, a
// little-endian base-128 number, and returns it and the bytes it took.
func size(d []byte) (int64, int, error) {
	var n int64
	for i, shift := 0, uint(0); i < len(d) && shift < 63; i, shift = i+1, shift+7 {
		n |= int64(d[i]&0x7f) << shift
		if d[i]&0x80 == 0 {
			return n, i + 1, nil
		}
	}
	return 0, 0, errDeltaHeader
}

// Sizes returns the base and result sizes a delta declares, and
// where its instructions start.
func Sizes(d []byte) (base, result int64, at int, err error) {
	base, n, err := size(d)
	if err != nil {
		return 0, 0, 0, err
	}
	result, m, err := size(d[n:])
	if err != nil {
		return 0, 0, 0, err
	}
	return base, result, n + m, nil
}

// Apply applies delta d (Documentation/gitformat-pack.txt,
// "Deltified representation") to base and returns the result, written
// into dst's storage when it is large enough. Every size and range is
// checked against the base, the delta and the declared result size, so
// a malformed delta is an error, never a panic or an out-of-bounds
// access; maxSize bounds the declared result size.
func Apply(dst, base, d []byte, maxSize int64) ([]byte, error) {
	baseSize, size, at, err := Sizes(d)
	if err != nil {
		return nil, err
	}
	if baseSize != int64(len(base)) {
		return nil, fmt.Errorf("%w: the delta wants %d bytes, the base has %d", errDeltaBaseSize, baseSize, len(base))
	}
	if size > maxSize {
		return nil, fmt.Errorf("delta: result of %d bytes exceeds the %d-byte limit", size, maxSize)
	}
	// Each instruction takes a byte of the delta and writes at most 64
	// KiB: a larger declared size is corrupt.
	if size > int64(len(d)-at)<<16 {
		return nil, errDeltaOverflow
	}
	if int64(cap(dst)) < size {
		dst = make([]byte, size)
	}
	dst = dst[:size]
	w := 0
	for i := at; i < len(d); {
		op := d[i]
		i++
		switch {
		case op&0x80 != 0:
			var off, n uint64
			for b := range 4 {
				if op&(1<<b) != 0 {
					if i >= len(d) {
						return nil, errDeltaCopy
					}
					off |= uint64(d[i]) << (8 * b)
					i++
				}
			}
			for b := range 3 {
				if op&(0x10<<b) != 0 {
					if i >= len(d) {
						return nil, errDeltaCopy
					}
					n |= uint64(d[i]) << (8 * b)
					i++
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) {
				return nil, errDeltaCopy
			}
			if uint64(w)+n > uint64(size) {
				return nil, errDeltaOverflow
			}
			w += copy(dst[w:], base[off:off+n])
		case op != 0:
			n := int(op)
			if i+n > len(d) {
				return nil, errDeltaInsert
			}
			if w+n > len(dst) {
				return nil, errDeltaOverflow
			}
			w += copy(dst[w:], d[i:i+n])
			i += n
		default:
			return nil, errDeltaOpcode
		}
	}
	if w != len(dst) {
		return nil, errDeltaShortfall
	}
	return dst, nil
}
