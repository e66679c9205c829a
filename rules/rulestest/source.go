package rulestest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// GoSource returns up to limit bytes of the Go distribution's own .go
// files, concatenated: real source text with no key in it, for
// benchmarks. Without the go command or the source, b is skipped.
func GoSource(b testing.TB, limit int) []byte {
	b.Helper()
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
