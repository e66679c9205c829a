package content

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// encodedLines returns a fixture with keys in every encoding, plain keys
// beside them, allow markers before, after and far from encoded keys,
// and lines longer than the small chunks.
func encodedLines() []byte {
	var src []byte
	for i := range 120 {
		key := rulestest.Key(rules.Kind(1+i%2), uint64(300+i))
		var enc string
		switch i % 6 {
		case 0:
			enc = rulestest.Base64("apikey:" + key)
		case 1:
			enc = strings.ReplaceAll(key, "_", "%5F")
		case 2:
			enc = rulestest.EscapeAll(key, `\u%04x`) // 300 bytes: longer than a small chunk
		case 3:
			enc = rulestest.EscapeAll(key, "%%%02x")
		case 4:
			enc = base64.RawURLEncoding.EncodeToString([]byte("\xfb" + key))
		case 5:
			enc = strings.ReplaceAll(key, "_", `\u005f`)
		}
		line := strings.Repeat("abc ", i%17)
		switch i % 5 {
		case 0:
			line += "k: " + enc
		case 1, 2, 3:
			line += allowMarked(i%5, i, enc)
		case 4:
			line += "x=" + enc + " " + rulestest.Key(rules.Live, uint64(900+i)) + "\r"
		}
		src = append(src, line+"\n"...)
	}
	return append(src, rulestest.Base64(rulestest.Key(rules.Live, 999))...) // at the very end
}

func TestStreamEncodedChunks(t *testing.T) {
	t.Parallel()
	checkChunks(t, encodedLines(), 1, 70)
}

// encodedHit is what a stream says of a key, without the key.
type encodedHit struct {
	line, column, width int
	enc                 rules.Encoding
	fp                  string
}

func TestStreamEncodedHits(t *testing.T) {
	t.Parallel()
	live := rulestest.Key(rules.Live, 41)
	src := "a\n  data: " + rulestest.Base64(live) + "\nu=" + strings.ReplaceAll(live, "_", "%5f") + " " + live + "\n" +
		`{"k": "` + rulestest.EscapeAll(live, `\u%04X`) + `"}` + "\nv: " + rulestest.Base64(strings.ReplaceAll(live, "_", "%5F")) + "\n"
	fp := rules.Fingerprint([]byte(live))
	plain := encodedHit{3, 58, rules.KeyLen, "", fp}
	once := []encodedHit{
		{2, 9, 67, rules.Base64, fp},
		{3, 3, 54, rules.Percent, fp},
		plain,
		{4, 8, 300, rules.JSONUnicode, fp},
	}
	want := map[int][]encodedHit{
		0: {plain},
		1: once,
		2: append(once, encodedHit{5, 4, 72, rules.Percent.Then(rules.Base64), fp}),
	}
	for depth := range 3 {
		for _, chunk := range []int{1, 100, DefaultChunk} {
			var got []encodedHit
			_, err := newStream(new(rules.Matcher), depth, chunk).scan(strings.NewReader(src), false, func(h Hit) error {
				got = append(got, encodedHit{h.Line, h.Column, h.Width, h.Encoding, rules.Fingerprint(h.Key)})
				return nil
			})
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want[depth]) {
				t.Errorf("depth %d, chunk %d: %v, %v\nwant %v", depth, chunk, err, got, want[depth])
			}
		}
	}
}

func TestStreamUTF16(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 42), rulestest.Key(rules.Test, 43)
	// The first line is longer than a small chunk, so that decoding goes
	// on across reads.
	text := "# café config " + strings.Repeat("x", 700) + "\r\nCLARO_KEY=" + live + "\r\nallowed=" + live + " # clarolint:allow\r\nÜ: " + rulestest.Base64(test) + "\r\n"
	plain := encodedHit{2, 11, rules.KeyLen, "", rules.Fingerprint([]byte(live))}
	// The base64 key is at column 4 of line 4: "Ü" is one character.
	inner := encodedHit{4, 4, 67, rules.Base64, rules.Fingerprint([]byte(test))}
	for _, tt := range []struct {
		name string
		src  []byte
		enc  rules.Encoding
	}{
		{"LE with BOM", rulestest.UTF16(text, false, true), rules.UTF16LE},
		{"BE with BOM", rulestest.UTF16(text, true, true), rules.UTF16BE},
		{"LE without BOM", rulestest.UTF16(text, false, false), rules.UTF16LE},
		{"BE without BOM, odd length", append(rulestest.UTF16(text, true, false), 'x'), rules.UTF16BE},
	} {
		for depth := range 3 {
			var want []encodedHit
			if depth >= 1 {
				p := plain
				p.enc = tt.enc
				want = append(want, p)
			}
			if depth >= 2 {
				in := inner
				in.enc = inner.enc.Then(tt.enc)
				want = append(want, in)
			}
			for _, chunk := range []int{1, 64, DefaultChunk} {
				for _, oneByte := range []bool{false, true} {
					var r io.Reader = bytes.NewReader(tt.src)
					if oneByte {
						r = iotestOneByte{r}
					}
					var got []encodedHit
					res, err := newStream(new(rules.Matcher), depth, chunk).scan(r, true, func(h Hit) error {
						got = append(got, encodedHit{h.Line, h.Column, h.Width, h.Encoding, rules.Fingerprint(h.Key)})
						if h.Column16 != h.Column { // columns of UTF-16 text count code units already
							t.Errorf("%s: line %d: UTF-16 column %d, column %d", tt.name, h.Line, h.Column16, h.Column)
						}
						return nil
					})
					where := fmt.Sprintf("%s, depth %d, chunk %d, one-byte reads %v", tt.name, depth, chunk, oneByte)
					// Without decoding, UTF-16 is binary, and skipped.
					if err != nil || res.binary != (depth == 0) || res.bytes != int64(len(tt.src)) && depth > 0 || res.allowed != min(depth, 1) {
						t.Errorf("%s: err %v, binary %v, %d bytes of %d, %d allowed", where, err, res.binary, res.bytes, len(tt.src), res.allowed)
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%s: %v, want %v", where, got, want)
					}
				}
			}
		}
	}
}
