package scanner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// worktree is the git work tree that holds a directory.
type worktree struct {
	root      string // the work tree's top directory
	gitDir    string // its git directory: HEAD and the index
	commonDir string // the git directory holding config, info/exclude and objects

	trackedOnce sync.Once
	tracked     *trackedSet // nil when the index cannot be read
	trackedErr  error
	warnOnce    sync.Once // about trackedErr
}

// trackedSet is what a work tree's index tracks: git's ignore rules apply
// only to untracked files, so a tracked file is scanned whatever
// .gitignore says, and so is a directory that holds one.
type trackedSet struct {
	files  map[string]bool // paths from the top of the work tree
	dirs   map[string]bool // every directory above a tracked file
	sparse map[string]bool // a sparse index's directory entries: all below is tracked
}

// trackedFiles returns the work tree's tracked paths, reading its index
// once. It returns nil and the error when the index cannot be read: the
// caller must then treat any path as possibly tracked.
func (wt *worktree) trackedFiles() (*trackedSet, error) {
	wt.trackedOnce.Do(func() {
		idx, err := readIndex(filepath.Join(wt.gitDir, "index"))
		if err != nil {
			wt.trackedErr = err
			return
		}
		ts := &trackedSet{files: make(map[string]bool, len(idx.entries)), dirs: map[string]bool{}, sparse: map[string]bool{}}
		for _, e := range idx.entries {
			p := strings.TrimSuffix(e.path, "/")
			if e.sparseDir() {
				ts.sparse[p] = true
			} else {
				ts.files[p] = true
			}
			for d := path.Dir(p); d != "." && !ts.dirs[d]; d = path.Dir(d) {
				ts.dirs[d] = true
			}
		}
		wt.tracked = ts
	})
	return wt.tracked, wt.trackedErr
}

// holds reports whether p (from the top of the work tree) is tracked: a
// tracked file, a directory with a tracked file below it, or anything at
// or below a sparse index's directory entry.
func (ts *trackedSet) holds(p string, dir bool) bool {
	if dir && ts.dirs[p] || !dir && ts.files[p] {
		return true
	}
	for d := p; d != "."; d = path.Dir(d) {
		if ts.sparse[d] {
			return true
		}
	}
	return false
}

// findWorktree returns the work tree that holds dir, looking for .git in
// dir and its parents, as git does.
func findWorktree(dir string) (*worktree, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false
	}
	for d := abs; ; {
		if wt, ok := openWorktree(d); ok {
			return wt, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, false
		}
		d = parent
	}
}

// openWorktree returns the work tree whose top directory is dir, if dir
// holds a .git directory, or a .git file (a linked worktree or a
// submodule) pointing at one.
func openWorktree(dir string) (*worktree, bool) {
	gitDir, commonDir, ok, err := gitDirsAt(dir)
	if !ok || err != nil {
		return nil, false
	}
	return &worktree{root: dir, gitDir: gitDir, commonDir: commonDir}, true
}

// gitDirsAt returns the git directories of the work tree whose top is dir:
// gitDir is dir/.git, or the directory that a .git file (a linked
// worktree's or a submodule's) names; commonDir is the one its commondir
// file names (a linked worktree's main repository), else gitDir. ok is
// false when dir holds no .git; err says why a .git file cannot be
// followed.
func gitDirsAt(dir string) (gitDir, commonDir string, ok bool, err error) {
	dotGit := filepath.Join(dir, ".git")
	fi, err := os.Stat(dotGit)
	if err != nil {
		return "", "", false, nil
	}
	gitDir = dotGit
	if !fi.IsDir() {
		b, err := os.ReadFile(dotGit)
		if err != nil {
			return "", "", true, err
		}
		line, found := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
		if !found {
			return "", "", true, fmt.Errorf("%s holds no gitdir: line", dotGit)
		}
		gitDir = strings.TrimSpace(line)
		if !filepath.IsAbs(gitDir) {
			gitDir = filepath.Join(dir, gitDir)
		}
	}
	commonDir = gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		commonDir = strings.TrimSpace(string(b))
		if !filepath.IsAbs(commonDir) {
			commonDir = filepath.Join(gitDir, commonDir)
		}
	}
	return gitDir, commonDir, true, nil
}

