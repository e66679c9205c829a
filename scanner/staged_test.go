package scanner

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// scanStaged scans Index(dir, so) as collect does.
func scanStaged(t *testing.T, o Options, dir string, so IndexOptions) ([]string, []finding.Finding, finding.Stats, string) {
	t.Helper()
	return collect(t, o, Index(dir, so), nil)
}

// TestStagedPartiallyStaged: the staged version is scanned, not the working
// copy; findings are at the staged content's lines; a key already in HEAD
// at the path is not reported again, a new key on its line is.
func TestStagedPartiallyStaged(t *testing.T) {
	t.Parallel()
	a, b, c := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2), rulestest.Key(rules.Test, 3)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"config.py": "x = 1\nA = '" + a + "'\n", "other.txt": "no keys\n"})
	sr.Commit("first")
	staged := "# settings\nx = 1\n\nA = '" + a + "'; B = '" + b + "'\n"
	sr.Stage(map[string]string{"config.py": staged})
	// Edited again after staging: lines inserted above, a third key below.
	fixture.WriteFiles(t, sr.Dir, map[string]string{"config.py": "\n\n\n" + staged + "C = '" + c + "'\n"})

	got, fs, st, warn := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "findings", got, []string{"config.py:4:64 claro-live-key"})
	if len(fs) == 1 && (fs[0].Fingerprint != rules.Fingerprint([]byte(b)) || fs[0].EndColumn != 64+rules.KeyLen) {
		t.Errorf("finding is not key B: %+v", fs[0])
	}
	if st.FilesScanned != 1 || st.BytesScanned != int64(len(staged)) || warn != "" {
		t.Errorf("stats %+v, warnings %q", st, warn)
	}
}

// TestStagedRename: a renamed file carries its keys without reporting
// them; a key added in the same change is reported; an exact rename
// reports nothing. A key copied to a new path while the old one stays is
// new at that path.
func TestStagedRename(t *testing.T) {
	t.Parallel()
	a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{
		"old/a.txt":  "first\nKEY=" + a + "\n",
		"same/x.txt": "KEY=" + a + "\n",
		"keep.txt":   "KEY=" + a + "\n",
	})
	sr.Commit("first")
	sr.Remove("old/a.txt")
	sr.Remove("same/x.txt")
	sr.Stage(map[string]string{
		"new/b.txt":   "first\nKEY=" + a + "\nNEXT=" + b + "\n",
		"moved/y.txt": "KEY=" + a + "\n",
	})
	got, _, _, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "rename", got, []string{"new/b.txt:3:6 claro-live-key"})

	sr.Commit("renamed")
	sr.Stage(map[string]string{"copy.txt": "KEY=" + a + "\n"})
	got, _, _, _ = scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "copy", got, []string{"copy.txt:1:5 claro-live-key"})
}

// TestStagedDeletion: deleting a file that holds a key adds nothing.
func TestStagedDeletion(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"leak.txt": rulestest.Key(rules.Live, 1), "dir/deep.txt": rulestest.Key(rules.Live, 2)})
	sr.Commit("first")
	sr.Remove("leak.txt")
	sr.Remove("dir/deep.txt")
	got, _, st, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "deletion", got, nil)
	if st.FilesScanned != 0 {
		t.Errorf("scanned %d files", st.FilesScanned)
	}
}

// TestStagedAll: --all scans the whole index and reports every key and
// every tracked .env file, old or new.
func TestStagedAll(t *testing.T) {
	t.Parallel()
	a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Test, 2)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"a.txt": "KEY=" + a + "\n", ".env": "BAYT_API_KEY=" + a + "\n", "clean.txt": "nothing\n"})
	sr.Commit("first")
	sr.Stage(map[string]string{"b/c.txt": "\nKEY=" + b + "\n"})
	got, _, st, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{All: true})
	checkFindings(t, "--all", got, []string{
		".env:1:1 env-file-tracked",
		".env:1:14 claro-live-key",
		"a.txt:1:5 claro-live-key",
		"b/c.txt:2:5 claro-test-key",
	})
	if st.FilesScanned != 4 {
		t.Errorf("--all scanned %d files, want 4", st.FilesScanned)
	}
	got, _, _, _ = scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "without --all", got, []string{"b/c.txt:2:5 claro-test-key"})
}

// TestStagedEmpty: a repository with nothing staged, with no index file at
// all, and one whose index matches HEAD.
func TestStagedEmpty(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	for _, all := range []bool{false, true} {
		got, _, st, warn := scanStaged(t, Options{}, sr.Dir, IndexOptions{All: all})
		if len(got) != 0 || st.FilesScanned != 0 || warn != "" {
			t.Errorf("no index, --all=%v: %q %+v %q", all, got, st, warn)
		}
	}
	sr.Stage(map[string]string{"a.txt": rulestest.Key(rules.Live, 1)})
	sr.Commit("first")
	got, _, st, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	if len(got) != 0 || st.FilesScanned != 0 {
		t.Errorf("index equal to HEAD: %q %+v", got, st)
	}
}

