package scanner

import (
	"bytes"
	"io"

	"github.com/clarolint/clarolint/rules"
)

// allowMarker on a line, in any comment syntax, suppresses the findings on
// that line (SPEC §2).
const allowMarker = "clarolint:allow"

// binarySniff is how many leading bytes are searched for a NUL to decide
// that a file is binary, as git and ripgrep do.
const binarySniff = 8 << 10

// maxBefore is how much of a key's line, up to the key, a hit keeps: enough
// for the assignment that names its variable.
const maxBefore = 128

// hit is a key found in a stream, with its 1-based position.
type hit struct {
	key          []byte // a copy; the stream's buffer is reused
	before       []byte // up to maxBefore bytes of the line before the key, a copy
	kind         rules.Kind
	line, column int
}

// stream reads one file or blob at a time through a fixed buffer, so that
// memory stays at one chunk however large the input or however long its
// lines. One stream belongs to one goroutine.
type stream struct {
	m       *rules.Matcher
	buf     []byte // chunk + rules.Overlap
	matches []rules.Match
	pending []hit
	// mention, when set, is shown the first window of each text input
	// (a chunk and the overlap) until it has found its word.
	mention *mention
}

func newStream(m *rules.Matcher, chunk int) *stream {
	return &stream{m: m, buf: make([]byte, chunk+rules.Overlap)}
}

// scanResult says what a stream read.
type scanResult struct {
	bytes   int64
	binary  bool // a NUL in the first binarySniff bytes
	allowed int  // keys dropped for an allow marker on their line
}

// scan reads r to its end and calls emit for each key whose line holds no
// allow marker. With skipBinary it stops after the first read if the input
// looks binary. A read error ends the scan: the keys before it are still
// emitted, and the error is returned for the caller to warn about.
//
// Consecutive windows of the buffer overlap by rules.Overlap bytes (the
// 49 bytes a straddling key needs, one byte of right boundary and the
// matcher's left context), so each key is decided once with all the bytes
// its boundaries depend on.
func (st *stream) scan(r io.Reader, skipBinary bool, emit func(hit) error) (res scanResult, err error) {
	buf := st.buf
	var (
		n           int   // valid bytes in buf
		base        int64 // offset in the input of buf[0]
		counted     int64 // newlines are counted in input[:counted]
		lines       int   // newlines in input[:counted]
		lineStart   int64 // offset of the first byte of the line holding input[counted]
		lineAllowed bool  // the marker is in input[lineStart:base], when lineStart < base
		pendingFrom int64 // the pending keys' line has no newline in input[:pendingFrom]
		eof         bool
		readErr     error
	)
	st.pending = st.pending[:0]
	// advance counts the newlines in buf up to index to.
	advance := func(to int) {
		from := int(counted - base)
		if to <= from {
			return
		}
		if c := bytes.Count(buf[from:to], []byte{'\n'}); c > 0 {
			lines += c
			lineStart = base + int64(from+bytes.LastIndexByte(buf[from:to], '\n')) + 1
			lineAllowed = false
		}
		counted = base + int64(to)
	}
	flush := func() error {
		for _, h := range st.pending {
			if err := emit(h); err != nil {
				return err
			}
		}
		st.pending = st.pending[:0]
		return nil
	}
	for first := true; ; first = false {
		for n < len(buf) && !eof {
			m, rerr := r.Read(buf[n:])
			n += m
			res.bytes += int64(m)
			if rerr != nil {
				// The bytes before an error are scanned as the input's end.
				eof = true
				if rerr != io.EOF {
					readErr = rerr
				}
			}
		}
		if first {
			res.binary = bytes.IndexByte(buf[:min(n, binarySniff)], 0) >= 0
			if res.binary && skipBinary {
				return res, nil
			}
		}
		if first && st.mention != nil && !res.binary {
			st.mention.look(buf[:n])
		}

		// The line of the pending keys goes on in this window.
		if len(st.pending) > 0 {
			from := int(pendingFrom - base)
			e := bytes.IndexByte(buf[from:n], '\n')
			end := n
			if e >= 0 {
				end = from + e
			}
			switch {
			case bytes.Contains(buf[max(0, from-len(allowMarker)+1):end], []byte(allowMarker)):
				res.allowed += len(st.pending)
				st.pending = st.pending[:0]
			case e >= 0 || eof:
				if err := flush(); err != nil {
					return res, err
				}
			default:
				pendingFrom = base + int64(n)
			}
		}

		lo, hi := 0, n
		if base > 0 {
			lo = rules.Context
		}
		if !eof {
			hi = n - rules.KeyLen
		}
		st.matches = st.m.FindIn(st.matches[:0], buf[:n], lo, hi)
		for _, mt := range st.matches {
			advance(mt.Start)
			from := int(max(lineStart-base, 0))
			end := n
			if e := bytes.IndexByte(buf[mt.End:n], '\n'); e >= 0 {
				end = mt.End + e
			}
			if (lineStart < base && lineAllowed) || bytes.Contains(buf[from:end], []byte(allowMarker)) {
				res.allowed++
				continue
			}
			h := hit{
				key:    bytes.Clone(buf[mt.Start:mt.End]),
				before: bytes.Clone(buf[max(from, mt.Start-maxBefore):mt.Start]),
				kind:   mt.Kind,
				line:   lines + 1,
				column: int(base+int64(mt.Start)-lineStart) + 1,
			}
			if end == n && !eof { // the line goes on past this window: the marker may follow
				st.pending = append(st.pending, h)
				pendingFrom = base + int64(n)
				continue
			}
			if err := emit(h); err != nil {
				return res, err
			}
		}
		if eof {
			if err := flush(); err != nil {
				return res, err
			}
			return res, readErr
		}

		// Slide: keep the last rules.Overlap bytes (from cut) for the next window.
		cut := hi - rules.Context
		advance(cut)
		if lineStart < base+int64(cut) && !lineAllowed {
			// Remember whether the line that straddles the cut holds the
			// marker; search a little past the cut so that a marker
			// straddling it is seen whole.
			from := int(max(lineStart-base, 0))
			lineAllowed = bytes.Contains(buf[from:min(n, cut+len(allowMarker)-1)], []byte(allowMarker))
		}
		n = copy(buf, buf[cut:n])
		base += int64(cut)
	}
}
