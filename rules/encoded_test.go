package rules_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// Ways of writing a key, built with the standard library so that the tests
// do not share code with the decoders they test.

func b64(s string) string    { return base64.StdEncoding.EncodeToString([]byte(s)) }
func b64url(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
func b64raw(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }

// pctAll percent-encodes every byte, with hex digits in the given case.
func pctAll(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// jsonAll writes every byte as a JSON \u escape.
func jsonAll(s, format string) string { return pctAll(s, format) }

// b64Span returns where base64 of pad+key+rest, after text, writes the
// key: from the first character that holds a bit of it to the last.
func b64Span(text, pad string) (int, int) {
	a, last := len(pad), len(pad)+rules.KeyLen-1
	return len(text) + a/3*4 + a%3, len(text) + last/3*4 + last%3 + 2
}

// span is an expected match: the encoded span and the encoding.
type span struct {
	start, end int
	enc        rules.Encoding
}

func findEncoded(in string, depth int) []rules.Encoded {
	return new(rules.Matcher).FindEncoded(nil, []byte(in), 0, len(in), depth)
}

// checkEncoded compares what FindEncoded finds in in with want, and checks
// that each match decodes to key.
func checkEncoded(t *testing.T, name, in, key string, depth int, want []span) {
	t.Helper()
	var got []span
	for _, m := range findEncoded(in, depth) {
		got = append(got, span{m.Start, m.End, m.Encoding})
		if string(m.Key[:]) != key {
			t.Errorf("%s: match at %d decodes to %s, want %s", name, m.Start, rules.Redact(m.Key[:]), rules.Redact([]byte(key)))
		}
		wantKind := rules.Live
		if strings.HasPrefix(key, "sk_test_") {
			wantKind = rules.Test
		}
		if m.Kind != wantKind {
			t.Errorf("%s: match at %d is a %v key", name, m.Start, m.Kind)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v, want %v", name, got, want)
	}
}

func TestFindEncodedBase64(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 11), rulestest.Key(rules.Test, 12)
	body := live[8:]
	// Base64 of a key's own characters never uses + / - or _; bytes
	// before it that do tell the alphabets apart.
	const slashy = "\xfb\xff:"
	type tc struct {
		name, text, pad, key, rest string
		encode                     func(string) string
		want                       bool
	}
	tests := []tc{
		{"alignment 0", "data: ", "", live, "", b64, true},
		{"alignment 1", "data: ", ":", live, "", b64, true},
		{"alignment 2", "data: ", "=:", live, "", b64, true},
		{"alignment 0, text after", "", "a=1\nk=", live, "\nz=2", b64, true},
		{"alignment 1, text after", "", "k=", live, "\n", b64, true},
		{"alignment 2, text after", "", "t:", live, " ", b64, true},
		{"test key", "token: ", "", test, "", b64, true},
		{"padding", "x=", "", live, "", b64, true},
		{"no padding", "x=", "", live, "", b64raw, true},
		{"no padding, alignment 2", "x=", "..", live, "", b64raw, true},
		{"URL-safe alphabet", "?t=", slashy, live, "", b64url, true},
		{"standard alphabet, same bytes", "?t=", slashy, live, "", b64, true},
		{"basic-auth header", "Authorization: Basic ", "apikey:", live, "", b64, true},
		{"basic-auth user and key", "Authorization: Basic ", "ana@example.com:", test, "", b64, true},
		{"Kubernetes Secret data", "  CLARO_API_KEY: ", "", live, "", b64, true},
		{"inside a JSON config", `{"config": "`, `{"apiKey": "`, live, `", "region": "eu"}`, b64, true},
		{"data after a path", "GET /v1/objects/", "", live, "", b64, true},

		{"placeholder key", "data: ", "", "sk_live_" + "your" + body[4:], "", b64, false},
		{"Stripe 24-char key", "data: ", "", "sk_live_" + body[:24], "", b64, false},
		{"43-char body", "data: ", "", live + "x", "", b64, false},
		{"41-char body", "data: ", "", live[:49], "", b64, false},
		{"letter before the key", "data: ", "x", live, "", b64, false},
		{"underscore before the key", "data: ", "a_", live, "", b64, false},
		{"other prefix", "data: ", "", "sk_prod_" + body, "", b64, false},
	}
	for _, tt := range tests {
		payload := tt.pad + tt.key + tt.rest
		in := tt.text + tt.encode(payload)
		var want []span
		if tt.want {
			s, e := b64Span(tt.text, tt.pad)
			enc := rules.Base64
			if strings.ContainsAny(tt.encode(payload), "-_") {
				enc = rules.Base64URL
			}
			want = []span{{s, e, enc}}
		}
		checkEncoded(t, tt.name, in, tt.key, 1, want)
	}
	if got := findEncoded("?t="+b64url(slashy+live), 1); len(got) != 1 || got[0].Encoding != rules.Base64URL {
		t.Errorf("URL-safe base64: %v, want base64url", spans(got))
	}
}

func TestFindEncodedBase64Negatives(t *testing.T) {
	t.Parallel()
	live := rulestest.Key(rules.Live, 13)
	random := make([]byte, 3000)
	state := uint64(5)
	for i := range random {
		state = state*6364136223846793005 + 1442695040888963407
		random[i] = byte(state >> 56)
	}
	for _, tt := range []struct{ name, in string }{
		{"run too short", "k: " + b64(live)[:60]},
		{"cut inside the key", "k: " + b64(live)[:64] + " " + b64(live)[64:]},
		{"random base64 data", "blob: " + b64(string(random))},
		{"random URL-safe data", "blob: " + b64url(string(random))},
		{"a plain key inside base64-looking text", "x: " + b64(string(random[:300])) + "/" + live + "/" + b64(string(random[300:600]))},
	} {
		if got := findEncoded(tt.in, 1); len(got) != 0 {
			t.Errorf("%s: %d matches, want none", tt.name, len(got))
		}
	}
	// The plain key there is Find's, once.
	in := "x: " + b64(string(random[:300])) + "/" + live
	if got := new(rules.Matcher).Find([]byte(in)); len(got) != 1 {
		t.Errorf("Find: %d keys in base64-looking text, want 1", len(got))
	}
}

func TestFindEncodedEscapes(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 14), rulestest.Key(rules.Test, 15)
	body := live[8:]
	pctUnderscores := strings.ReplaceAll(live, "_", "%5F")
	jsonUnderscores := strings.ReplaceAll(live, "_", `\u005f`)
	tests := []struct {
		name, before, encoded, after, key string
		enc                               rules.Encoding
		want                              bool
	}{
		{"percent, underscores", "https://api.test/v1?key=", pctUnderscores, "&x=1", live, rules.Percent, true},
		{"percent, lower-case", "key=", strings.ReplaceAll(live, "_", "%5f"), "", live, rules.Percent, true},
		{"percent, one underscore", "key=", "sk_live%5F" + body, "", live, rules.Percent, true},
		{"percent, first byte only", "", "%73" + live[1:], "", live, rules.Percent, true},
		{"percent, whole key", "k=", pctAll(test, "%%%02X"), "", test, rules.Percent, true},
		{"percent, whole key, lower-case", "k=", pctAll(live, "%%%02x"), " ", live, rules.Percent, true},
		{"percent, after an escaped quote", "k=%22", pctUnderscores, "%22", live, rules.Percent, true},
		{"JSON, underscores", `{"key":"`, jsonUnderscores, `"}`, live, rules.JSONUnicode, true},
		{"JSON, upper-case hex", `{"key":"`, strings.ReplaceAll(live, "_", `\u005F`), `"}`, live, rules.JSONUnicode, true},
		{"JSON, whole key", `["`, jsonAll(test, `\u%04x`), `"]`, test, rules.JSONUnicode, true},
		{"JSON, whole key, upper-case hex", `["`, jsonAll(live, `\u%04X`), `"]`, live, rules.JSONUnicode, true},
		{"JSON, after an escaped quote", `\u0022`, jsonUnderscores, "", live, rules.JSONUnicode, true},

		{"percent placeholder", "k=", strings.ReplaceAll("sk_live_"+"example"+body[7:], "_", "%5F"), "", "", "", false},
		{"percent, 43-char body", "k=", pctUnderscores + "%41", "", "", "", false},
		{"percent, 41-char body", "k=", pctUnderscores[:len(pctUnderscores)-1], "", "", "", false},
		{"percent, letter before", "k=x", pctUnderscores, "", "", "", false},
		{"percent, escaped letter before", "k=%78", pctUnderscores, "", "", "", false},
		{"percent, Stripe length", "k=", strings.ReplaceAll("sk_live_"+body[:24], "_", "%5F"), "", "", "", false},
		{"JSON placeholder", "", strings.ReplaceAll("sk_test_"+"xxxx"+body[4:], "_", `\u005f`), "", "", "", false},
		{"JSON, escaped backslash", `"`, strings.ReplaceAll(live, "_", `\\u005f`), `"`, "", "", false},
		{"invalid escapes", "k=", strings.ReplaceAll(live, "_", "%5G"), "", "", "", false},
		// A plain key right after an escape is Find's, not an encoded one.
		{"plain key after %20", "Bearer%20", live, "", "", "", false},
		{"plain key after \\u0022", `\u0022`, live, `\u0022`, "", "", false},
	}
	for _, tt := range tests {
		in := tt.before + tt.encoded + tt.after
		var want []span
		if tt.want {
			want = []span{{len(tt.before), len(tt.before) + len(tt.encoded), tt.enc}}
		}
		checkEncoded(t, tt.name, in, tt.key, 1, want)
	}
}

func TestFindEncodedDepth(t *testing.T) {
	t.Parallel()
	live := rulestest.Key(rules.Live, 16)
	pct := strings.ReplaceAll(live, "_", "%5F")
	tests := []struct {
		name, in string
		start    int
		enc      rules.Encoding
		depth    int // the least depth that finds it
	}{
		{"base64", "k: " + b64(live), 3, rules.Base64, 1},
		{"percent, then base64", "k: " + b64(pct), 3, rules.Percent.Then(rules.Base64), 2},
		{"percent twice", "u=" + strings.ReplaceAll(live, "_", "%255F"), 2, rules.Percent.Then(rules.Percent), 2},
		{"base64 twice", "k: " + b64(b64("u:"+live)), 3, rules.Base64.Then(rules.Base64), 2},
		{"JSON, then base64", "k: " + b64(`{"k":"`+jsonAll(live, `\u%04x`)+`"}`), 3, rules.JSONUnicode.Then(rules.Base64), 2},
		{"base64, then JSON", `"` + jsonAll(b64(live), `\u%04x`) + `"`, 1, rules.Base64.Then(rules.JSONUnicode), 2},
		{"percent, base64, base64", "k: " + b64(b64(pct)), 3, rules.Percent.Then(rules.Base64).Then(rules.Base64), 3},
	}
	for _, tt := range tests {
		for depth := 0; depth <= rules.MaxDecodeDepth; depth++ {
			got := findEncoded(tt.in, depth)
			if depth < tt.depth {
				if len(got) != 0 {
					t.Errorf("%s, depth %d: %d matches, want none", tt.name, depth, len(got))
				}
				continue
			}
			if len(got) != 1 || string(got[0].Key[:]) != live || got[0].Encoding != tt.enc || got[0].Start < tt.start {
				t.Errorf("%s, depth %d: got %d matches %v, want one %s key at or after %d", tt.name, depth, len(got), spans(got), tt.enc, tt.start)
			}
		}
	}
}

func spans(ms []rules.Encoded) []span {
	var out []span
	for _, m := range ms {
		out = append(out, span{m.Start, m.End, m.Encoding})
	}
	return out
}

// encodedFixture holds keys in every encoding FindEncoded undoes at depth
// 1 and 2, plain keys and near misses, on lines of varying length. It
// returns how many keys depth 1 and depth 2 find.
func encodedFixture() (src []byte, once, twice int) {
	for i := range 150 {
		key := rulestest.Key(rules.Kind(1+i%2), uint64(500+i))
		line := strings.Repeat("pad ", i%9)
		switch i % 10 {
		case 0:
			line += "data: " + b64(key)
		case 1:
			line += "Authorization: Basic " + b64("user:"+key) + " x"
		case 2:
			line += "t=" + b64url(strings.Repeat(":", i%3)+key)
		case 3:
			line += "key=" + strings.ReplaceAll(key, "_", "%5f") + "&"
		case 4:
			line += "k=" + pctAll(key, "%%%02X")
		case 5:
			line += `"` + jsonAll(key, `\u%04x`) + `"`
		case 6:
			line += `"` + strings.ReplaceAll(key, "_", `\u005F`) + `"`
		case 7:
			line += "plain " + key + " and base64 " + b64(key)[:60] // not a whole key
		case 8:
			line += "u: " + b64(strings.ReplaceAll(key, "_", "%5F")) // depth 2
		case 9:
			line += "blob: " + b64(strings.Repeat(key[8:], 3))
		}
		src = append(src, line+"\n"...)
		switch i % 10 {
		case 7, 9:
		case 8:
			twice++
		default:
			once++
		}
	}
	return src, once, once + twice
}

// TestFindEncodedWindows checks FindEncoded's contract for chunked readers:
// with windows that follow it, every encoded key is reported exactly once,
// at the same place as in one search over the whole input.
func TestFindEncodedWindows(t *testing.T) {
	t.Parallel()
	src, once, twice := encodedFixture()
	var m rules.Matcher
	for _, tt := range []struct {
		depth, keys int
		margins     []int // window sizes, beyond the context they carry
	}{
		{1, once, []int{1, 59, 4096}},
		{2, twice, []int{500, 2000}}, // depth 2 decodes every run: fewer, larger windows
	} {
		depth := tt.depth
		want := spans(m.FindEncoded(nil, src, 0, len(src), depth))
		if len(want) != tt.keys {
			t.Fatalf("depth %d: %d keys in the whole input, want %d", depth, len(want), tt.keys)
		}
		before, after := rules.EncodedContext(depth)
		sizes := []int{len(src)}
		for _, m := range tt.margins {
			sizes = append(sizes, before+after+m)
		}
		for _, size := range sizes {
			var got []span
			for base := 0; ; {
				win := src[base:min(len(src), base+size)]
				final := base+len(win) == len(src)
				lo, hi := before, len(win)-after
				if base == 0 {
					lo = 0
				}
				if final {
					hi = len(win)
				}
				for _, k := range m.FindEncoded(nil, win, lo, hi, depth) {
					got = append(got, span{base + k.Start, base + k.End, k.Encoding})
				}
				if final {
					break
				}
				base += hi - before
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("depth %d, window %d: %d keys, want %d", depth, size, len(got), len(want))
			}
		}
	}
}

func TestEncodedContext(t *testing.T) {
	t.Parallel()
	if b, a := rules.EncodedContext(0); b != 0 || a != 0 {
		t.Errorf("EncodedContext(0) = %d, %d", b, a)
	}
	for d := 1; d <= rules.MaxDecodeDepth; d++ {
		b, a := rules.EncodedContext(d)
		// A whole key JSON-escaped d times, with its context, fits.
		if b < rules.Context*pow(6, d) || a < (rules.KeyLen+1)*pow(6, d) {
			t.Errorf("EncodedContext(%d) = %d, %d: too little for %d layers of \\u escapes", d, b, a, d)
		}
	}
	if b, a := rules.EncodedContext(rules.MaxDecodeDepth + 5); b+a > 64<<10/2 {
		t.Errorf("EncodedContext beyond the maximum depth = %d, %d", b, a)
	}
}

func pow(x, n int) int {
	p := 1
	for range n {
		p *= x
	}
	return p
}

func TestUTF16(t *testing.T) {
	t.Parallel()
	text := "CLARO_API_KEY=" + rulestest.Key(rules.Live, 17) + "\r\nnaïve = 1\n"
	le, be := rulestest.UTF16(text, false, false), rulestest.UTF16(text, true, false)
	for _, tt := range []struct {
		name string
		head []byte
		enc  rules.Encoding
		bom  int
	}{
		{"LE with BOM", append([]byte{0xFF, 0xFE}, le...), rules.UTF16LE, 2},
		{"BE with BOM", append([]byte{0xFE, 0xFF}, be...), rules.UTF16BE, 2},
		{"LE without BOM", le, rules.UTF16LE, 0},
		{"BE without BOM", be, rules.UTF16BE, 0},
		{"LE, odd length", le[:len(le)-1], rules.UTF16LE, 0},
		{"too short without BOM", le[:2*rules.KeyLen-2], "", 0},
		{"UTF-8 text", []byte(text + text), "", 0},
		{"binary with NULs", bytes.Repeat([]byte{0x7f, 'E', 'L', 'F', 2, 1, 0, 0, 0, 0, 3, 0}, 20), "", 0},
		{"uint16 table", bytes.Repeat([]byte{1, 0, 2, 0, 3, 0, 200, 0}, 40), "", 0},
	} {
		enc, bom := rules.UTF16(tt.head)
		if enc != tt.enc || bom != tt.bom {
			t.Errorf("%s: UTF16 = %q, %d; want %q, %d", tt.name, enc, bom, tt.enc, tt.bom)
		}
	}
	want := []byte(strings.ReplaceAll(text, "ï", "\x80"))
	if got := rules.DecodeUTF16(nil, le, rules.UTF16LE); !bytes.Equal(got, want) {
		t.Errorf("DecodeUTF16 LE = %q", rules.Redact(got))
	}
	if got := rules.DecodeUTF16(nil, be[:len(be)-1], rules.UTF16BE); !bytes.Equal(got, want[:len(want)-1]) {
		t.Errorf("DecodeUTF16 BE, odd length = %q", rules.Redact(got))
	}
	in := bytes.Clone(le)
	if got := rules.DecodeUTF16(in[:0], in, rules.UTF16LE); !bytes.Equal(got, want) {
		t.Errorf("DecodeUTF16 in place = %q", rules.Redact(got))
	}
}

func FuzzFindEncoded(f *testing.F) {
	key := rulestest.Key(rules.Live, 18)
	f.Add([]byte("k: " + b64(":"+key)))
	f.Add([]byte("k=" + strings.ReplaceAll(key, "_", "%5F")))
	f.Add([]byte(`"` + jsonAll(key, `\u%04x`) + `"`))
	f.Add([]byte(b64url("..sk_test_" + key[8:])))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m rules.Matcher
		for _, k := range m.FindEncoded(nil, b, 0, len(b), 1) {
			if k.Start < 0 || k.End > len(b) || k.Start >= k.End || !rules.IsKey(k.Key[:]) {
				t.Fatalf("FindEncoded returned %d:%d %s, not a well-formed key in range", k.Start, k.End, k.Encoding)
			}
			if !decodesTo(b[k.Start:k.End], k.Key[:], k.Encoding) {
				t.Fatalf("the span %d:%d does not decode to the key as %s", k.Start, k.End, k.Encoding)
			}
		}
		m.FindEncoded(nil, b, 0, len(b), rules.MaxDecodeDepth) // never panics
	})
}

