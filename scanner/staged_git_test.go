package scanner

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// realGit returns a function running the git binary in dir, for the tests
// of the staged scan against what real git writes: packs, cache trees,
// index version 4, linked worktrees and merge conflicts. Without git the
// test is skipped, unless CLAROLINT_E2E=1 makes that a failure.
func realGit(t *testing.T, dir string) func(args ...string) string {
	t.Helper()
	fixture.NeedGit(t)
	return func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil && !slices.Contains(args, "merge") {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
}

// checkCacheTree checks that the index at dir has a cache tree and that
// the changes found with it are those found by reading every tree.
func checkCacheTree(t *testing.T, dir string) {
	t.Helper()
	r, err := gitrepo.WorkTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	idx, err := gitrepo.ReadIndex(filepath.Join(r.GitDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	if idx.Tree == nil {
		t.Fatal("git wrote no cache tree")
	}
	head, _, err := r.HeadTree()
	if err != nil {
		t.Fatal(err)
	}
	with, err := r.Diff(idx, head)
	if err != nil {
		t.Fatal(err)
	}
	idx.Tree = nil
	without, err := r.Diff(idx, head)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(with.Blobs, without.Blobs) || len(with.Blobs) == 0 {
		t.Errorf("with the cache tree %v, without %v", with.Blobs, without.Blobs)
	}
}

// TestStagedRealGit: a packed repository, a partially staged file, in
// index versions 2 and 4.
func TestStagedRealGit(t *testing.T) {
	t.Parallel()
	a, b, c := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2), rulestest.Key(rules.Live, 3)
	dir := t.TempDir()
	git := realGit(t, dir)
	git("init", "-q", "-b", "main")
	files := map[string]string{"README": "hello\n"}
	for _, d := range []string{"src", "src/app", "docs", "test/data"} {
		for _, f := range []string{"a.txt", "b.txt"} {
			files[d+"/"+f] = strings.Repeat(d+" "+f+"\n", 50)
		}
	}
	files["src/app/conf.txt"] = "A=" + a + "\n"
	fixture.WriteFiles(t, dir, files)
	git("add", ".")
	git("commit", "-q", "-m", "first")
	fixture.WriteFiles(t, dir, map[string]string{"docs/a.txt": files["docs/a.txt"] + "more\n"})
	git("commit", "-q", "-am", "second")
	git("gc", "-q")

	staged := "A=" + a + "\nB=" + b + "\n"
	fixture.WriteFiles(t, dir, map[string]string{"src/app/conf.txt": staged})
	git("add", "src/app/conf.txt")
	fixture.WriteFiles(t, dir, map[string]string{"src/app/conf.txt": "\n\n" + staged + "C=" + c + "\n"})
	for _, version := range []string{"2", "4"} {
		git("update-index", "--index-version", version)
		got, _, st, warn := scanStaged(t, Options{}, dir, IndexOptions{})
		checkFindings(t, "index version "+version, got, []string{"src/app/conf.txt:2:3 claro-live-key"})
		if st.FilesScanned != 1 || warn != "" {
			t.Errorf("index version %s: %+v, warnings %q", version, st, warn)
		}
		checkCacheTree(t, dir)
	}
}

// TestStagedRealWorktree: `git worktree add`, then a change staged in the
// linked worktree, run from a subdirectory of it.
func TestStagedRealWorktree(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	git := realGit(t, dir)
	git("init", "-q", "-b", "main")
	fixture.WriteFiles(t, dir, map[string]string{"app/a.txt": "clean\n"})
	git("add", ".")
	git("commit", "-q", "-m", "first")
	wt := filepath.Join(t.TempDir(), "wt")
	git("worktree", "add", "-q", "-b", "feature", wt)
	fixture.WriteFiles(t, wt, map[string]string{"app/a.txt": "clean\nKEY=" + key + "\n"})
	realGit(t, wt)("add", "app/a.txt")
	got, _, _, _ := scanStaged(t, Options{}, filepath.Join(wt, "app"), IndexOptions{})
	checkFindings(t, "linked worktree", got, []string{"app/a.txt:2:5 claro-live-key"})
	got, _, _, _ = scanStaged(t, Options{}, dir, IndexOptions{})
	checkFindings(t, "main work tree", got, nil)
}

// TestStagedRealMerge: a merge stopped on a conflict.
func TestStagedRealMerge(t *testing.T) {
	t.Parallel()
	a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
	dir := t.TempDir()
	git := realGit(t, dir)
	git("init", "-q", "-b", "main")
	fixture.WriteFiles(t, dir, map[string]string{"conf.txt": "x=1\n", "other.txt": "o\n"})
	git("add", ".")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "topic")
	fixture.WriteFiles(t, dir, map[string]string{"conf.txt": "x=2\nKEY=" + a + "\n", "other.txt": "o\nKEY=" + b + "\n"})
	git("commit", "-q", "-am", "topic")
	git("checkout", "-q", "main")
	fixture.WriteFiles(t, dir, map[string]string{"conf.txt": "x=3\n"})
	git("commit", "-q", "-am", "main")
	if out := git("merge", "-q", "topic"); !strings.Contains(out, "CONFLICT") {
		t.Fatalf("no conflict:\n%s", out)
	}
	got, _, _, warn := scanStaged(t, Options{}, dir, IndexOptions{})
	// other.txt merged cleanly: its key is staged. conf.txt's is on
	// their side of the conflict.
	checkFindings(t, "merge", got, []string{"conf.txt:2:5 claro-live-key", "other.txt:2:5 claro-live-key"})
	if !strings.Contains(warn, "merge in progress, with conflicts in conf.txt: both sides of each were scanned") {
		t.Errorf("warnings %q", warn)
	}
}
