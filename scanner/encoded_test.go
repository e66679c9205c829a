package scanner

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// escapeAll writes every byte of s with format, such as "%%%02X".
func escapeAll(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

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
			enc = b64("apikey:" + key)
		case 1:
			enc = strings.ReplaceAll(key, "_", "%5F")
		case 2:
			enc = escapeAll(key, `\u%04x`) // 300 bytes: longer than a small chunk
		case 3:
			enc = escapeAll(key, "%%%02x")
		case 4:
			enc = base64.RawURLEncoding.EncodeToString([]byte("\xfb" + key))
		case 5:
			enc = strings.ReplaceAll(key, "_", `\u005f`)
		}
		line := strings.Repeat("abc ", i%17)
		switch i % 5 {
		case 0:
			line += "k: " + enc
		case 1:
			line += `"` + enc + `" // clarolint:allow`
		case 2:
			line += "# clarolint:allow " + strings.Repeat("y", i*3) + " " + enc
		case 3:
			line += enc + strings.Repeat(" z", i*2) + " clarolint:allow"
		case 4:
			line += "x=" + enc + " " + rulestest.Key(rules.Live, uint64(900+i)) + "\r"
		}
		src = append(src, line+"\n"...)
	}
	return append(src, b64(rulestest.Key(rules.Live, 999))...) // at the very end
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
	src := "a\n  data: " + b64(live) + "\nu=" + strings.ReplaceAll(live, "_", "%5f") + " " + live + "\n" +
		`{"k": "` + escapeAll(live, `\u%04X`) + `"}` + "\nv: " + b64(strings.ReplaceAll(live, "_", "%5F")) + "\n"
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
		for _, chunk := range []int{1, 100, defaultChunk} {
			var got []encodedHit
			_, err := newStream(new(rules.Matcher), depth, chunk).scan(strings.NewReader(src), false, func(h hit) error {
				got = append(got, encodedHit{h.line, h.column, h.width, h.encoding, rules.Fingerprint(h.key)})
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
	text := "# café config " + strings.Repeat("x", 700) + "\r\nCLARO_KEY=" + live + "\r\nallowed=" + live + " # clarolint:allow\r\nÜ: " + b64(test) + "\r\n"
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
			for _, chunk := range []int{1, 64, defaultChunk} {
				for _, oneByte := range []bool{false, true} {
					var r io.Reader = bytes.NewReader(tt.src)
					if oneByte {
						r = iotestOneByte{r}
					}
					var got []encodedHit
					res, err := newStream(new(rules.Matcher), depth, chunk).scan(r, true, func(h hit) error {
						got = append(got, encodedHit{h.line, h.column, h.width, h.encoding, rules.Fingerprint(h.key)})
						if h.column16 != h.column { // columns of UTF-16 text count code units already
							t.Errorf("%s: line %d: UTF-16 column %d, column %d", tt.name, h.line, h.column16, h.column)
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

func TestTreeEncoded(t *testing.T) {
	t.Parallel()
	live, test, other := rulestest.Key(rules.Live, 44), rulestest.Key(rules.Test, 45), rulestest.Key(rules.Live, 46)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\ndata:\n  key: " + b64(live) + "\n",
		"auth.http":       "GET /\nAuthorization: Basic " + b64("ana:"+test) + "\n",
		"web/.env":        "NEXT_PUBLIC_TOKEN=" + strings.ReplaceAll(other, "_", "%5F") + "\n",
		"allowed.json":    `{"k": "` + escapeAll(live, `\u%04x`) + `"} // clarolint:allow` + "\n",
		"utf16.txt":       string(rulestest.UTF16("KEY="+test+"\n", false, false)),
	})
	keys := map[string]string{"k8s/secret.yaml": live, "auth.http": test, "web/.env": other, "utf16.txt": test}
	phrases := map[string]string{
		"k8s/secret.yaml": ", base64-encoded; rotate it",
		"auth.http":       ", base64-encoded; rotate it",
		"web/.env":        ", percent-encoded, is assigned to NEXT_PUBLIC_TOKEN",
		"utf16.txt":       ", in UTF-16LE text; rotate it",
	}
	for _, tt := range []struct {
		name             string
		o                Options
		want             []string
		suppressed, bins int
	}{
		{"off", Options{}, nil, 0, 1},
		{"depth 1", Options{DecodeDepth: 1}, []string{
			"auth.http:2:27-94 claro-test-key base64",
			"k8s/secret.yaml:4:8-75 claro-live-key base64",
			"utf16.txt:1:5-55 claro-test-key utf-16le",
			"web/.env:1:19-73 claro-key-client-exposed percent",
		}, 1, 0},
		{"an allowed fingerprint", Options{DecodeDepth: 1, AllowFingerprints: []string{rules.Fingerprint([]byte(test))}}, []string{
			"k8s/secret.yaml:4:8-75 claro-live-key base64",
			"web/.env:1:19-73 claro-key-client-exposed percent",
		}, 3, 0},
	} {
		var got []string
		st, err := New(tt.o).Tree(t.Context(), []string{dir}, func(f finding.Finding) error {
			key := keys[f.Path]
			if f.Secret.Reveal() != key || f.Fingerprint != rules.Fingerprint([]byte(key)) || f.Redacted != rules.Redact([]byte(key)) {
				t.Errorf("%s: %s: the secret, redaction or fingerprint is not the decoded key's", tt.name, f.Path)
			}
			if want := rules.Redact([]byte(key)) + phrases[f.Path]; !strings.Contains(f.Message, want) {
				t.Errorf("%s: %s: message %q does not say %q", tt.name, f.Path, f.Message, want)
			}
			got = append(got, fmt.Sprintf("%s:%d:%d-%d %s %s", f.Path, f.Line, f.Column, f.EndColumn, f.RuleID, f.Encoding))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		if st.Suppressed != tt.suppressed || st.BinaryFiles != tt.bins {
			t.Errorf("%s: %d suppressed, %d binary files; want %d, %d (UTF-16 is text when decoding)", tt.name, st.Suppressed, st.BinaryFiles, tt.suppressed, tt.bins)
		}
	}
}

// TestReusedEncoded: a key in one environment's file and base64-encoded in
// another's is one key, reused.
func TestReusedEncoded(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 47)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".env.development":       "CLARO_KEY=" + key + "\n",
		"deploy/production.yaml": "claro-key: " + b64(key) + "\n",
	})
	s := New(Options{DecodeDepth: 1})
	var fs []finding.Finding
	if _, err := s.Tree(t.Context(), []string{dir}, func(f finding.Finding) error { fs = append(fs, f); return nil }); err != nil {
		t.Fatal(err)
	}
	reused := s.Reused(fs)
	if len(fs) != 2 || len(reused) != 1 || reused[0].Path != "deploy/production.yaml" || reused[0].Column != 12 {
		t.Errorf("%d findings, reuse: %v", len(fs), reused)
	}
}

// TestHistoryEncoded: an encoded key is introduced once, by the commit that
// added it in any form; writing it in another encoding later does not
// introduce it again, and it is in HEAD whatever form HEAD holds it in.
func TestHistoryEncoded(t *testing.T) {
	t.Parallel()
	hr := newHistRepo(t, false)
	f1 := map[string]string{"deploy/secret.yaml": "data:\n  key: " + b64(key(41)) + "\n"}
	c1 := hr.commit("c1", f1)
	f2 := with(f1, "deploy/secret.yaml", "url: https://api.example.test/?key="+strings.ReplaceAll(key(41), "_", "%5F")+"\n")
	c2 := hr.commit("c2", f2, c1)
	hr.branch("main", hr.commit("c3", with(f2, "app.json", `{"k": "`+escapeAll(key(42), `\u%04x`)+`"}`), c2))
	got, fs, _, warn := runHistory(t, hr, Options{DecodeDepth: 1}, HistoryOptions{NoGit: true})
	checkFindings(t, "history", got, []string{"app.json:1:8 c3 in HEAD", "deploy/secret.yaml:2:8 c1 in HEAD"})
	if warn != "" || len(fs) != 2 || fs[0].Encoding != string(rules.JSONUnicode) || fs[1].Encoding != string(rules.Base64) || fs[1].EndColumn != 8+67 {
		t.Errorf("warnings %q, findings %+v", warn, fs)
	}
	got, _, _, _ = runHistory(t, hr, Options{}, HistoryOptions{NoGit: true})
	checkFindings(t, "history without decoding", got, nil)
}

// TestStagedEncoded: a key already in HEAD is not new because it is staged
// in another form; a new encoded key is.
func TestStagedEncoded(t *testing.T) {
	t.Parallel()
	sr := newStagingRepo(t)
	sr.stage(map[string]string{"config.env": "CLARO_KEY=" + key(43) + "\n"})
	sr.commit("plain key")
	sr.stage(map[string]string{"config.env": "CLARO_KEY_B64=" + b64(key(43)) + "\nOTHER=" + b64("u:"+key(44)) + "\n"})
	got, fs, _, _ := scanStaged(t, Options{DecodeDepth: 1}, sr.dir, StagedOptions{})
	// "u:" puts the key at the third byte of a group: it starts two
	// characters into the base64.
	if want := []string{"config.env:2:9 claro-live-key"}; !slices.Equal(got, want) || fs[0].Fingerprint != rules.Fingerprint([]byte(key(44))) {
		t.Errorf("got %q, want %q", got, want)
	}
}