// decodesTo reports whether the span decodes to key with the standard
// library's decoders.
func decodesTo(span, key []byte, enc rules.Encoding) bool {
	switch enc {
	case rules.Percent:
		s, err := url.PathUnescape(string(span))
		return err == nil && s == string(key) && len(span) > len(key)
	case rules.JSONUnicode:
		s, err := strconv.Unquote(`"` + string(span) + `"`)
		return err == nil && s == string(key) && len(span) > len(key)
	case rules.Base64, rules.Base64URL:
		// The span starts at the first, second or third character of a
		// group; decode from the group's start.
		std := strings.NewReplacer("-", "+", "_", "/").Replace(string(span))
		for a := range 3 {
			text := strings.Repeat("A", a) + std
			text += strings.Repeat("A", (4-len(text)%4)%4)
			if d, err := base64.StdEncoding.DecodeString(text); err == nil && len(d) >= a+len(key) && bytes.Equal(d[a:a+len(key)], key) {
				return true
			}
		}
	}
	return false
}

// checkFindAll compares FindAll with FindIn and FindEncoded run apart.
func checkFindAll(t *testing.T, b []byte, lo, hi, depth int) {
	t.Helper()
	var m rules.Matcher
	keys, enc := m.FindAll(nil, nil, b, lo, hi, depth)
	wantKeys, wantEnc := m.FindIn(nil, b, lo, hi), m.FindEncoded(nil, b, lo, hi, depth)
	if fmt.Sprint(keys) != fmt.Sprint(wantKeys) || fmt.Sprint(spans(enc)) != fmt.Sprint(spans(wantEnc)) {
		t.Fatalf("depth %d, [%d, %d) of %d bytes: FindAll found %v and %v; FindIn %v, FindEncoded %v",
			depth, lo, hi, len(b), keys, spans(enc), wantKeys, spans(wantEnc))
	}
}

