package rules_test

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// The reference matcher: a slow, obviously-correct restatement of the key
// format with regular expressions, written without sharing code with the fast
// matcher, so that the two can cross-check each other on arbitrary input.
var (
	refKey   = regexp.MustCompile(`\Ask_(live|test)_[A-Za-z0-9]{42}(?:[^A-Za-z0-9]|\z)`)
	refLeft  = regexp.MustCompile(`(?:[^A-Za-z0-9_]|\\[ntrbfv0]|%[0-9A-Fa-f]{2}|\\x[0-9A-Fa-f]{2}|\\[0-7]{3}|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|(?:\x1b|\\e|\\033|\\x1b|\\x1B|\\u001b|\\u001B)\[[0-9;]{0,16}m)\z`)
	refWords = []string{"your", "example", "xxxx", "dummy", "fake", "placeholder", "redacted", "changeme"}
)

func refFind(b []byte) []rules.Match {
	var out []rules.Match
	for s := 0; s+rules.KeyLen <= len(b); s++ {
		sub := refKey.FindSubmatch(b[s:])
		if sub == nil || (s > 0 && !refLeft.Match(b[:s])) || refPlaceholder(string(b[s+8:s+rules.KeyLen])) {
			continue
		}
		kind := rules.Live
		if string(sub[1]) == "test" {
			kind = rules.Test
		}
		out = append(out, rules.Match{Start: s, End: s + rules.KeyLen, Kind: kind})
		s += rules.KeyLen - 1
	}
	return out
}

func refPlaceholder(body string) bool {
	counts := map[rune]float64{}
	for _, r := range body {
		counts[r]++
	}
	h := 0.0
	for _, c := range counts {
		h -= c / 42 * math.Log2(c/42)
	}
	if h < 4.0 {
		return true
	}
	for i := 0; i+8 <= len(body); i++ {
		up, down := true, true
		for j := i + 1; j < i+8; j++ {
			up = up && body[j] > body[j-1]
			down = down && body[j] < body[j-1]
		}
		if up || down {
			return true
		}
	}
	for p := 1; p <= 8; p++ {
		if strings.Repeat(body[:p], 42/p+1)[:42] == body {
			return true
		}
	}
	lower := strings.ToLower(body)
	for _, w := range refWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// TestReferencePlaceholders pins each heuristic on bodies built for it.
func TestReferencePlaceholders(t *testing.T) {
	t.Parallel()
	random := "Xq3Lm9Tz2Rb7Kd4Wn8Pv1Hs6Jc0Fg5Yt3Ue2Ia9Oo1"
	for _, tt := range []struct {
		name, body string
		want       bool
	}{
		{"random", random, false},
		{"entropy", "aaaabbbbccccddddaaaabbbbccccddddaaaabbbbcc", true},
		{"run up", random[:30] + "3456789A" + random[38:], true},
		{"run down", "zyxwvuts" + random[8:], true},
		{"run of 7 only", "abcdefg0" + random[8:], false},
		{"period 8", strings.Repeat("Q1w2E3r4", 6)[:42], true},
		{"word", random[:20] + "dUmMy" + random[25:], true},
	} {
		if got := refPlaceholder(tt.body); got != tt.want {
			t.Errorf("reference %s: %v, want %v", tt.name, got, tt.want)
		}
		if got := rules.IsPlaceholder(new(rules.Matcher), []byte(tt.body)); got != tt.want {
			t.Errorf("fast %s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func checkAgainstReference(t *testing.T, b []byte) {
	t.Helper()
	var m rules.Matcher
	got, want := m.Find(b), refFind(b)
	if len(got) != len(want) {
		t.Fatalf("fast matcher found %d keys, reference %d (offsets %v vs %v)", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("key %d: fast %+v, reference %+v", i, got[i], want[i])
		}
	}
}

func FuzzFind(f *testing.F) {
	key := rulestest.Key(rules.Live, 1)
	for _, seed := range []string{
		key, "x" + key, key + "x", `\n` + key, "%3D" + key, "\x1b[0m" + key, `\u001b[1;31m` + key,
		"sk_live_sk_test_%3D", "sk_test_" + key[8:] + "_" + key, strings.Repeat("sk_", 40),
		"sk_live_" + strings.Repeat("a", 42), "", "k", "sk_live_" + key[8:49],
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m rules.Matcher
		for _, mt := range m.Find(b) {
			if mt.Start < 0 || mt.End > len(b) || !rules.IsKey(b[mt.Start:mt.End]) {
				t.Fatalf("Find returned %+v, not a well-formed key in range", mt) // offsets only
			}
		}
		checkAgainstReference(t, b)
		// The same input seen through a window must give the same keys.
		if len(b) > 0 {
			lo := len(b) / 3
			var inWin []rules.Match
			for _, mt := range m.Find(b) {
				if mt.Start >= lo {
					inWin = append(inWin, mt)
				}
			}
			if got := m.FindIn(nil, b, lo, len(b)); len(got) != len(inWin) {
				t.Fatalf("FindIn from %d: %d keys, Find: %d", lo, len(got), len(inWin))
			}
		}
	})
}

// TestReferenceRandom cross-checks on dense random input made of the bytes
// that matter, far more often than plain fuzzing would reach a key.
func TestReferenceRandom(t *testing.T) {
	t.Parallel()
	alphabet := []byte("sk_livetsk_test_aAzZ09%3D\\nux\x1b[m;\"_- ")
	key := []byte(rulestest.Key(rules.Test, 2))
	state := uint64(1)
	next := func(n int) int {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return int(state % uint64(n))
	}
	for range 3000 {
		var b []byte
		for range 1 + next(6) {
			for range next(12) {
				b = append(b, alphabet[next(len(alphabet))])
			}
			k := bytes.Clone(key)
			if next(3) == 0 {
				k[8+next(42)] = alphabet[next(len(alphabet))]
			}
			b = append(b, k[:rules.KeyLen-next(3)]...)
		}
		checkAgainstReference(t, b)
	}
}

func checkIndexPair(t *testing.T, b []byte) {
	t.Helper()
	if got, want := rules.IndexPair(b), rules.IndexPairGeneric(b); got != want {
		t.Fatalf("indexPair = %d, generic = %d (len %d)", got, want, len(b))
	}
}

func FuzzIndexPair(f *testing.F) {
	f.Add([]byte("sk_live_"))
	f.Add([]byte(strings.Repeat("k_____", 20)))
	f.Fuzz(func(t *testing.T, b []byte) { checkIndexPair(t, b) })
}

// TestIndexPair places the pair at every position of every length up to a
// few blocks, alone and after a false half-pair, so that the block loop,
// the overlapping tail and the scalar path each meet every offset.
func TestIndexPair(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 140; n++ {
		b := bytes.Repeat([]byte{'x'}, n)
		checkIndexPair(t, b)
		for p := 0; p+8 <= n; p++ {
			c := bytes.Clone(b)
			c[p+1], c[p+7] = 'k', '_'
			checkIndexPair(t, c)
			if p > 0 {
				c[p] = 'k' // a 'k' whose +6 is not '_'
				checkIndexPair(t, c)
			}
			d := bytes.Clone(b)
			d[p+1] = 'k' // half a pair never matches
			checkIndexPair(t, d)
		}
	}
}
