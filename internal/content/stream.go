package content

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/clarolint/clarolint/rules"
)

// allowMarker on a line, in any comment syntax, suppresses the findings on
// that line; in a comment alone on its line, those of the next line too.
const allowMarker = "clarolint:allow"

// binarySniff is how many leading bytes are searched for a NUL to decide
// that a file is binary, as git and ripgrep do.
const binarySniff = 8 << 10

// maxBefore is how much of a key's line, up to the key, a Hit keeps: enough
// for the assignment that names its variable.
const maxBefore = 128

// Hit is a key found in an input, with its 1-based position.
type Hit struct {
	// Path is the input's path, and inside an archive the path of the
	// file in it, joined with "!".
	Path   string
	Key    []byte // a copy, decoded when encoded: the Reader's buffer is reused
	Before []byte // up to maxBefore bytes of the line before the key, a copy
	Kind   rules.Kind
	// Line and Column are 1-based; Column counts bytes, or in a UTF-16
	// input code units of the decoded text.
	Line, Column int
	Column16     int            // the column in UTF-16 code units (finding.Finding.UTF16Column)
	Width        int            // bytes of the key as written: rules.KeyLen, or its encoded span
	Encoding     rules.Encoding // how it was written; "" for a plain key
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
	pending       []Hit
	// mention, when set, is shown the first window of each text input
	// (a chunk and the overlap) until it has found its word.
	mention *Mention
	name    string // the path of the input being read, for mention
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
	allowed int  // keys dropped for an allow marker on their line or alone on the line above
}

// scan reads r to its end and calls emit for each key that no allow
// marker covers: keys as themselves and, with a decoding depth, encoded
// ones (rules.FindEncoded), in order. A marker covers the keys of its own
// line, and those of the next line when it stands in a comment alone on
// its line (aloneMarker). With skipBinary it stops after the first read if
// the input looks binary. A read error ends the scan: the keys before it
// are still emitted, and the error is returned for the caller to warn
// about.
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
func (st *stream) scan(r io.Reader, skipBinary bool, emit func(Hit) error) (scanResult, error) {
	w := window{st: st, r: r, buf: st.buf, depth: st.depth}
	st.pending = st.pending[:0]
	for first := true; ; first = false {
		w.fill()
		if first && w.begin(skipBinary) {
			return w.res, nil // binary, and skipped
		}
		if err := w.settlePending(emit); err != nil {
			return w.res, err
		}
		lo, hi := 0, w.n
		if w.base > 0 {
			lo = st.before
		}
		if !w.eof {
			hi = w.n - st.after
		}
		if err := w.findKeys(lo, hi, emit); err != nil {
			return w.res, err
		}
		if w.eof {
			if err := w.flush(emit); err != nil {
				return w.res, err
			}
			return w.res, w.readErr
		}
		w.slide(hi - st.before)
	}
}

// window is the state of one scan: where the buffer sits in the input,
// and what is known of the line around the read position.
type window struct {
	st      *stream
	r       io.Reader
	buf     []byte
	n       int   // valid bytes in buf
	base    int64 // offset in the input of buf[0]
	eof     bool
	readErr error
	res     scanResult

	depth     int            // layers of encoding left to undo in the text read
	text      rules.Encoding // the input's own encoding: "" or UTF-16
	headBytes int64          // bytes read before decoding UTF-16

	counted   int64 // newlines are counted in input[:counted]
	lines     int   // newlines in input[:counted]
	lineStart int64 // offset of the first byte of the line holding input[counted]
	lineWide  int64 // UTF-16 code units less bytes in input[lineStart:counted]
	// What the part of that line before base holds, when it began in an
	// earlier window: the marker, and how the line begins.
	lineAllowed bool
	lineHead    lineHead
	// prevAllows says that the line before that line is a comment alone on
	// its line holding the marker, which allows the keys of the next line.
	prevAllows  bool
	pendingFrom int64 // the pending keys' line has no newline in input[:pendingFrom]
}

// fill reads until the buffer is full or the input ends. The bytes before
// an error are scanned as the input's end.
func (w *window) fill() {
	for w.n < len(w.buf) && !w.eof {
		m, err := w.r.Read(w.buf[w.n:])
		w.n += m
		if w.text == "" {
			w.res.bytes += int64(m)
		} else {
			w.res.bytes = w.headBytes + w.st.utf16.n
		}
		if err != nil {
			w.eof = true
			if err != io.EOF {
				w.readErr = err
			}
		}
	}
}

