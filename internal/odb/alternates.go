package odb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clarolint/clarolint/internal/cquote"
)

// maxAlternateDepth bounds the chain of alternates followed, as git's
// own limit of 5 does: a loop of alternates would otherwise never end.
const maxAlternateDepth = 5

// withAlternates returns dir and the object directories its
// info/alternates names, recursively, as git reads them: one directory a
// line, relative ones from dir, '#' comments, and C-quoted lines for
// names git had to quote. A directory already in seen is not repeated.
// An alternate that does not exist is left out, as git leaves it out
// with a warning: the objects that only it held are reported missing
// when they are read.
func withAlternates(dir string, depth int, seen map[string]bool) ([]string, error) {
	dir = filepath.Clean(dir)
	if seen[dir] {
		return nil, nil
	}
	seen[dir] = true
	out := []string{dir}
	if depth > maxAlternateDepth {
		return out, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read alternates of %s: %w", dir, err)
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		alt, err := cquote.Unquote(line)
		if err != nil {
			return nil, fmt.Errorf("read alternates of %s: %w", dir, err)
		}
		if !filepath.IsAbs(alt) {
			alt = filepath.Join(dir, alt)
		}
		if fi, err := os.Stat(alt); err != nil || !fi.IsDir() {
			continue
		}
		more, err := withAlternates(alt, depth+1, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
