// Package cquote reads git's C-style quoting (quote.c), as git writes
// it in objects/info/alternates and GIT_ALTERNATE_OBJECT_DIRECTORIES for
// names that hold a quote, a backslash, a control character or a ':'.
package cquote

import (
	"fmt"
	"strings"
)

// SplitList splits the value of GIT_ALTERNATE_OBJECT_DIRECTORIES
// (or a pre-receive hook's quarantine list) into directories as git
// does: entries are separated by ':', and an entry that starts with a
// double quote is C-quoted, so that it can hold a ':' or a newline.
// Empty entries are dropped.
func SplitList(s string) ([]string, error) {
	var dirs []string
	for s != "" {
		var entry string
		if s[0] == '"' {
			end := quotedEnd(s)
			if end < 0 {
				return nil, fmt.Errorf("split list: unterminated quote in %q", s)
			}
			unq, err := Unquote(s[:end])
			if err != nil {
				return nil, fmt.Errorf("split list: %w", err)
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

// Unquote undoes git's C-style quoting (quote.c's unquote_c_style) of
// a string that starts with a double quote; other strings are returned
// as they are.
func Unquote(s string) (string, error) {
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