// begin looks at the first window: UTF-16 text is decoded from here on,
// binary input is noted (and begin reports true when it is to be
// skipped), and the mention probe sees text.
func (w *window) begin(skipBinary bool) bool {
	st, buf := w.st, w.buf
	if w.depth > 0 {
		if enc, bom := rules.UTF16(buf[:min(w.n, binarySniff)]); enc != "" {
			w.text, w.depth, w.headBytes = enc, w.depth-1, w.res.bytes
			w.r = st.utf16.reset(w.r, enc, buf[bom:w.n], w.eof)
			w.n = len(rules.DecodeUTF16(buf[:0], buf[bom:w.n], enc))
			w.fill()
		}
	}
	w.res.binary = w.text == "" && bytes.IndexByte(buf[:min(w.n, binarySniff)], 0) >= 0
	if w.res.binary && skipBinary {
		return true
	}
	if st.mention != nil && !w.res.binary {
		st.mention.look(buf[:w.n], st.name)
	}
	return false
}

// advance counts the newlines in buf up to index to, and how much wider
// than its bytes the line up to there is in UTF-16. When it passes the end
// of a line, it notes whether that line, the one before the new current
// line, allows the next.
func (w *window) advance(to int) {
	from := int(w.counted - w.base)
	if to <= from {
		return
	}
	seg := w.buf[from:to]
	if c := bytes.Count(seg, []byte{'\n'}); c > 0 {
		last := bytes.LastIndexByte(seg, '\n')
		w.prevAllows = w.endedLineAllows(from, from+last)
		w.lines += c
		w.lineStart = w.base + int64(from+last) + 1
		w.lineAllowed, w.lineHead = false, headBlank
		w.lineWide, seg = 0, seg[last+1:]
	}
	if w.text == "" { // decoded UTF-16 counts code units already
		w.lineWide += utf16Wide(seg)
	}
	w.counted = w.base + int64(to)
}

// endedLineAllows reports whether the line ending at buf[end], the last
// newline between buf[from] and buf[end], is a comment alone on its line
// holding the marker.
func (w *window) endedLineAllows(from, end int) bool {
	start := bytes.LastIndexByte(w.buf[from:end], '\n')
	if start >= 0 { // the line is all in buf
		return aloneMarker(w.buf[from+start+1 : end])
	}
	if w.lineStart >= w.base { // it began in this window
		return aloneMarker(w.buf[w.lineStart-w.base : end])
	}
	// It began in an earlier window, which noted how.
	line := w.buf[:end]
	head := w.lineHead
	if head == headBlank {
		head = lineHeadOf(line)
	}
	return head == headComment && (w.lineAllowed || bytes.Contains(line, []byte(allowMarker)))
}

// settlePending emits the keys held back because their line went on past
// the last window, once the line ends, unless the rest of it holds the
// marker.
func (w *window) settlePending(emit func(Hit) error) error {
	st := w.st
	if len(st.pending) == 0 {
		return nil
	}
	from := int(w.pendingFrom - w.base)
	e := bytes.IndexByte(w.buf[from:w.n], '\n')
	end := w.n
	if e >= 0 {
		end = from + e
	}
	switch {
	case bytes.Contains(w.buf[max(0, from-len(allowMarker)+1):end], []byte(allowMarker)):
		w.res.allowed += len(st.pending)
		st.pending = st.pending[:0]
	case e >= 0 || w.eof:
		return w.flush(emit)
	default:
		w.pendingFrom = w.base + int64(w.n)
	}
	return nil
}

// flush emits the pending keys.
func (w *window) flush(emit func(Hit) error) error {
	st := w.st
	for _, h := range st.pending {
		if err := emit(h); err != nil {
			return err
		}
	}
	st.pending = st.pending[:0]
	return nil
}

