package content

import (
	"bytes"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// BenchmarkStreamGoSource measures the stream on key-free real source (the
// Go distribution's .go files, 64 MB), read through its buffer as files
// are, without decoding (depth 0) and with the default depth (1), so that
// what looking for encoded keys costs shows side by side.
func BenchmarkStreamGoSource(b *testing.B) {
	src := rulestest.GoSource(b, 64<<20)
	for _, bm := range []struct {
		name  string
		depth int
	}{{"plain", 0}, {"decode", 1}} {
		b.Run(bm.name, func(b *testing.B) {
			st := newStream(new(rules.Matcher), bm.depth, DefaultChunk)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.scan(bytes.NewReader(src), false, func(Hit) error {
					b.Fatal("a key in the Go source")
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
