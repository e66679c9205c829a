package gitrepo

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	odbobject "github.com/clarolint/clarolint/internal/odb/object"
)

// Rules are gitignore patterns in force, lowest priority first, as git
// reads them. The zero value ignores nothing. Rules are never modified:
// With returns new Rules, so a walk may share them between directories.
type Rules struct {
	patterns []gitignore.Pattern
}

// With returns r followed by more, which take precedence.
func (r Rules) With(more Rules) Rules {
	if len(more.patterns) == 0 {
		return r
	}
	return Rules{append(r.patterns[:len(r.patterns):len(r.patterns)], more.patterns...)}
}

// Empty reports whether r holds no pattern.
func (r Rules) Empty() bool { return len(r.patterns) == 0 }

// Matcher returns a matcher of r, for the many entries of one directory.
func (r Rules) Matcher() Matcher { return Matcher{gitignore.NewMatcher(r.patterns)} }

// Matcher decides paths against Rules.
type Matcher struct{ m gitignore.Matcher }

// Match reports whether the path parts (components from the top of the
// work tree) are ignored by the last pattern that decides them, the way git
// decides an entry of a directory it reads: it does not look at the
// directories above.
func (m Matcher) Match(parts []string, dir bool) bool { return m.m.Match(parts, dir) }

// Ignores reports whether the path parts, or a directory above them, is
// ignored: git never looks inside an ignored directory, so a later
// !pattern cannot bring back a file in it.
func (m Matcher) Ignores(parts []string, dir bool) bool {
	for i := 1; i < len(parts); i++ {
		if m.m.Match(parts[:i], true) {
			return true
		}
	}
	return m.m.Match(parts, dir)
}

// ReadIgnore reads the gitignore-format file at path, whose patterns apply
// below domain (path components from the top of the work tree). A missing
// file has no patterns and is no error.
func ReadIgnore(path string, domain []string) (Rules, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Rules{}, nil
	}
	if err != nil {
		return Rules{}, err
	}
	defer f.Close()
	return parseIgnore(f, domain)
}

// ParseIgnore parses the lines of a gitignore-format file (a blob, say)
// whose patterns apply below domain, as ReadIgnore reads one on disk.
func ParseIgnore(b []byte, domain []string) Rules {
	r, _ := parseIgnore(bytes.NewReader(b), domain) // a bytes.Reader does not fail
	return r
}

func parseIgnore(r io.Reader, domain []string) (Rules, error) {
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20) // a pattern longer than 1 MiB is not a pattern
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return Rules{ps}, sc.Err()
}

// LocalRules returns the ignore rules that protect only this clone: the
// global excludes file and info/exclude, lowest priority first. A file
// that cannot be read is an error, and the rules of the others are still
// returned.
func (r *Repo) LocalRules() (Rules, error) {
	var rules Rules
	var errs []error
	if f := r.ExcludesFile(); f != "" {
		rs, err := ReadIgnore(f, nil)
		rules, errs = rules.With(rs), append(errs, err)
	}
	rs, err := ReadIgnore(filepath.Join(r.CommonDir, "info", "exclude"), nil)
	return rules.With(rs), errors.Join(append(errs, err)...)
}

// PathOf returns p, a path in the file system, as the components of a
// path from the top of r's work tree; false when p cannot be expressed
// from there.
func (r *Repo) PathOf(p string) ([]string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, false
	}
	rel, err := filepath.Rel(r.Top, abs)
	if err != nil {
		return nil, false
	}
	return SplitPath(filepath.ToSlash(rel)), true
}

// SplitPath turns a slash-separated relative path into its components;
// "." and "" give none.
func SplitPath(rel string) []string {
	if rel == "" || rel == "." {
		return nil
	}
	return strings.Split(rel, "/")
}

// CommittedRules returns the rules of the .gitignore files in idx, as the
// next commit will hold them, parents before children so that deeper
// files take precedence; during a conflicted merge our side (stage 2)
// counts. A .gitignore whose blob cannot be read is passed to broken, and
// left out.
func (r *Repo) CommittedRules(idx *Index, broken func(path string, err error)) Rules {
	type file struct {
		dir  []string
		hash plumbing.Hash
	}
	var files []file
	for _, e := range idx.Entries {
		if path.Base(e.Path) != ".gitignore" || (e.Stage != 0 && e.Stage != 2) || e.IntentToAdd || !odbobject.IsBlob(e.Mode) {
			continue
		}
		files = append(files, file{SplitPath(path.Dir(e.Path)), e.Hash})
	}
	slices.SortStableFunc(files, func(a, b file) int { return len(a.dir) - len(b.dir) })
	var rules Rules
	for _, f := range files {
		b, err := r.ReadObject(f.hash, plumbing.BlobObject)
		if err != nil {
			broken(path.Join(path.Join(f.dir...), ".gitignore"), err)
			continue
		}
		rules = rules.With(ParseIgnore(b, f.dir))
	}
	return rules
}
