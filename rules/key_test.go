package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func TestFind(t *testing.T) {
	t.Parallel()
	live := rulestest.Key(rules.Live, 1)
	test := rulestest.Key(rules.Test, 2)
	body := live[8:]
	tests := []struct {
		name, in string
		want     []int // start offsets of the keys found
	}{
		// whole keys and the edges of input
		{"live key alone", live, []int{0}},
		{"test key alone", test, []int{0}},
		{"key at end of input", "token: " + live, []int{7}},
		{"key at start, newline after", live + "\n", []int{0}},
		{"CRLF after", "K=" + live + "\r\nX=1\r\n", []int{2}},
		{"two keys", live + "," + test, []int{0, 51}},
		{"two keys, space", live + " " + live, []int{0, 51}},

		// left boundary
		{"after quote", `"` + live + `"`, []int{1}},
		{"after single quote", `'` + live + `'`, []int{1}},
		// Go struct tags, which only the text scanner reads
		{"struct tag", "Key string `json:\"key\" default:\"" + live + "\"`", []int{32}},
		{"struct tag as interpreted string", `Key string "default:\"` + live + `\""`, []int{22}},
		{"after equals", "KEY=" + live, []int{4}},
		{"after colon", "key:" + live, []int{4}},
		{"after slash", "/v1/" + live, []int{4}},
		{"after dash", "x-" + live, []int{2}},
		{"after dot", "a." + live, []int{2}},
		{"after tab", "\t" + live, []int{1}},
		{"after non-ASCII", "é" + live, []int{2}},
		{"after NUL", "\x00" + live, []int{1}},
		{"after letter", "x" + live, nil},
		{"after digit", "9" + live, nil},
		{"after underscore", "_" + live, nil},
		{"after sk_live_ (inside longer token)", "sk_live_" + live, nil},
		{"capital prefix", "SK_LIVE_" + body, nil},
		{"other prefix", "sk_prod_" + body, nil},

		// escapes right before the key
		{`after \n escape`, `line\n` + live, []int{6}},
		{`after \t escape`, `a\t` + live, []int{3}},
		{`after \r escape`, `a\r` + live, []int{3}},
		{`after \" escape`, `{\"k\":\"` + live + `\"}`, []int{9}},
		{`after \u0022 escape`, `\u0022` + live, []int{6}},
		{`after \u003d escape`, `key\u003d` + live, []int{9}},
		{`after \x22 escape`, `\x22` + live, []int{4}},
		{`after octal \042 escape`, `\042` + live, []int{4}},
		{"after URL %3D", "key%3D" + live, []int{6}},
		{"after URL %22", "%22" + live, []int{3}},
		{"after URL %20", "Bearer%20" + live, []int{9}},
		{"after URL %3d lower-case", "key%3d" + live, []int{6}},
		{"after raw ANSI colour", "\x1b[1;32m" + live, []int{7}},
		{`after ANSI colour written \033[`, `\033[0m` + live, []int{7}},
		{"letter m that is no ANSI sequence", "[0m" + live, nil},
		{"percent with one hex digit", "%3" + live, nil},
		{"backslash with other letter", `\q` + live, nil},

		// right boundary
		{"41-char body", live[:49], nil},
		{"43-char body", live + "a", nil},
		{"43-char body, digit", live + "7", nil},
		{"underscore after", live + "_x", []int{0}},
		{"dot after", live + ".", []int{0}},
		{"backslash after", live + `\n`, []int{0}},
		{"non-base62 in body", live[:30] + "-" + live[31:], nil},
		{"space in body", live[:30] + " " + live[31:], nil},

		// Stripe keys share the prefix; never Claro keys
		{"stripe 24-char live", "sk_live_" + body[:24], nil},
		{"stripe 24-char test", "sk_test_" + body[:24] + " ", nil},
		{"stripe 99-char", "sk_live_" + strings.Repeat(body, 3)[:99], nil},
		{"stripe 107-char", "sk_test_" + strings.Repeat(body, 3)[:107], nil},
		{"stripe 247-char", "sk_live_" + strings.Repeat(body, 6)[:247], nil},
		{"stripe restricted rk_live_ 42", "rk_live_" + body, nil},
		{"publishable pk_live_ 42", "pk_live_" + body, nil},

		// placeholders (each heuristic)
		{"word your", "sk_live_" + "your" + body[4:], nil},
		{"word YOUR upper-case", "sk_live_" + body[:10] + "YOUR" + body[14:], nil},
		{"word example", "sk_test_" + body[:20] + "Example" + body[27:], nil},
		{"word xxxx", "sk_live_" + body[:38] + "xxxx", nil},
		{"word dummy", "sk_live_" + "dummy" + body[5:], nil},
		{"word fake", "sk_test_" + body[:5] + "FAKE" + body[9:], nil},
		{"word placeholder", "sk_live_" + "placeholder" + body[11:], nil},
		{"word redacted", "sk_live_" + body[:29] + "REDACTED" + body[37:], nil},
		{"word changeme", "sk_live_" + "ChangeMe" + body[8:], nil},
		{"run abcdefgh", "sk_live_" + body[:10] + "abcdefgh" + body[18:], nil},
		{"run 12345678", "sk_live_" + body[:20] + "12345678" + body[28:], nil},
		{"run ZYXWVUTS", "sk_live_" + "ZYXWVUTS" + body[8:], nil},
		{"run with gaps aceg…", "sk_live_" + body[:3] + "0AKUaeko" + body[11:], nil},
		{"period 1", "sk_live_" + strings.Repeat("a", 42), nil},
		{"period 3", "sk_live_" + strings.Repeat("x7Q", 14), nil},
		{"period 8, last copy cut", "sk_test_" + strings.Repeat("q9Zr4Km2", 6)[:42], nil},
		{"low entropy", "sk_live_" + "aabbaabbccddaabbccddeeffaabbccddeeaabbccdd", nil},
		{"0-9 repeated", "sk_live_" + strings.Repeat("0123456789", 5)[:42], nil},
	}
	for _, tt := range tests {
		var got []int
		for _, m := range new(rules.Matcher).Find([]byte(tt.in)) {
			got = append(got, m.Start)
			if m.End-m.Start != rules.KeyLen {
				t.Errorf("%s: match %+v is not %d bytes", tt.name, m, rules.KeyLen)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: keys at %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFindKind(t *testing.T) {
	t.Parallel()
	in := rulestest.Key(rules.Test, 3) + " " + rulestest.Key(rules.Live, 4)
	ms := new(rules.Matcher).Find([]byte(in))
	if len(ms) != 2 || ms[0].Kind != rules.Test || ms[1].Kind != rules.Live {
		t.Fatalf("got %+v, want a test key then a live key", ms)
	}
	if ms[0].Kind.Rule() != rules.TestKey || ms[1].Kind.Rule() != rules.LiveKey {
		t.Errorf("rules: %s, %s", ms[0].Kind.Rule(), ms[1].Kind.Rule())
	}
}

func TestMinEntropy(t *testing.T) {
	t.Parallel()
	// Six distinct characters, shuffled so that no run or period applies:
	// entropy about 2.56 bits, below the default and above 2.5.
	low := "sk_live_" + "q3Zq9kq3Z9k7q3kZ97kq3Z9kq73Zk9q3Zkq97Z3kq9"
	tests := []struct {
		min  float64
		want int
	}{
		{0, 0},   // default 4.0
		{4.0, 0}, // explicit
		{2.5, 1}, // lowered
		{-1, 1},  // off
		{5.5, 0}, // above any 42-char body
	}
	for _, tt := range tests {
		m := rules.Matcher{MinEntropy: tt.min}
		if got := len(m.Find([]byte(low))); got != tt.want {
			t.Errorf("MinEntropy %v: %d keys, want %d", tt.min, got, tt.want)
		}
	}
}

func TestFindInWindows(t *testing.T) {
	t.Parallel()
	// Every key is reported exactly once whatever the window size, when
	// windows follow FindIn's contract (the way the scanner reads files).
	var src []byte
	var want []int
	for i := range 200 {
		src = append(src, strings.Repeat("x = ", i%7)...)
		switch i % 5 {
		case 0:
			src = append(src, `\n`...)
		case 1:
			src = append(src, "%3D"...)
		case 2:
			src = append(src, "\x1b[32m"...)
		}
		want = append(want, len(src))
		src = append(src, rulestest.Key(rules.Kind(1+i%2), uint64(i))...)
		if i%3 == 0 { // a near miss right after: a 43-char body
			src = append(src, " x"+rulestest.Key(rules.Live, 1000)...)
		}
		src = append(src, '\n')
	}
	for _, size := range []int{rules.Overlap + 1, rules.Overlap + 7, 100, 257, 4096, len(src)} {
		var got []int
		var m rules.Matcher
		for base := 0; ; {
			win := src[base:min(len(src), base+size)]
			final := base+len(win) == len(src)
			lo, hi := rules.Context, len(win)-rules.KeyLen
			if base == 0 {
				lo = 0
			}
			if final {
				hi = len(win)
			}
			for _, mt := range m.FindIn(nil, win, lo, hi) {
				got = append(got, base+mt.Start)
			}
			if final {
				break
			}
			base += hi - rules.Context
		}
		if !slices.Equal(got, want) {
			t.Errorf("window %d: %d keys, want %d", size, len(got), len(want))
		}
	}
}

func TestIsKey(t *testing.T) {
	t.Parallel()
	k := rulestest.Key(rules.Live, 9)
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{k, true},
		{rulestest.Key(rules.Test, 9), true},
		{"sk_live_" + strings.Repeat("a", 42), true}, // a placeholder, but well-formed
		{k[:49], false},
		{k + "a", false},
		{" " + k[1:], false},
		{"sk_live_" + k[8:49] + "-", false},
		{"", false},
	} {
		if got := rules.IsKey([]byte(tt.in)); got != tt.want {
			t.Errorf("IsKey(%s) = %v, want %v", rules.Redact([]byte(tt.in)), got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	k := rulestest.Key(rules.Live, 5)
	if got, want := rules.Redact([]byte(k)), "sk_live_…"+k[46:]; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	if got := rules.Redact([]byte(k[:40])); strings.Contains(got, k[8:40]) {
		t.Errorf("Redact of a malformed key shows its body: %q", got)
	}
	if got := rules.Redact([]byte("short")); got != "…" {
		t.Errorf("Redact(short) = %q", got)
	}
}

func TestRedactText(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 11), rulestest.Key(rules.Test, 12)
	red := func(k string) string { return rules.Redact([]byte(k)) }
	flat := "sk_live_" + strings.Repeat("a", rules.BodyLen) // a placeholder to the matcher, a key to the eye
	tests := []struct{ name, in, want string }{
		{"no key", "var x = 1\n", "var x = 1\n"},
		{"key alone", live, red(live)},
		{"source line", `var k = "` + live + `" // x`, `var k = "` + red(live) + `" // x`},
		{"glued to letters", "x" + live + "y", "x" + red(live) + "y"},
		{"test key", "-\t" + test, "-\t" + red(test)},
		{"placeholder shape", flat, red(flat)},
		{"two keys, no gap", live + test, red(live) + red(test)},
		{"keys on two lines", live + "\n+" + test + "\n", red(live) + "\n+" + red(test) + "\n"},
		{"prefix before a key", "sk_live_" + live, "sk_live_" + red(live)},
		{"43-char body", live + "Z", red(live) + "Z"},
		{"41-char body", live[:49], live[:49]},
		{"Stripe length", live[:32], live[:32]},
		{"capital prefix", "SK_LIVE_" + live[8:], "SK_LIVE_" + live[8:]},
		{"sk_ at the end", "x sk_", "x sk_"},
	}
	for _, tt := range tests {
		if got := rules.RedactText(tt.in); got != tt.want {
			// Show what was left of each key, never a key.
			hide := strings.NewReplacer(live, "<live key>", test, "<test key>", flat, "<flat key>")
			t.Errorf("%s: RedactText = %q, want %q", tt.name, hide.Replace(got), hide.Replace(tt.want))
		}
	}
}

// TestRedactTextAllocs is not parallel: AllocsPerRun counts the allocations
// of the whole process.
func TestRedactTextAllocs(t *testing.T) {
	line := strings.Repeat("no key here, ", 100)
	if n := testing.AllocsPerRun(10, func() { rules.RedactText(line) }); n != 0 {
		t.Errorf("RedactText of text without sk_ allocates %v times", n)
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	a, b := []byte(rulestest.Key(rules.Live, 1)), []byte(rulestest.Key(rules.Live, 2))
	fa := rules.Fingerprint(a)
	if !strings.HasPrefix(fa, "sha256:") || len(fa) != len("sha256:")+64 {
		t.Fatalf("Fingerprint = %q", fa)
	}
	if fa != rules.Fingerprint(append([]byte(nil), a...)) || fa == rules.Fingerprint(b) {
		t.Error("Fingerprint is not a stable, distinct function of the key")
	}
	// The known SHA-256 of a fixed input, so the format never drifts.
	if got := rules.Fingerprint([]byte("abc")); got != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Fingerprint(abc) = %s", got)
	}
}

func TestRulestestKey(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for seed := range uint64(2000) {
		for _, kind := range []rules.Kind{rules.Live, rules.Test} {
			k := rulestest.Key(kind, seed)
			if k != rulestest.Key(kind, seed) {
				t.Fatal("Key is not deterministic")
			}
			if seen[k] {
				t.Fatalf("seed %d repeats a key", seed)
			}
			seen[k] = true
			ms := new(rules.Matcher).Find([]byte(k))
			if len(ms) != 1 || ms[0].Kind != kind {
				t.Fatalf("Key(%v, %d) = %s is not found as one %v key", kind, seed, rules.Redact([]byte(k)), kind)
			}
		}
	}
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s, floor rules.Severity
		want     bool
	}{
		{rules.Error, rules.Error, true},
		{rules.Warning, rules.Error, false},
		{rules.Error, rules.Warning, true},
		{rules.Warning, rules.Warning, true},
	} {
		if got := tt.s.AtLeast(tt.floor); got != tt.want {
			t.Errorf("%s.AtLeast(%s) = %v", tt.s, tt.floor, got)
		}
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	ids := map[rules.RuleID]bool{}
	for _, r := range rules.Rules() {
		if ids[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		ids[r.ID] = true
		if r.Name == "" || r.Summary == "" || r.Description == "" || r.Help == "" || r.SecuritySeverity == "" {
			t.Errorf("rule %s lacks a description", r.ID)
		}
		if got, ok := rules.Lookup(r.ID); !ok || got.ID != r.ID {
			t.Errorf("Lookup(%s) = %v, %v", r.ID, got.ID, ok)
		}
	}
	for _, id := range []rules.RuleID{rules.LiveKey, rules.TestKey, rules.EnvFileTracked, rules.EnvNotIgnored, rules.KeyClientExposed, rules.KeyReused} {
		if !ids[id] {
			t.Errorf("rule %s missing", id)
		}
	}
	if _, ok := rules.Lookup("nope"); ok {
		t.Error("Lookup of an unknown rule succeeded")
	}
}

func TestEnvFiles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path                 string
		env, example, secret bool
	}{
		{".env", true, false, true},
		{"app/.env", true, false, true},
		{".env.local", true, false, true},
		{"deploy/.env.production", true, false, true},
		{".env.example", true, true, false},
		{".env.sample", true, true, false},
		{".env.template", true, true, false},
		{".env.local.example", true, true, false},
		{".envrc", false, false, false},
		{"env", false, false, false},
		{"prod.env", false, false, false},
		{"x/.env/y", false, false, false},
		{"config.example", false, false, false},
	} {
		if got := rules.IsEnvFile(tt.path); got != tt.env {
			t.Errorf("IsEnvFile(%q) = %v", tt.path, got)
		}
		if got := rules.IsEnvExample(tt.path); got != tt.example {
			t.Errorf("IsEnvExample(%q) = %v", tt.path, got)
		}
		if got := rules.IsSecretEnvFile(tt.path); got != tt.secret {
			t.Errorf("IsSecretEnvFile(%q) = %v", tt.path, got)
		}
	}
}