// TestStagedInitialCommit: before the first commit everything staged is
// new, in any directory.
func TestStagedInitialCommit(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"src/app/k.go": "package app\n\nconst k = \"" + rulestest.Key(rules.Live, 1) + "\"\n", "README": "hello\n"})
	got, _, st, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "initial commit", got, []string{"src/app/k.go:3:12 claro-live-key"})
	if st.FilesScanned != 2 {
		t.Errorf("scanned %d files, want 2", st.FilesScanned)
	}
}

// TestStagedMergeConflict: both sides of a conflicted path are scanned
// against HEAD, a key both sides add is reported once, and a warning says
// that the conflicts must be resolved.
func TestStagedMergeConflict(t *testing.T) {
	t.Parallel()
	a, b, c := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2), rulestest.Key(rules.Live, 3)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"conf.txt": "base\nOLD=" + a + "\n"})
	sr.Commit("base")
	base := sr.Blob("base\nOLD=" + a + "\n")
	ours := sr.Blob("ours\nOLD=" + a + "\nBOTH=" + c + "\n")
	theirs := sr.Blob("theirs\nOLD=" + a + "\nBOTH=" + c + "\nNEW=" + b + "\n")
	sr.EditIndex(func(idx *index.Index) {
		var kept []*index.Entry
		for _, e := range idx.Entries {
			if e.Name != "conf.txt" {
				kept = append(kept, e)
			}
		}
		for stage, h := range map[index.Stage]plumbing.Hash{index.AncestorMode: base, index.OurMode: ours, index.TheirMode: theirs} {
			kept = append(kept, &index.Entry{Name: "conf.txt", Hash: h, Mode: filemode.Regular, Stage: stage})
		}
		slices.SortFunc(kept, func(x, y *index.Entry) int {
			return strings.Compare(x.Name, y.Name)*4 + int(x.Stage) - int(y.Stage)
		})
		idx.Entries = kept
	})
	got, _, st, warn := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "conflict", got, []string{"conf.txt:3:6 claro-live-key", "conf.txt:4:5 claro-live-key"})
	if st.FilesScanned != 2 || !strings.Contains(warn, "merge in progress, with conflicts in conf.txt: both sides of each were scanned") || !strings.Contains(warn, "resolve the conflicts") {
		t.Errorf("stats %+v, warnings %q", st, warn)
	}
}

// TestStagedLinkedWorktree: a linked worktree (.git is a file) has its own
// HEAD and index in its git directory and shares objects and refs; built
// by hand as `git worktree add` lays it out.
func TestStagedLinkedWorktree(t *testing.T) {
	t.Parallel()
	a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"app/conf.txt": "KEY=" + a + "\n"})
	head := sr.Commit("first")
	if err := sr.Git.Storer.SetReference(plumbing.NewHashReference("refs/heads/feature", head)); err != nil {
		t.Fatal(err)
	}
	wtDir := t.TempDir()
	gitDir := filepath.Join(sr.Dir, ".git", "worktrees", "feature")
	fixture.WriteFiles(t, gitDir, map[string]string{
		"HEAD":      "ref: refs/heads/feature\n",
		"commondir": "../..\n",
		"gitdir":    filepath.Join(wtDir, ".git") + "\n",
	})
	fixture.WriteFiles(t, wtDir, map[string]string{".git": "gitdir: " + gitDir + "\n"})
	staged := sr.Blob("KEY=" + a + "\nNEW=" + b + "\n")
	idx, err := sr.Git.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	idx.Entries[0].Hash = staged
	f, err := os.Create(filepath.Join(gitDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	if err := index.NewEncoder(f).Encode(idx); err != nil {
		t.Fatal(err)
	}
	f.Close()

	got, _, _, _ := scanStaged(t, Options{}, filepath.Join(wtDir), IndexOptions{})
	checkFindings(t, "linked worktree", got, []string{"app/conf.txt:2:5 claro-live-key"})
	// The main work tree's own index has nothing staged.
	got, _, _, _ = scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "main work tree", got, nil)
}

