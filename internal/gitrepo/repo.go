package gitrepo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/clarolint/clarolint/internal/odb"
)

// Repo is a git repository: a work tree's, or a bare one. Its fields are
// set when it is opened and never change; what it reads lazily (the
// index's tracked paths, objects, go-git's view) is read once, so a Repo is
// safe for concurrent use. Close releases its files.
type Repo struct {
	// Top is the top directory of the work tree, "" for a bare repository.
	Top string
	// GitDir holds HEAD and the index (for a linked worktree, its own).
	GitDir string
	// CommonDir holds config, objects and shared refs: the main
	// repository's git directory for a linked worktree, else GitDir.
	CommonDir string

	// ObjectDirs are the object directories to read, in order, when they
	// are not the repository's own (a pre-receive hook's quarantine, then
	// the repository's); nil means CommonDir/objects. Each directory's
	// info/alternates is followed.
	ObjectDirs []string

	objectsOnce sync.Once
	objects     *odb.Store
	objectsErr  error

	trackedOnce sync.Once
	tracked     *Tracked
	trackedErr  error

	gogitOnce sync.Once
	gogit     *git.Repository
	gogitErr  error
}

// Root returns the top of the work tree, or the git directory of a bare
// repository: where a repository's own settings file is looked for.
func (r *Repo) Root() string {
	if r.Top != "" {
		return r.Top
	}
	return r.GitDir
}

// Find returns the repository holding path, looking in path and its
// parents as git does: a directory with a .git directory or file (a work
// tree, a linked worktree, a submodule checkout), or a bare repository's
// own directory. A path outside any repository is an error, and so is a
// repository whose objects are not named with SHA-1.
func Find(path string) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		r, ok, err := at(d, true)
		if err != nil {
			return nil, err
		}
		if ok {
			return r, r.CheckFormat()
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("%s is not in a git repository (nor is any parent directory)", path)
		}
	}
}

// FindWorkTree returns the work tree holding dir (dir or a parent holds
// .git), and false when there is none: a directory outside any
// repository, or in a bare one.
func FindWorkTree(dir string) (*Repo, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false
	}
	for d := abs; ; d = filepath.Dir(d) {
		if r, ok := OpenWorkTree(d); ok {
			return r, true
		}
		if filepath.Dir(d) == d {
			return nil, false
		}
	}
}

// OpenWorkTree returns the work tree whose top is dir, and false when dir
// holds no .git (or a .git file that cannot be followed).
func OpenWorkTree(dir string) (*Repo, bool) {
	r, ok, err := at(dir, false)
	return r, ok && err == nil
}

// WorkTree returns the work tree holding the directory path, for the
// commands that need an index: a bare repository, a file and a path
// outside any repository are errors that say so.
func WorkTree(path string) (*Repo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", path)
	}
	if r, ok := FindWorkTree(path); ok {
		return r, r.CheckFormat()
	}
	if r, _ := Find(path); r != nil && r.Top == "" {
		return nil, fmt.Errorf("%s is a bare repository: it has no index, so nothing is staged (scan its commits with clarolint history)", r.GitDir)
	}
	return nil, fmt.Errorf("%s is not inside a git work tree", path)
}

