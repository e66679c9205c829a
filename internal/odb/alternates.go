package odb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
		alt, err := unquoteC(line)
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

// SplitAlternates splits the value of GIT_ALTERNATE_OBJECT_DIRECTORIES
// (or a pre-receive hook's quarantine list) into directories as git
// does: entries are separated by ':', and an entry that starts with a
// double quote is C-quoted, so that it can hold a ':' or a newline.
// Empty entries are dropped.
func SplitAlternates(s string) ([]string, error) {
	var dirs []string
	for s != "" {
		var entry string
		if s[0] == '"' {
			end := quotedEnd(s)
			if end < 0 {
				return nil, fmt.Errorf("split alternates: unterminated quote in %q", s)
			}
			unq, err := unquoteC(s[:end])
			if err != nil {
				return nil, fmt.Errorf("split alternates: %w", err)
			}
			entry, s = unq, s[end:]
			s = strings.TrimPrefix(s, ":")
		} else {
			entry, s, _ = strings.Cut(s, ":")
		}
		if entry != "" {
			dirs = append(dirs, entry)
		}
	}
	return dirs, nil
}

// quotedEnd returns the index just past the closing quote of the
// C-quoted string at the start of s, or -1.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// unquoteC undoes git's C-style quoting (quote.c's unquote_c_style) of
// a string that starts with a double quote; other strings are returned
// as they are.
func unquoteC(s string) (string, error) {
	if s == "" || s[0] != '"' {
		return s, nil
	}
	if len(s) < 2 || s[len(s)-1] != '"' {
		return "", fmt.Errorf("bad quoted name %q", s)
	}
	in := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(in) {
			return "", fmt.Errorf("bad quoted name %q", s)
		}
		if esc := strings.IndexByte(`abtnvfr"\`, in[i]); esc >= 0 {
			b.WriteByte("\a\b\t\n\v\f\r\"\\"[esc])
			continue
		}
		if i+3 > len(in) || !isOctal(in[i]) || in[i] > '3' || !isOctal(in[i+1]) || !isOctal(in[i+2]) {
			return "", fmt.Errorf("bad quoted name %q", s)
		}
		b.WriteByte((in[i]-'0')<<6 | (in[i+1]-'0')<<3 | (in[i+2] - '0'))
		i += 2
	}
	return b.String(), nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
