package content

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
)

// BenchmarkStreamGoSource measures the stream on key-free real source (the
// Go distribution's .go files, 64 MB), read through its buffer as files
// are, without decoding (depth 0) and with the default depth (1), so that
// what looking for encoded keys costs shows side by side.
func BenchmarkStreamGoSource(b *testing.B) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("go env GOROOT: %v", err)
	}
	var src []byte
	filepath.WalkDir(filepath.Join(strings.TrimSpace(string(out)), "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(src) >= 64<<20 {
			return filepath.SkipAll
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			if data, err := os.ReadFile(p); err == nil {
				src = append(src, data...)
			}
		}
		return nil
	})
	if len(src) == 0 {
		b.Skip("no Go source")
	}
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