// TestFindAll: one search for both finds what the two searches find, plain
// keys after every escape and boundary the key format allows, in runs of every
// length, whatever part of the input is searched.
func TestFindAll(t *testing.T) {
	t.Parallel()
	src, _, _ := encodedFixture()
	for i := range 200 {
		key := rulestest.Key(rules.Kind(1+i%2), uint64(700+i))
		before := []string{"", " ", `\n`, "%3D", "\x1b[32m", `\u0022`, "x", "_", "/v1/", "=", strings.Repeat("ab", i%40)}[i%11]
		after := []string{"", " ", "_x", "a", ".", strings.Repeat("+", i%30)}[i%6]
		src = append(src, before+key+after+"\n"...)
	}
	for _, depth := range []int{0, 1, 2} {
		checkFindAll(t, src, 0, len(src), depth)
		for lo := 0; lo < len(src); lo += 997 {
			checkFindAll(t, src, lo, min(len(src), lo+1500), depth)
		}
	}
}

func FuzzFindAll(f *testing.F) {
	key := rulestest.Key(rules.Test, 19)
	f.Add([]byte(`"`+key+`" k: `+b64(key)), uint16(0), uint16(200))
	f.Add([]byte(strings.Repeat("a", 40)+`\n`+key), uint16(3), uint16(90))
	f.Fuzz(func(t *testing.T, b []byte, lo, hi uint16) {
		checkFindAll(t, b, min(int(lo), len(b)), min(int(hi), len(b)), 1)
	})
}
