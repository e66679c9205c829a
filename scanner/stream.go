package scanner

import (
	"bytes"
	"encoding/binary"
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
	key          []byte // a copy, decoded when encoded; the stream's buffer is reused
	before       []byte // up to maxBefore bytes of the line before the key, a copy
	kind         rules.Kind
	line, column int
	column16     int            // column in UTF-16 code units (Finding.UTF16Column)
	width        int            // bytes of the key as written: rules.KeyLen, or its encoded span
	encoding     rules.Encoding // how it was written; "" for a plain key
}

// stream reads one file or blob at a time through a fixed buffer, so that
// memory stays at one chunk however large the input or however long its
// lines. One stream belongs to one goroutine.
type stream struct {
	m *rules.Matcher
	// depth is how many layers of encoding are undone (Options.DecodeDepth).
	depth int
	// before and after are the context a window keeps around the keys it
	// decides: rules.Context and rules.KeyLen for plain keys, more for
	// encoded ones (rules.EncodedContext).
	before, after int
	buf           []byte // chunk + before + after
	matches       []rules.Match
	encoded       []rules.Encoded
	pending       []hit
	// mention, when set, is shown the first window of each text input
	// (a chunk and the overlap) until it has found its word.
	mention *mention
	utf16   utf16Reader
	// head holds the first bytes of a file that may be an archive
	// (Options.ArchiveDepth).
	head []byte
}

func newStream(m *rules.Matcher, depth, chunk int) *stream {
	before, after := rules.EncodedContext(depth)
	before, after = max(before, rules.Context), max(after, rules.KeyLen)
	return &stream{m: m, depth: depth, before: before, after: after, buf: make([]byte, chunk+before+after), head: make([]byte, archiveSniff)}
}

// scanResult says what a stream read.
type scanResult struct {
	bytes   int64
	binary  bool // a NUL in the first binarySniff bytes
	allowed int  // keys dropped for an allow marker on their line
}