// TestStagedIndexFile: GIT_INDEX_FILE, as git sets it for `git commit -a`,
// replaces the index when it lies in the git directory, and not otherwise.
func TestStagedIndexFile(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"a.txt": "clean\n"})
	sr.Commit("first")
	// A temporary index holding a key, as git writes .git/index.lock.
	sr.Stage(map[string]string{"a.txt": "KEY=" + rulestest.Key(rules.Live, 1) + "\n"})
	lock := filepath.Join(sr.Dir, ".git", "index.lock")
	if err := os.Rename(filepath.Join(sr.Dir, ".git", "index"), lock); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "index")
	b, _ := os.ReadFile(lock)
	os.WriteFile(outside, b, 0o644)
	for _, tt := range []struct {
		name, file string
		want       []string
	}{
		{"absolute", lock, []string{"a.txt:1:5 claro-live-key"}},
		{"relative to the top", ".git/index.lock", []string{"a.txt:1:5 claro-live-key"}},
		{"another repository's", outside, nil},
		{"unset: .git/index, missing", "", nil},
	} {
		got, _, _, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{IndexFile: tt.file})
		checkFindings(t, tt.name, got, tt.want)
	}
}

func TestStagedBare(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	_, err := mustNew(t, Options{}).Scan(context.Background(), Index(filepath.Join(dir, "refs"), IndexOptions{}), func(finding.Finding) error { return nil })
	if err == nil || !strings.Contains(err.Error(), dir+" is a bare repository: it has no index, so nothing is staged") {
		t.Errorf("bare repository: %v", err)
	}
	if _, err := gitrepo.WorkTree(t.TempDir()); err == nil || !strings.Contains(err.Error(), "is not inside a git work tree") {
		t.Errorf("outside a repository: %v", err)
	}
}

// TestStagedSubmodule: a gitlink has no content in this repository and is
// passed over; intent-to-add entries too.
func TestStagedSubmodule(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"a.txt": "clean\n"})
	sr.Commit("first")
	sr.EditIndex(func(idx *index.Index) {
		idx.Entries = append(idx.Entries,
			&index.Entry{Name: "vendor/lib", Hash: plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"), Mode: filemode.Submodule},
			&index.Entry{Name: "z.txt", Hash: sr.Blob(""), Mode: filemode.Regular, IntentToAdd: true},
		)
	})
	got, _, st, warn := scanStaged(t, Options{}, sr.Dir, IndexOptions{All: true})
	if len(got) != 0 || st.FilesScanned != 1 || st.SkippedUnreadable != 0 || warn != "" {
		t.Errorf("gitlink: %q %+v %q", got, st, warn)
	}
}

// TestStagedEnv: a staged secret .env file is an error that says how to
// unstage it; a tracked one changed in the index says how to stop
// tracking it; an example may be staged, but a key in it is a finding.
func TestStagedEnv(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"svc/.env.production": "DEBUG=0\n"})
	sr.Commit("first")
	sr.Stage(map[string]string{
		".env":                "DEBUG=1\n",
		"svc/.env.production": "DEBUG=1\n",
		".env.example":        "BAYT_API_KEY=" + key + "\n",
		"my app/.env.local":   "X=1\n",
	})
	got, fs, _, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "env", got, []string{
		".env:1:1 env-file-tracked",
		".env.example:1:14 claro-live-key",
		"my app/.env.local:1:1 env-file-tracked",
		"svc/.env.production:1:1 env-file-tracked",
	})
	msgs := map[string]string{}
	for _, f := range fs {
		msgs[f.Path] = f.Message
		if f.RuleID == rules.EnvFileTracked && (f.Severity != rules.Error || f.EndColumn != 1 || f.Fingerprint != "") {
			t.Errorf("whole-file finding: %+v", f)
		}
	}
	for path, want := range map[string]string{
		".env":                "unstage it with `git restore --staged .env` (or `git rm --cached .env`), then add `.env` and `.env.*` to .gitignore",
		"my app/.env.local":   "`git restore --staged 'my app/.env.local'`",
		"svc/.env.production": "stop tracking it with `git rm --cached svc/.env.production` (your copy stays)",
	} {
		if !strings.Contains(msgs[path], want) {
			t.Errorf("%s: message %q lacks %q", path, msgs[path], want)
		}
	}
}

// TestStagedConfig: allow.paths (relative to the top of the work tree),
// allowed fingerprints, disabled rules, size limits and binary skipping.
func TestStagedConfig(t *testing.T) {
	t.Parallel()
	a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{
		"testdata/fixture.txt": a,
		"src/a.txt":            a + "\n" + b + "\n",
		"config/.env":          "X=1\n",
		"big.txt":              b + strings.Repeat("x", 1000),
		"bin.dat":              "\x00" + b,
	})
	o := Options{
		AllowPaths:        []string{"testdata/**"},
		AllowFingerprints: []string{rules.Fingerprint([]byte(a))},
		Disable:           []rules.RuleID{rules.EnvFileTracked},
		MaxFileSize:       500,
		SkipBinary:        true,
	}
	got, _, st, _ := scanStaged(t, o, sr.Dir, IndexOptions{})
	checkFindings(t, "config", got, []string{"src/a.txt:2:1 claro-live-key"})
	if st.AllowedPaths != 1 || st.Suppressed != 1 || st.SkippedTooLarge != 1 || st.SkippedBinary != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestStagedPacked reads HEAD's trees and blobs from packs that go-git
