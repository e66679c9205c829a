package rules_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func checkIndexRun(t *testing.T, b []byte) {
	t.Helper()
	for _, all := range []bool{true, false} {
		s, e, h := rules.IndexRun(b, all)
		ws, we, wh := rules.IndexRunGeneric(b, all)
		if s != ws || e != we || h != wh {
			t.Fatalf("all %v: indexRun = %d, %d, %b; generic = %d, %d, %b (len %d)", all, s, e, h, ws, we, wh, len(b))
		}
	}
}

func TestIndexRunGeneric(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A", rules.MinRun)
	for _, tt := range []struct {
		name, in   string
		start, end int
	}{
		{"empty", "", -1, -1},
		{"one byte short", long[1:], -1, -1},
		{"exactly long enough", long, 0, rules.MinRun},
		{"between spaces", "  " + long + "  ", 2, 2 + rules.MinRun},
		{"every encoded byte", " %\\+/-_=09AZaz~" + long, 1, 15 + rules.MinRun},
		{"a short run first", "x" + long[2:] + " " + long + "!", rules.MinRun, 2 * rules.MinRun},
		{"quote breaks it", long[:30] + `"` + long[:30], -1, -1},
		{"non-ASCII breaks it", long[:30] + "é" + long[:30], -1, -1},
		{"$ breaks it", long[:30] + "$" + long[:30], -1, -1},
	} {
		if s, e, _ := rules.IndexRunGeneric([]byte(tt.in), true); s != tt.start || e != tt.end {
			t.Errorf("%s: run %d, %d; want %d, %d", tt.name, s, e, tt.start, tt.end)
		}
	}
	// Unless all, only runs that hold an escape or a base64 prefix, and
	// what they hold.
	for _, tt := range []struct {
		name, in   string
		start, end int
		holds      uint8
	}{
		{"nothing", long, -1, -1, 0},
		{"a percent", "%" + long, 0, 1 + rules.MinRun, rules.HoldsPercent},
		{"a JSON escape", `\u` + long, 0, 2 + rules.MinRun, rules.HoldsJSON},
		{"another escape", `\n` + long, -1, -1, 0},
		{"c2t", long[:20] + "c2tf" + long, 0, 4 + 20 + rules.MinRun, rules.HoldsBase64},
		{"NrX", long[:20] + "NrX" + long, 0, 3 + 20 + rules.MinRun, rules.HoldsBase64},
		{"za1", long + "za19", 0, 4 + rules.MinRun, rules.HoldsBase64},
		{"all three", "%" + long + "c2t" + `\u0`, 0, 7 + rules.MinRun, rules.HoldsPercent | rules.HoldsJSON | rules.HoldsBase64},
		{"a key's pair", `"sk_live_` + long, 1, 9 + rules.MinRun, rules.HoldsKey},
		{"a key's pair at the end", long + "sk_live_", 0, 8 + rules.MinRun, rules.HoldsKey},
		{"k without _", long + "sk-live-x", -1, -1, 0},
		{"too near the end", long + `%\`, -1, -1, 0},
		{"a run without, then one with", long + " " + long + "%5F", rules.MinRun + 1, 2*rules.MinRun + 4, rules.HoldsPercent},
		{"only a short run has one", "%5F " + long, -1, -1, 0},
		{"near misses", long + "c2x Nrx zb1 2t za", -1, -1, 0},
	} {
		if s, e, h := rules.IndexRunGeneric([]byte(tt.in), false); s != tt.start || e != tt.end || h != tt.holds {
			t.Errorf("%s: run %d, %d, %b; want %d, %d, %b", tt.name, s, e, h, tt.start, tt.end, tt.holds)
		}
	}
}

// TestIndexRun puts runs around the shortest length at every offset of
// inputs up to a few windows long, alone, after a run one byte too short,
// and against either end, so that the window loop, the single last window
// and both directions of measuring, near an end and far from it, meet
// every case.
func TestIndexRun(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 200; n++ {
		b := bytes.Repeat([]byte{' '}, n)
		checkIndexRun(t, b)
		checkIndexRun(t, bytes.Repeat([]byte{'a'}, n))
		for _, l := range []int{rules.MinRun - 1, rules.MinRun, rules.MinRun + 1, 70, 100} {
			for p := 0; p+l <= n; p++ {
				c := bytes.Clone(b)
				copy(c[p:], bytes.Repeat([]byte{'Q'}, l))
				checkIndexRun(t, c)
				for _, at := range []int{p, p + 1, p + l/2, p + l - 2, p + l - 1} {
					d := bytes.Clone(c) // what runHolds looks for, at each place that matters
					for _, s := range []string{"%", `\u`, "c2t", "NrX", "za1", "sk_live_"} {
						copy(d[at:p+l], s)
						checkIndexRun(t, d)
					}
				}
				if p >= 3 {
					c[p-2] = '%' // a short run before it, ending one byte early
					checkIndexRun(t, c)
				}
				if p+l+8 <= n {
					d := bytes.Clone(c)
					copy(d[p+l+1:], "+/-_\\%=~") // continues after a break
					checkIndexRun(t, d)
				}
			}
		}
	}
}

// TestIndexRunLook puts each thing runHolds looks for at every offset of
// runs a little longer than the shortest, where the blocks the assembly
// looks at meet, with the run at either end of the input or inside it.
func TestIndexRunLook(t *testing.T) {
	t.Parallel()
	for l := rules.MinRun; l <= rules.MinRun+40; l++ {
		for _, around := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {17, 20}} {
			for _, s := range []string{"%", `\u`, "c2t", "NrX", "za1", "sk_live_"} {
				for at := 0; at+len(s) <= l; at++ {
					b := bytes.Repeat([]byte{' '}, around[0]+l+around[1])
					copy(b[around[0]:], bytes.Repeat([]byte{'Q'}, l))
					copy(b[around[0]+at:], s)
					checkIndexRun(t, b)
				}
			}
		}
	}
}

func FuzzIndexRun(f *testing.F) {
	f.Add([]byte(strings.Repeat("c2tfbGl2ZV8", 6)))
	f.Add([]byte(strings.Repeat("ab %5F", 30)))
	f.Add([]byte(strings.Repeat("QUFB", 14) + "c2tfbGl2ZV8" + strings.Repeat("QUFB", 14)))
	f.Fuzz(func(t *testing.T, b []byte) { checkIndexRun(t, b) })
}

// TestIndexRunRandom crosses the gate with its reference on longer text
// made of runs of every length, so that one search measures and skips
// many short runs before it finds a long one.
func TestIndexRunRandom(t *testing.T) {
	t.Parallel()
	state := uint64(7)
	next := func(n int) int {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return int(state % uint64(n))
	}
	breakers := []byte(" \n\"$\x00é")
	for range 2000 {
		var b []byte
		for range next(40) {
			b = append(b, bytes.Repeat([]byte{"aZ9+/"[next(5)]}, next(2*rules.MinRun))...)
			if next(4) == 0 {
				b = append(b, []string{"%", `\u`, "c2t", "NrX", "za1", "c2", `\`, "sk_test_", "k12345_"}[next(9)]...)
			}
			b = append(b, breakers[next(len(breakers))])
		}
		checkIndexRun(t, b)
		for len(b) > 0 { // and every suffix that starts a search after a run
			s, e, _ := rules.IndexRunGeneric(b, true)
			if s < 0 {
				break
			}
			b = b[e:]
			checkIndexRun(t, b)
		}
	}
}

// BenchmarkIndexRun compares the SSE2 run search with the portable one on
// 1 MiB of Go source, which has many short runs and some long ones, and
// with the pair search (FindIn's prefilter) on the same text.
func BenchmarkIndexRun(b *testing.B) {
	src := rulestest.GoSource(b, 1<<20)
	runs := func(f func([]byte, bool) (int, int, uint8)) func([]byte) {
		return func(s []byte) {
			for p := 0; ; {
				_, e, _ := f(s[p:], false)
				if e < 0 {
					return
				}
				p += e
			}
		}
	}
	pairs := func(s []byte) {
		for p := 0; ; p++ {
			j := rules.IndexPair(s[p:])
			if j < 0 {
				return
			}
			p += j
		}
	}
	for _, bm := range []struct {
		name string
		f    func([]byte)
	}{{"sse2", runs(rules.IndexRun)}, {"generic", runs(rules.IndexRunGeneric)}, {"pair", pairs}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				bm.f(src)
			}
		})
	}
}