// scan reads r to its end and calls emit for each key whose line holds no
// allow marker: keys as themselves and, with a decoding depth, encoded
// ones (rules.FindEncoded), in order. With skipBinary it stops after the
// first read if the input looks binary. A read error ends the scan: the
// keys before it are still emitted, and the error is returned for the
// caller to warn about.
//
// Consecutive windows of the buffer overlap by st.before+st.after bytes:
// for a plain key the 49 bytes a straddling key needs, one byte of right
// boundary and the matcher's left context (rules.Overlap), and for an
// encoded one what rules.EncodedContext says, so each key is decided once
// with all the bytes its decision depends on.
//
// With a decoding depth, input that starts UTF-16 text (rules.UTF16) is
// text, not binary: it is decoded as it is read, one byte per code unit,
// and searched with one layer fewer to undo. Its positions count code
// units, and its keys have the file's encoding as their outer layer.
func (st *stream) scan(r io.Reader, skipBinary bool, emit func(hit) error) (res scanResult, err error) {
	buf := st.buf
	var (
		n           int   // valid bytes in buf
		base        int64 // offset in the input of buf[0]
		counted     int64 // newlines are counted in input[:counted]
		lines       int   // newlines in input[:counted]
		lineStart   int64 // offset of the first byte of the line holding input[counted]
		lineAllowed bool  // the marker is in input[lineStart:base], when lineStart < base
		lineWide    int64 // UTF-16 code units less bytes in input[lineStart:counted]
		pendingFrom int64 // the pending keys' line has no newline in input[:pendingFrom]
		eof         bool
		readErr     error
		depth       = st.depth     // what is left to undo in the text read
		text        rules.Encoding // the input's own encoding: "" or UTF-16
		headBytes   int64          // bytes read before decoding UTF-16
	)
	st.pending = st.pending[:0]
	// fill reads until the buffer is full or the input ends.
	fill := func() {
		for n < len(buf) && !eof {
			m, rerr := r.Read(buf[n:])
			n += m
			if text == "" {
				res.bytes += int64(m)
			} else {
				res.bytes = headBytes + st.utf16.n
			}
			if rerr != nil {
				// The bytes before an error are scanned as the input's end.
				eof = true
				if rerr != io.EOF {
					readErr = rerr
				}
			}
		}
	}
	// advance counts the newlines in buf up to index to, and how much
	// wider than its bytes the line up to there is in UTF-16.
	advance := func(to int) {
		from := int(counted - base)
		if to <= from {
			return
		}
		seg := buf[from:to]
		if c := bytes.Count(seg, []byte{'\n'}); c > 0 {
			lines += c
			last := bytes.LastIndexByte(seg, '\n')
			lineStart = base + int64(from+last) + 1
			lineAllowed = false
			lineWide, seg = 0, seg[last+1:]
		}
		if text == "" { // decoded UTF-16 counts code units already
			lineWide += utf16Wide(seg)
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
		fill()
		if first && depth > 0 {
			if enc, bom := rules.UTF16(buf[:min(n, binarySniff)]); enc != "" {
				text, depth, headBytes = enc, depth-1, res.bytes
				r = st.utf16.reset(r, enc, buf[bom:n], eof)
				n = len(rules.DecodeUTF16(buf[:0], buf[bom:n], enc))
				fill()
			}
		}
		if first {
			res.binary = text == "" && bytes.IndexByte(buf[:min(n, binarySniff)], 0) >= 0
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
			lo = st.before
		}
		if !eof {
			hi = n - st.after
		}
		// With decoding, one search finds keys in both forms (FindAll).
		st.matches, st.encoded = st.m.FindAll(st.matches[:0], st.encoded[:0], buf[:n], lo, hi, depth)
		// Both lists are in order; take the keys from them in order.
		for i, j := 0, 0; i < len(st.matches) || j < len(st.encoded); {
			var (
				h           hit
				start, stop int // the key as written in buf
			)
			if j == len(st.encoded) || (i < len(st.matches) && st.matches[i].Start <= st.encoded[j].Start) {
				mt := st.matches[i]
				i++
				start, stop = mt.Start, mt.End
				h = hit{key: buf[start:stop], kind: mt.Kind, encoding: text}
			} else {
				e := &st.encoded[j]
				j++
				start, stop = e.Start, e.End
				h = hit{key: e.Key[:], kind: e.Kind, encoding: e.Encoding}
				if text != "" {
					h.encoding = e.Encoding.Then(text)
				}
			}
			h.width = stop - start
			advance(start)
			from := int(max(lineStart-base, 0))
			end := n
			if e := bytes.IndexByte(buf[stop:n], '\n'); e >= 0 {
				end = stop + e
			}
			if (lineStart < base && lineAllowed) || bytes.Contains(buf[from:end], []byte(allowMarker)) {
				res.allowed++
				continue
			}
			h.key = bytes.Clone(h.key)
			h.before = bytes.Clone(buf[max(from, start-maxBefore):start])
			h.line = lines + 1
			h.column = int(base+int64(start)-lineStart) + 1
			h.column16 = h.column + int(lineWide)
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

		// Slide: keep the last before+after bytes (from cut) for the next window.
		cut := hi - st.before
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

// utf16Wide returns how many more UTF-16 code units than bytes the UTF-8
// text b takes: a character of two or three bytes is one unit, and one of
// four bytes is two. It counts byte by byte, so a character split between
// two calls is counted right. In invalid UTF-8, a stray continuation byte
// counts as nothing. ASCII, eight bytes at a time, costs next to nothing.
func utf16Wide(b []byte) int64 {
	var d int64
	for len(b) > 0 {
		if len(b) >= 8 && binary.LittleEndian.Uint64(b)&0x8080808080808080 == 0 {
			b = b[8:]
			continue
		}
		switch c := b[0]; {
		case c&0xC0 == 0x80: // a continuation byte
			d--
		case c >= 0xF0 && c <= 0xF4: // the first of four bytes: a surrogate pair
			d++
		}
		b = b[1:]
	}
	return d
}

// utf16Reader decodes UTF-16 read from r into one byte per code unit
// (rules.DecodeUTF16), carrying half a unit from one read to the next.
type utf16Reader struct {
	r     io.Reader
	enc   rules.Encoding
	raw   []byte // what is read from r, reused
	carry [1]byte
	odd   bool  // carry holds the first byte of a unit
	n     int64 // bytes read from r
}

// utf16Read is how many bytes of UTF-16 one Read asks r for.
const utf16Read = 32 << 10

// reset starts decoding the rest of r, in byte order enc, after head, the
// bytes already read (and decoded by the caller) whose last odd byte, if
// any, begins the next unit. It returns the reader to read from.
func (u *utf16Reader) reset(r io.Reader, enc rules.Encoding, head []byte, eof bool) io.Reader {
	u.r, u.enc, u.n, u.odd = r, enc, 0, len(head)%2 == 1 && !eof
	if u.odd {
		u.carry[0] = head[len(head)-1]
	}
	if u.raw == nil {
		u.raw = make([]byte, utf16Read)
	}
	return u
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	raw := u.raw[:min(len(u.raw), 2*len(p))]
	k := 0
	if u.odd {
		raw[0], k = u.carry[0], 1
	}
	m, err := u.r.Read(raw[k:])
	u.n += int64(m)
	k += m
	out := rules.DecodeUTF16(p[:0], raw[:k], u.enc)
	if u.odd = k%2 == 1; u.odd {
		u.carry[0] = raw[k-1]
	}
	return len(out), err
}
