package content

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// position is where a key is expected: 1-based line, and column in bytes
// and in UTF-16 code units.
type position struct{ line, column, column16 int }

// wantPositions returns where keys are in src, as themselves and encoded
// (up to depth layers), and not on an allowed line, computed the slow,
// obvious way over the whole input.
func wantPositions(src []byte, depth int) []position {
	var m rules.Matcher
	var spans [][2]int
	for _, k := range m.Find(src) {
		spans = append(spans, [2]int{k.Start, k.End})
	}
	for _, k := range m.FindEncoded(nil, src, 0, len(src), depth) {
		spans = append(spans, [2]int{k.Start, k.End})
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out []position
	for _, sp := range spans {
		lineStart := bytes.LastIndexByte(src[:sp[0]], '\n') + 1
		lineEnd := len(src)
		if e := bytes.IndexByte(src[sp[1]:], '\n'); e >= 0 {
			lineEnd = sp[1] + e
		}
		if bytes.Contains(src[lineStart:lineEnd], []byte(allowMarker)) || allowsNext(src[:max(lineStart-1, 0)], lineStart > 0) {
			continue
		}
		column16 := len(utf16.Encode([]rune(string(src[lineStart:sp[0]])))) + 1
		out = append(out, position{bytes.Count(src[:sp[0]], []byte{'\n'}) + 1, sp[0] - lineStart + 1, column16})
	}
	return out
}

// commentAlone matches a line that is a comment alone on its line, in one
// of the syntaxes the stream knows.
var commentAlone = regexp.MustCompile(`^[ \t]*(#|//|--|;|<!--|/\*|\*|%|')`)

// allowsNext reports whether the last line of before (the text up to the
// newline that ends it) is a comment alone on its line holding the marker;
// has says whether there is such a line at all.
func allowsNext(before []byte, has bool) bool {
	if !has {
		return false
	}
	line := before[bytes.LastIndexByte(before, '\n')+1:]
	return commentAlone.Match(line) && bytes.Contains(line, []byte(allowMarker))
}

func streamPositions(t *testing.T, src []byte, depth, chunk int, r io.Reader) []position {
	t.Helper()
	var got []position
	st := newStream(new(rules.Matcher), depth, chunk)
	res, err := st.scan(r, false, func(h Hit) error {
		if !rules.IsKey(h.Key) {
			t.Fatalf("hit is not a key")
		}
		got = append(got, position{h.Line, h.Column, h.Column16})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.bytes != int64(len(src)) {
		t.Fatalf("read %d bytes, want %d", res.bytes, len(src))
	}
	return got
}

// TestStreamChunks checks that whatever the chunk size and however the
// reader splits its reads, every key is found once at its line and column,
// and allow markers work on lines longer than a chunk, before or after the
// key, and straddling a chunk edge. Lines hold characters of two, three and
// four bytes before their keys, which every chunk size splits somewhere.
func TestStreamChunks(t *testing.T) {
	t.Parallel()
	var src []byte
	for i := range 300 {
		line := strings.Repeat("abc ", i%23) + strings.Repeat("é€😀 ", i%5)
		key := rulestest.Key(rules.Kind(1+i%2), uint64(i))
		switch i % 9 {
		case 6: // a marker alone on the line above, however long that line is
			src = append(src, strings.Repeat(" ", i%4)+"# clarolint:allow "+strings.Repeat("r", i*5)+"\n"...)
			line += key
		case 7: // a marker after code on the line above allows that line only
			src = append(src, "x = 1 // clarolint:allow\n"...)
			line += key
		case 8: // a long comment line above, without the marker
			src = append(src, "<!-- "+strings.Repeat("q", i*4)+" -->\n"...)
			line += key
		case 0:
			line += key
		case 1, 2, 3:
			line += allowMarked(i%9, i, key)
		case 4:
			line += `\n` + key + "\r" // CRLF
		case 5:
			line += strings.Repeat("w", i*7) + "=" + key + " " + key
		}
		src = append(src, line+"\n"...)
	}
	src = append(src, "  <!-- clarolint:allow -->\n"+rulestest.Key(rules.Live, 998)+"\n"...)
	src = append(src, rulestest.Key(rules.Live, 999)...) // at the very end, no newline
	checkChunks(t, src, 0, 150)
	// Looking for encoded keys as well widens the windows' overlap; the
	// plain keys come out the same.
	checkChunks(t, src, 1, 150)
}

// allowMarked is s with the clarolint:allow marker on its line, placed by
// v: 1 in a comment after it, 2 before it with a comment between them
// that grows with i, 3 after it past padding that grows with i.
func allowMarked(v, i int, s string) string {
	switch v {
	case 1:
		return `"` + s + `" // clarolint:allow`
	case 2:
		return "# clarolint:allow " + strings.Repeat("y", i*3) + " " + s
	}
	return s + strings.Repeat(" z", i*2) + " clarolint:allow"
}

// checkChunks streams src through every chunk size, in whole and in
// one-byte reads, and compares what it finds with wantPositions.
func checkChunks(t *testing.T, src []byte, depth, least int) {
	t.Helper()
	want := wantPositions(src, depth)
	if len(want) < least {
		t.Fatalf("fixture has only %d unallowed keys", len(want))
	}
	for _, chunk := range []int{1, 7, 50, 64, 100, 333, 4096, 1 << 20} {
		for _, name := range []string{"whole reads", "one-byte reads"} {
			var r io.Reader = bytes.NewReader(src)
			if name == "one-byte reads" {
				r = iotestOneByte{r}
			}
			got := streamPositions(t, src, depth, chunk, r)
			if !slices.Equal(got, want) {
				t.Errorf("depth %d, chunk %d, %s: %d keys, want %d; first difference at %v", depth, chunk, name, len(got), len(want), firstDiff(got, want))
			}
		}
	}
}

// TestStreamLongLine is a 10 MB file with no newline: keys in the middle
// and at the end, the buffer never grows, and memory stays near one chunk.
func TestStreamLongLine(t *testing.T) {
	t.Parallel()
	unit := "0123456789abcdé;" // 17 bytes, 16 UTF-16 code units
	src := bytes.Repeat([]byte(unit), (10<<20)/len(unit))
	k1, k2 := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Test, 2)
	mid := (5 << 20) / len(unit) * len(unit) // on a unit's first byte
	copy(src[mid:], " "+k1+" ")
	src = append(src, ","+k2...)
	st := newStream(new(rules.Matcher), 0, DefaultChunk)
	bufCap := cap(st.buf)
	var got []position
	res, err := st.scan(bytes.NewReader(src), false, func(h Hit) error {
		got = append(got, position{h.Line, h.Column, h.Column16})
		return nil
	})
	if err != nil || res.bytes != int64(len(src)) {
		t.Fatalf("scan: %v, %d bytes", err, res.bytes)
	}
	units := func(b []byte) int { // UTF-16 code units, without converting 10 MB to runes
		n := 0
		for _, r := range string(b) {
			n += utf16.RuneLen(r)
		}
		return n
	}
	end := len(src) - rules.KeyLen
	want := []position{{1, mid + 2, units(src[:mid+1]) + 1}, {1, end + 1, units(src[:end]) + 1}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if cap(st.buf) != bufCap {
		t.Errorf("buffer grew from %d to %d", bufCap, cap(st.buf))
	}
}

func TestStreamBinary(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 3)
	src := append([]byte("\x7fELF\x00\x00\x01"), key...)
	for _, skip := range []bool{false, true} {
		n := 0
		res, err := newStream(new(rules.Matcher), 0, DefaultChunk).scan(bytes.NewReader(src), skip, func(Hit) error { n++; return nil })
		if err != nil || !res.binary {
			t.Fatalf("skip %v: err %v, binary %v", skip, err, res.binary)
		}
		if want := map[bool]int{false: 1, true: 0}[skip]; n != want {
			t.Errorf("skip %v: %d keys, want %d", skip, n, want)
		}
	}
}

// TestStreamReadError: the keys before a read error are still emitted, and
// the error comes back for the caller to warn about.
func TestStreamReadError(t *testing.T) {
	t.Parallel()
	src := []byte("a=" + rulestest.Key(rules.Live, 4) + "\nb=" + rulestest.Key(rules.Live, 5))
	boom := errors.New("input/output error")
	r := io.MultiReader(bytes.NewReader(src), errReader{boom})
	n := 0
	_, err := newStream(new(rules.Matcher), 0, 64).scan(r, false, func(Hit) error { n++; return nil })
	if !errors.Is(err, boom) || n != 2 {
		t.Errorf("got %d keys and %v, want 2 keys and the read error", n, err)
	}
}

// TestStreamEmitError: emit's error stops the scan and is returned.
func TestStreamEmitError(t *testing.T) {
	t.Parallel()
	src := []byte(rulestest.Key(rules.Live, 6) + "\n" + rulestest.Key(rules.Live, 7))
	stop := errors.New("stop")
	n := 0
	_, err := newStream(new(rules.Matcher), 0, 64).scan(bytes.NewReader(src), false, func(Hit) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("got %d keys and %v, want 1 key and emit's error", n, err)
	}
}

type iotestOneByte struct{ r io.Reader }

func (o iotestOneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func firstDiff(a, b []position) any {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return []position{a[i], b[i]}
		}
	}
	return "the end of the shorter list"
}

// FuzzStream checks the stream against wantPositions, the slow, obvious
// way over the whole input, for any input, chunk size and read size: every
// key once, at its line, byte column and UTF-16 column, and none on an
// allowed line. Invalid UTF-8 has no one right UTF-16 column (the stream
// counts a stray continuation byte as nothing, utf16.Encode as one unit),
// so there only line and byte column are compared.
func FuzzStream(f *testing.F) {
	live, test := rulestest.Key(rules.Live, 5), rulestest.Key(rules.Test, 6)
	f.Add([]byte("x = \""+live+"\"\n"), uint16(7), false)
	f.Add([]byte("é€😀 "+live+" "+test+"\r\n# clarolint:allow "+live), uint16(3), true)
	f.Add([]byte(strings.Repeat("😀", 40)+live+"\n"+test), uint16(50), false)
	f.Add([]byte("\xff\x80 "+live), uint16(1), false)
	f.Add([]byte("  // clarolint:allow\n"+live+"\nx # clarolint:allow\n"+test), uint16(5), false)
	f.Add([]byte("\t<"+strings.Repeat(" ", 30)+"!-- clarolint:allow -->\n"+live), uint16(9), true)
	f.Fuzz(func(t *testing.T, src []byte, chunk uint16, oneByte bool) {
		want := wantPositions(src, 0)
		var r io.Reader = bytes.NewReader(src)
		if oneByte {
			r = iotestOneByte{r}
		}
		got := streamPositions(t, src, 0, int(chunk)%512+1, r)
		if !utf8.Valid(src) {
			for _, ps := range [][]position{got, want} {
				for i := range ps {
					ps[i].column16 = 0
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("chunk %d: %v, want %v", int(chunk)%512+1, got, want)
		}
	})
}
