package rules_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// BenchmarkFindGoSource measures the matcher on key-free real source: the
// prefilter's speed. It must not allocate.
func BenchmarkFindGoSource(b *testing.B) {
	src := rulestest.GoSource(b, 64<<20)
	if n := len(new(rules.Matcher).Find(src)); n != 0 {
		b.Fatalf("the Go source holds %d keys", n)
	}
	var m rules.Matcher
	// memory: the 64 MB once through, as from main memory. window: the
	// same source a 256 KiB window at a time, each searched as the
	// scanner does after read() has just put it in the cache.
	b.Run("memory", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			m.Find(src)
		}
	})
	b.Run("window", func(b *testing.B) {
		const window = 256 << 10
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			for off := 0; off < len(src); off += window {
				w := src[off:min(off+window, len(src))]
				b.StopTimer()
				runtime.KeepAlive(warm(w))
				b.StartTimer()
				m.Find(w)
			}
		}
	})
}

// warm reads every cache line of b, as read() writing it does.
func warm(b []byte) byte {
	var x byte
	for i := 0; i < len(b); i += 64 {
		x ^= b[i]
	}
	return x
}

// BenchmarkFindNearMisses measures text dense with prefixes that are not keys.
func BenchmarkFindNearMisses(b *testing.B) {
	src := bytes.Repeat([]byte("key := \"sk_live_\" + os.Getenv(\"CLARO_SUFFIX\")\n"), 1<<12)
	var m rules.Matcher
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		m.Find(src)
	}
}

// BenchmarkFindKeys measures text with a key on every line: the validator
// and the placeholder checks.
func BenchmarkFindKeys(b *testing.B) {
	var src []byte
	for i := range 1 << 10 {
		src = append(src, "CLARO_KEY="+rulestest.Key(rules.Live, uint64(i))+"\n"...)
	}
	var m rules.Matcher
	dst := make([]rules.Match, 0, 1<<10)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		dst = m.FindIn(dst[:0], src, 0, len(src))
	}
}

// BenchmarkEncodedGoSource measures what looking for encoded keys adds to
// the plain search on key-free real source, the way the scanner reads it:
// 256 KiB windows, searched with FindIn (plain) or, as the scanner does
// when it decodes, with FindAll at depth 1 (decode). Go source is hard on
// the run search: base64 test vectors, hex digests and escaped strings
// make long runs that it must look into.
func BenchmarkEncodedGoSource(b *testing.B) {
	src := rulestest.GoSource(b, 64<<20)
	const window = 256 << 10
	for _, bm := range []struct {
		name  string
		depth int
	}{{"plain", 0}, {"decode", 1}} {
		b.Run(bm.name, func(b *testing.B) {
			var m rules.Matcher
			var ms []rules.Match
			var es []rules.Encoded
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				for w := 0; w < len(src); w += window {
					win := src[w:min(len(src), w+window)]
					ms, es = m.FindAll(ms[:0], es[:0], win, 0, len(win), bm.depth)
					if len(ms)+len(es) > 0 {
						b.Fatalf("a key in the Go source")
					}
				}
			}
		})
	}
}