// wrote, with offset deltas and with reference deltas.
func TestStagedPacked(t *testing.T) {
	t.Parallel()
	for _, refDeltas := range []bool{false, true} {
		a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
		sr := gogit.NewRepo(t)
		body := strings.Repeat("a line of settings that repeats\n", 100)
		for i := range 5 {
			sr.Stage(map[string]string{"conf/app.txt": body + strings.Repeat("more\n", i) + "KEY=" + a + "\n"})
			sr.Commit("version")
		}
		if err := sr.Git.RepackObjects(&git.RepackConfig{UseRefDeltas: refDeltas}); err != nil {
			t.Fatal(err)
		}
		if loose, _ := filepath.Glob(filepath.Join(sr.Dir, ".git", "objects", "??", "*")); len(loose) != 0 {
			t.Fatalf("loose objects left after repacking: %d", len(loose))
		}
		sr.Stage(map[string]string{"conf/app.txt": body + "KEY=" + a + "\nNEW=" + b + "\n"})
		got, _, _, warn := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
		checkFindings(t, "packed HEAD", got, []string{"conf/app.txt:102:5 claro-live-key"})
		got, _, st, warn2 := scanStaged(t, Options{}, sr.Dir, IndexOptions{All: true})
		checkFindings(t, "packed, --all", got, []string{"conf/app.txt:101:5 claro-live-key", "conf/app.txt:102:5 claro-live-key"})
		if warn+warn2 != "" || st.FilesScanned != 1 {
			t.Errorf("scanned %d files; warnings: %s", st.FilesScanned, warn+warn2)
		}
	}
}

// TestStagedTypeChanges: a file that became a directory and a directory
// that became a file carry their keys to the new paths like a rename.
func TestStagedTypeChanges(t *testing.T) {
	t.Parallel()
	a, b, c := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2), rulestest.Key(rules.Live, 3)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"conf": "KEY=" + a + "\n", "old/x.txt": "KEY=" + b + "\n"})
	sr.Commit("first")
	sr.Remove("conf")
	sr.Remove("old/x.txt")
	os.Remove(filepath.Join(sr.Dir, "old"))
	sr.Stage(map[string]string{"conf/main.txt": "KEY=" + a + "\nNEW=" + c + "\n", "old": "KEY=" + b + "\n"})
	got, _, _, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "type changes", got, []string{"conf/main.txt:2:5 claro-live-key"})
}

// TestStagedSparseIndex: in a sparse index a directory entry stands for a
// whole tree; one equal to HEAD's is not read, one that differs is
// compared file by file, and --all reads all of it.
func TestStagedSparseIndex(t *testing.T) {
	t.Parallel()
	a, b := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"top.txt": "top\n", "lib/x.txt": "KEY=" + a + "\n", "lib/sub/y.txt": "y\n"})
	head := sr.Commit("first")
	c, _ := sr.Git.CommitObject(head)
	tree, _ := c.Tree()
	lib, _ := tree.Tree("lib") // sub/, then x.txt
	// A tree like lib/ with a key added to lib/sub/y.txt.
	changedSub := sr.Tree(object.TreeEntry{Name: "y.txt", Mode: filemode.Regular, Hash: sr.Blob("y\nKEY=" + b + "\n")})
	changed := sr.Tree(object.TreeEntry{Name: "sub", Mode: filemode.Dir, Hash: changedSub}, lib.Entries[1])

	for _, tt := range []struct {
		name string
		dir  plumbing.Hash
		all  bool
		want []string
	}{
		{"as in HEAD", lib.Hash, false, nil},
		{"changed", changed, false, []string{"lib/sub/y.txt:2:5 claro-live-key"}},
		{"--all", changed, true, []string{"lib/sub/y.txt:2:5 claro-live-key", "lib/x.txt:1:5 claro-live-key"}},
	} {
		idx := &index.Index{Version: 3, Entries: []*index.Entry{
			{Name: "lib/", Hash: tt.dir, Mode: filemode.Dir, SkipWorktree: true},
			{Name: "top.txt", Hash: tree.Entries[1].Hash, Mode: filemode.Regular},
		}}
		if err := os.WriteFile(filepath.Join(sr.Dir, ".git", "index"), gogit.EncodeIndex(t, idx, "sdir", ""), 0o644); err != nil {
			t.Fatal(err)
		}
		got, _, _, _ := scanStaged(t, Options{}, sr.Dir, IndexOptions{All: tt.all})
		checkFindings(t, tt.name, got, tt.want)
	}
}