// findKeys searches buf[lo:hi] and emits, or holds back, each key found.
// With decoding, one search finds keys in both forms (FindAll); both lists
// are in order, and the keys are taken from them in order.
func (w *window) findKeys(lo, hi int, emit func(Hit) error) error {
	st := w.st
	st.matches, st.encoded = st.m.FindAll(st.matches[:0], st.encoded[:0], w.buf[:w.n], lo, hi, w.depth)
	for i, j := 0, 0; i < len(st.matches) || j < len(st.encoded); {
		var h Hit
		var start, stop int // the key as written in buf
		if j == len(st.encoded) || (i < len(st.matches) && st.matches[i].Start <= st.encoded[j].Start) {
			mt := st.matches[i]
			i++
			start, stop = mt.Start, mt.End
			h = Hit{Key: w.buf[start:stop], Kind: mt.Kind, Encoding: w.text}
		} else {
			e := &st.encoded[j]
			j++
			start, stop = e.Start, e.End
			h = Hit{Key: e.Key[:], Kind: e.Kind, Encoding: e.Encoding}
			if w.text != "" {
				h.Encoding = e.Encoding.Then(w.text)
			}
		}
		if err := w.place(&h, start, stop, emit); err != nil {
			return err
		}
	}
	return nil
}

// place decides the key h written at buf[start:stop]: dropped when a
// marker allows its line, held back when its line goes on past this
// window (a marker may follow), emitted otherwise.
func (w *window) place(h *Hit, start, stop int, emit func(Hit) error) error {
	buf := w.buf
	h.Width = stop - start
	w.advance(start)
	from := int(max(w.lineStart-w.base, 0))
	end := w.n
	if e := bytes.IndexByte(buf[stop:w.n], '\n'); e >= 0 {
		end = stop + e
	}
	if w.prevAllows || (w.lineStart < w.base && w.lineAllowed) || bytes.Contains(buf[from:end], []byte(allowMarker)) {
		w.res.allowed++
		return nil
	}
	h.Key = bytes.Clone(h.Key)
	h.Before = bytes.Clone(buf[max(from, start-maxBefore):start])
	h.Line = w.lines + 1
	h.Column = int(w.base+int64(start)-w.lineStart) + 1
	h.Column16 = h.Column + int(w.lineWide)
	if end == w.n && !w.eof { // the line goes on past this window: the marker may follow
		w.st.pending = append(w.st.pending, *h)
		w.pendingFrom = w.base + int64(w.n)
		return nil
	}
	return emit(*h)
}

// slide keeps the last before+after bytes, from cut, for the next window,
// remembering what the line that straddles the cut holds before it: the
// marker (searched a little past the cut, so that a marker straddling it
// is seen whole) and how the line begins.
func (w *window) slide(cut int) {
	buf := w.buf
	w.advance(cut)
	if w.lineStart < w.base+int64(cut) {
		from := int(max(w.lineStart-w.base, 0))
		if !w.lineAllowed {
			w.lineAllowed = bytes.Contains(buf[from:min(w.n, cut+len(allowMarker)-1)], []byte(allowMarker))
		}
		if w.lineHead == headBlank {
			w.lineHead = lineHeadOf(buf[from:w.n])
		}
	}
	w.n = copy(buf, buf[cut:w.n])
	w.base += int64(cut)
}

// lineHead is how a line begins, as far as it has been read.
type lineHead uint8

const (
	headBlank   lineHead = iota // only spaces and tabs so far
	headComment                 // a comment opener after them
	headCode                    // anything else
)

// commentOpeners start a comment in the languages and formats keys are
// found in: shell, YAML, TOML, Python and .env; C, Go, JavaScript and the
// like; SQL, Lua and Haskell; INI and Lisp; HTML and XML; block comments
// and their continuation lines; TeX and Erlang; Visual Basic.
var commentOpeners = [...]string{"#", "//", "--", ";", "<!--", "/*", "*", "%", "'"}

// lineHeadOf says how the line beginning at b[0] begins.
func lineHeadOf(b []byte) lineHead {
	b = bytes.TrimLeft(b, " \t")
	if len(b) == 0 {
		return headBlank
	}
	for _, o := range commentOpeners {
		if bytes.HasPrefix(b, []byte(o)) {
			return headComment
		}
	}
	// A prefix of an opener cut off by the end of b ("<!" or "<") is
	// decided by the next window, which sees the whole line again.
	if len(b) < len("<!--") && bytes.HasPrefix([]byte("<!--"), b) {
		return headBlank
	}
	return headCode
}

// aloneMarker reports whether line (without its newline) is a comment
// alone on its line that holds the marker: blanks, a comment opener, and
// the marker somewhere after it. Such a line allows the keys of the next.
func aloneMarker(line []byte) bool {
	return bytes.Contains(line, []byte(allowMarker)) && lineHeadOf(line) == headComment
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