// at opens dir as the top of a work tree or, with bare, as a bare
// repository's directory; ok is false when it is neither. err says why a
// .git file cannot be followed.
func at(dir string, bare bool) (*Repo, bool, error) {
	dotGit := filepath.Join(dir, ".git")
	fi, err := os.Stat(dotGit)
	switch {
	case err == nil:
	case bare && isGitDir(dir):
		return &Repo{GitDir: dir, CommonDir: dir}, true, nil
	default:
		return nil, false, nil
	}
	r := &Repo{Top: dir, GitDir: dotGit}
	if !fi.IsDir() { // a linked worktree's or a submodule's .git file
		b, err := os.ReadFile(dotGit)
		if err != nil {
			return nil, true, fmt.Errorf("open repository: %w", err)
		}
		line, found := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
		if !found {
			return nil, true, fmt.Errorf("open repository: %s holds no gitdir: line", dotGit)
		}
		r.GitDir = strings.TrimSpace(line)
		if !filepath.IsAbs(r.GitDir) {
			r.GitDir = filepath.Join(dir, r.GitDir)
		}
	}
	r.CommonDir = r.GitDir
	if b, err := os.ReadFile(filepath.Join(r.GitDir, "commondir")); err == nil {
		r.CommonDir = strings.TrimSpace(string(b))
		if !filepath.IsAbs(r.CommonDir) {
			r.CommonDir = filepath.Join(r.GitDir, r.CommonDir)
		}
	}
	return r, true, nil
}

// isGitDir reports whether dir looks like a git directory, as git's own
// discovery decides (a HEAD file and objects and refs directories).
func isGitDir(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// CheckFormat returns an error when the repository names its objects
// with another hash than SHA-1 (git init --object-format=sha256), which
// clarolint's readers do not know, rather than letting them stumble on
// 32-byte names.
func (r *Repo) CheckFormat() error {
	b, err := os.ReadFile(filepath.Join(r.CommonDir, "config"))
	if err != nil {
		return nil // no config: git's defaults, SHA-1
	}
	cfg := gitconfig.New()
	if gitconfig.NewDecoder(bytes.NewReader(b)).Decode(cfg) != nil {
		return nil
	}
	if f := cfg.Section("extensions").Options.Get("objectformat"); f != "" && !strings.EqualFold(f, "sha1") {
		return fmt.Errorf("%s is a %s repository (extensions.objectFormat): clarolint reads SHA-1 repositories only", r.CommonDir, f)
	}
	return nil
}

// PartialClone returns the promisor remote of a partial clone (git clone
// --filter): objects it did not fetch are missing from the store by
// design. It returns "" for a complete repository.
func (r *Repo) PartialClone() string {
	b, err := os.ReadFile(filepath.Join(r.CommonDir, "config"))
	if err != nil {
		return ""
	}
	cfg := gitconfig.New()
	if gitconfig.NewDecoder(bytes.NewReader(b)).Decode(cfg) != nil {
		return ""
	}
	if p := cfg.Section("extensions").Options.Get("partialclone"); p != "" {
		return p
	}
	for _, sub := range cfg.Section("remote").Subsections {
		if strings.EqualFold(sub.Options.Get("promisor"), "true") {
			return sub.Name
		}
	}
	return ""
}

// HooksDir returns where git runs the work tree's hooks from:
// core.hooksPath when it is set (a relative path is taken from the top of
// the work tree, as git does), else the hooks directory of the common git
// directory, which linked worktrees share.
func (r *Repo) HooksDir() string {
	if p := r.Config("hookspath"); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.Root(), p)
		}
		return p
	}
	return filepath.Join(r.CommonDir, "hooks")
}

// Within reports whether p is dir or below it.
func Within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Objects returns the repository's object store, opened on first use.
func (r *Repo) Objects() (*odb.Store, error) {
	r.objectsOnce.Do(func() {
		dirs := r.ObjectDirs
		if dirs == nil {
			dirs = []string{filepath.Join(r.CommonDir, "objects")}
		}
		r.objects, r.objectsErr = odb.Open(dirs...)
	})
	return r.objects, r.objectsErr
}

// ReadObject returns the content of object h, which must be of type want.
func (r *Repo) ReadObject(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	s, err := r.Objects()
	if err != nil {
		return nil, err
	}
	typ, b, err := s.Read(h)
	if err != nil {
		return nil, err
	}
	if typ != want {
		return nil, fmt.Errorf("object %s is a %s, not a %s", h, typ, want)
	}
	return b, nil
}

// Close releases the files the repository opened.
func (r *Repo) Close() error {
	if r.objects != nil {
		return r.objects.Close()
	}
	return nil
}
