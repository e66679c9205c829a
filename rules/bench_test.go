package rules_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// goSource returns up to limit bytes of the Go distribution's own .go
// files, concatenated: real source text with no key in it.
func goSource(b *testing.B, limit int) []byte {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("go env GOROOT: %v", err)
	}
	var src []byte
	root := filepath.Join(strings.TrimSpace(string(out)), "src")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(src) >= limit {
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
		b.Skip("no Go source found under " + root)
	}
	return src
}

// BenchmarkFindGoSource measures the matcher on key-free real source: the
// prefilter's speed. It must not allocate.
func BenchmarkFindGoSource(b *testing.B) {
	src := goSource(b, 64<<20)
	if n := len(new(rules.Matcher).Find(src)); n != 0 {
		b.Fatalf("the Go source holds %d keys", n)
	}
	var m rules.Matcher
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		m.Find(src)
	}
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