// sha1Only says whether the repository whose common directory is
// commonDir names its objects with SHA-1, the only hash that go-git and
// the scanner's own index and pack readers know. A repository made with
// git init --object-format=sha256 is an error that says so, rather than
// the reader's confusion at 32-byte names.
func sha1Only(commonDir string) error {
	b, err := os.ReadFile(filepath.Join(commonDir, "config"))
	if err != nil {
		return nil // no config: git's defaults, SHA-1
	}
	cfg := gitconfig.New()
	if gitconfig.NewDecoder(bytes.NewReader(b)).Decode(cfg) != nil {
		return nil
	}
	if f := cfg.Section("extensions").Options.Get("objectformat"); f != "" && !strings.EqualFold(f, "sha1") {
		return fmt.Errorf("%s is a %s repository (extensions.objectFormat): clarolint reads SHA-1 repositories only", commonDir, f)
	}
	return nil
}

// isBareGitDir reports whether dir looks like a git directory, as git's
// own discovery decides (a HEAD file and objects and refs directories):
// where no work tree holds it, a bare repository.
func isBareGitDir(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// localPatterns returns the ignore patterns that protect only this clone:
// the global excludes file and .git/info/exclude, lowest priority first.
func (wt *worktree) localPatterns() ([]gitignore.Pattern, error) {
	var ps []gitignore.Pattern
	var errs []error
	if f := excludesFile(wt.commonDir); f != "" {
		p, err := readIgnoreFile(f, nil)
		ps = append(ps, p...)
		errs = append(errs, err)
	}
	p, err := readIgnoreFile(filepath.Join(wt.commonDir, "info", "exclude"), nil)
	ps = append(ps, p...)
	errs = append(errs, err)
	return ps, errors.Join(errs...)
}

// excludesFile returns git's core.excludesFile for a repository: from its
// own config, else the user's, else the system's, else the default
// $XDG_CONFIG_HOME/git/ignore.
func excludesFile(commonDir string) string {
	if f := gitConfig(commonDir, "excludesfile"); f != "" {
		return f
	}
	if xdg := xdgConfigHome(); xdg != "" {
		return filepath.Join(xdg, "git", "ignore")
	}
	return ""
}

// gitConfig returns the value of core.<key> (key in lower case) that git
// would use for the repository whose git directory is commonDir: its own
// config, else the user's ~/.gitconfig or $XDG_CONFIG_HOME/git/config, else
// /etc/gitconfig. A leading ~/ is expanded. Unreadable or malformed files
// are passed over, as git would refuse them anyway.
func gitConfig(commonDir, key string) string {
	home, _ := os.UserHomeDir()
	configs := []string{filepath.Join(commonDir, "config")}
	if home != "" {
		configs = append(configs, filepath.Join(home, ".gitconfig"))
	}
	if xdg := xdgConfigHome(); xdg != "" {
		configs = append(configs, filepath.Join(xdg, "git", "config"))
	}
	configs = append(configs, "/etc/gitconfig")
	for _, c := range configs {
		b, err := os.ReadFile(c)
		if err != nil {
			continue
		}
		cfg := gitconfig.New()
		if gitconfig.NewDecoder(bytes.NewReader(b)).Decode(cfg) != nil {
			continue
		}
		if v := cfg.Section("core").Options.Get(key); v != "" {
			if rest, ok := strings.CutPrefix(v, "~/"); ok && home != "" {
				v = filepath.Join(home, rest)
			}
			return v
		}
	}
	return ""
}

// xdgConfigHome returns $XDG_CONFIG_HOME, or ~/.config.
func xdgConfigHome() string {
	if xdg := os.Getenv("XDG_CONFIG_HOME"); xdg != "" {
		return xdg
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config")
	}
	return ""
}

// readIgnoreFile parses a gitignore-format file whose patterns apply below
// domain (path components from the work tree's top). A missing file has
// no patterns and is no error.
func readIgnoreFile(path string, domain []string) ([]gitignore.Pattern, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20) // a pattern longer than 1 MiB is not a pattern
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps, sc.Err()
}

// splitPath turns a slash-separated relative path into its components;
// "." and "" give none.
func splitPath(rel string) []string {
	if rel == "" || rel == "." {
		return nil
	}
	return strings.Split(rel, "/")
}
