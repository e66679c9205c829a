package gitrepo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
)

// TestAt: the one place that follows .git, for the tree walk, the .env
// checks, staged and history: a .git directory, a .git symlink to one, a
// linked worktree's .git file (relative) and commondir, a .git file that
// names nothing, and no .git.
func TestAt(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	mk := func(p, content string) {
		t.Helper()
		p = filepath.Join(top, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if content != "" {
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("main/.git/HEAD", "ref: refs/heads/main\n")
	mk("main/.git/worktrees/wt/commondir", "../..\n")
	mk("wt/.git", "gitdir: ../main/.git/worktrees/wt\n")
	mk("broken/.git", "not a gitdir line\n")
	mk("none/x", "")
	mk("linked/x", "")
	if err := os.Symlink(filepath.Join(top, "main", ".git"), filepath.Join(top, "linked", ".git")); err != nil {
		t.Fatal(err)
	}
	mainGit := filepath.Join(top, "main", ".git")
	for _, tt := range []struct {
		dir               string
		gitDir, commonDir string
		ok, err           bool
	}{
		{"main", mainGit, mainGit, true, false},
		{"linked", filepath.Join(top, "linked", ".git"), filepath.Join(top, "linked", ".git"), true, false},
		{"wt", filepath.Join(top, "wt", "..", "main", ".git", "worktrees", "wt"), mainGit, true, false},
		{"broken", "", "", true, true},
		{"none", "", "", false, false},
	} {
		var gitDir, commonDir string
		r, ok, err := at(filepath.Join(top, tt.dir), false)
		if r != nil {
			gitDir, commonDir = r.GitDir, r.CommonDir
		}
		if filepath.Clean(gitDir) != filepath.Clean(tt.gitDir) || filepath.Clean(commonDir) != filepath.Clean(tt.commonDir) || ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("%s: %q, %q, %v, %v; want %q, %q, %v, error %v", tt.dir, gitDir, commonDir, ok, err, tt.gitDir, tt.commonDir, tt.ok, tt.err)
		}
	}
}

// TestSHA256Repository: a repository that names objects with SHA-256 is
// an error that says so.
func TestSHA256Repository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		".git/HEAD":   "ref: refs/heads/main\n",
		".git/config": "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha256\n",
	})
	for _, sub := range []string{".git/objects", ".git/refs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const says = "is a sha256 repository (extensions.objectFormat): clarolint reads SHA-1 repositories only"
	if _, err := Find(dir); err == nil || !strings.Contains(err.Error(), says) {
		t.Errorf("Find: %v", err)
	}
	if _, err := WorkTree(dir); err == nil || !strings.Contains(err.Error(), says) {
		t.Errorf("WorkTree: %v", err)
	}
}
