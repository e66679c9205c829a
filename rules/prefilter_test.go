package rules_test

import (
	"bytes"
	"testing"

	"github.com/clarolint/clarolint/rules"
)

// BenchmarkPrefilter compares the SSE2 pair search with the portable one on
// text where 'k' is common and the pair never occurs.
func BenchmarkPrefilter(b *testing.B) {
	src := bytes.Repeat([]byte("package main; func check(ok bool) { lock.Unlock(); break }\n"), 1<<14)
	for _, bm := range []struct {
		name string
		f    func([]byte) int
	}{{"sse2", rules.IndexPair}, {"generic", rules.IndexPairGeneric}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if bm.f(src) >= 0 {
					b.Fatal("found a pair in pair-free input")
				}
			}
		})
	}
}
