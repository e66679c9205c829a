package scanner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// histRepo builds a repository object by object with go-git, with fixed
// authors and dates, so that its hashes are the same on every run.
type histRepo struct {
	t      *testing.T
	dir    string
	r      *git.Repository
	labels map[plumbing.Hash]string // commit → the name tests use
	ticks  int
}

func newHistRepo(t *testing.T, bare bool) *histRepo {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInit(dir, bare)
	if err != nil {
		t.Fatal(err)
	}
	hr := &histRepo{t: t, dir: dir, r: r, labels: make(map[plumbing.Hash]string)}
	hr.setRef(plumbing.NewSymbolicReference(plumbing.HEAD, "refs/heads/main"))
	return hr
}

func (hr *histRepo) store(o interface {
	Encode(plumbing.EncodedObject) error
}) plumbing.Hash {
	hr.t.Helper()
	obj := hr.r.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		hr.t.Fatal(err)
	}
	h, err := hr.r.Storer.SetEncodedObject(obj)
	if err != nil {
		hr.t.Fatal(err)
	}
	return h
}

func (hr *histRepo) blob(body string) plumbing.Hash { return gogit.StoreBlob(hr.t, hr.r, body) }

// tree writes the tree of files (slash-separated path → content); a
// content "\x00gitlink:HASH" makes a submodule entry.
func (hr *histRepo) tree(files map[string]string) plumbing.Hash {
	sub := make(map[string]map[string]string)
	var t object.Tree
	for p, body := range files {
		if dir, rest, ok := strings.Cut(p, "/"); ok {
			if sub[dir] == nil {
				sub[dir] = make(map[string]string)
			}
			sub[dir][rest] = body
			continue
		}
		e := object.TreeEntry{Name: p, Mode: filemode.Regular}
		if c, ok := strings.CutPrefix(body, "\x00gitlink:"); ok {
			e.Mode, e.Hash = filemode.Submodule, plumbing.NewHash(c)
		} else {
			e.Hash = hr.blob(body)
		}
		t.Entries = append(t.Entries, e)
	}
	for dir, fs := range sub {
		t.Entries = append(t.Entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: hr.tree(fs)})
	}
	slices.SortFunc(t.Entries, func(a, b object.TreeEntry) int { return gitrepo.CompareEntries(&a, &b) })
	return hr.store(&t)
}

// commit writes a commit named label holding files.
func (hr *histRepo) commit(label string, files map[string]string, parents ...plumbing.Hash) plumbing.Hash {
	hr.ticks++
	sig := object.Signature{
		Name:  "Dev " + label,
		Email: label + "@example.com",
		When:  time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)).Add(time.Duration(hr.ticks) * time.Hour),
	}
	h := hr.store(&object.Commit{Author: sig, Committer: sig, Message: label + "\n", TreeHash: hr.tree(files), ParentHashes: parents})
	hr.labels[h] = label
	return h
}

func (hr *histRepo) setRef(ref *plumbing.Reference) {
	hr.t.Helper()
	if err := hr.r.Storer.SetReference(ref); err != nil {
		hr.t.Fatal(err)
	}
}

func (hr *histRepo) branch(name string, h plumbing.Hash) {
	hr.setRef(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), h))
}

// annotatedTag writes a tag object for target and a ref to it.
func (hr *histRepo) annotatedTag(name string, target plumbing.Hash, typ plumbing.ObjectType) {
	sig := object.Signature{Name: "Tagger", Email: "tagger@example.com", When: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
	h := hr.store(&object.Tag{Name: name, Tagger: sig, Message: name + "\n", TargetType: typ, Target: target})
	hr.setRef(plumbing.NewHashReference(plumbing.NewTagReferenceName(name), h))
}

// with returns a copy of files with changes applied; "" deletes.
func with(files map[string]string, changes ...string) map[string]string {
	out := make(map[string]string, len(files))
	for p, b := range files {
		out[p] = b
	}
	for i := 0; i < len(changes); i += 2 {
		if changes[i+1] == "" {
			delete(out, changes[i])
		} else {
			out[changes[i]] = changes[i+1]
		}
	}
	return out
}

// key returns the fake key tests plant under name n.
func key(n uint64) string { return rulestest.Key(rules.Live, n) }

// scenario builds a history with a key in every corner, as listed in
// TestHistory.
func scenario(t *testing.T, bare bool) *histRepo {
	hr := newHistRepo(t, bare)
	f1 := map[string]string{"README": "hello\n", "app/config.py": "x = 1\nKEY = \"" + key(1) + "\"\n"}
	c1 := hr.commit("c1", f1)
	f2 := with(f1, "app/config.py", "x = 1\nKEY = \""+key(1)+"\"; OTHER = \""+key(2)+"\"\n")
	c2 := hr.commit("c2", f2, c1)
	f3 := with(f2, "app/config.py", "# header\n"+f2["app/config.py"])
	c3 := hr.commit("c3", f3, c2)
	f4 := with(f3, "app/config.py", "", "app/settings.py", f3["app/config.py"])
	c4 := hr.commit("c4", f4, c3)
	f5 := with(f4, "tmp/dump.txt", "dump "+key(3)+"\n")
	c5 := hr.commit("c5", f5, c4)
	f6 := with(f5, "tmp/dump.txt", "", "app/settings.py", "")
	c6 := hr.commit("c6", f6, c5)
	f7 := with(f6, "README", "hello\n"+key(4)+"\n")
	c7 := hr.commit("c7", f7, c6)
	c8 := hr.commit("c8", f6, c7)

	hr.branch("feature", hr.commit("f1", with(f6, "feature.go", "const k = \""+key(6)+"\"\n"), c8))
	t1 := hr.commit("t1", with(f6, "topic.txt", key(8)+"\n"), c8)
	fm := with(f6, "topic.txt", key(8)+"\n", "README", "hello\nresolved "+key(7)+"\n")
	m1 := hr.commit("m1", fm, c8, t1)
	hr.annotatedTag("v1", hr.commit("g1", with(f6, "tagged.txt", key(10)+"\n"), c8), plumbing.CommitObject)

	f9 := with(fm, ".env", "CLARO_KEY="+key(9)+"\n", "README", fm["README"]+key(4)+" again\n")
	c9 := hr.commit("c9", f9, m1)
	c10 := hr.commit("c10", with(f9, "allowed.txt", key(5)+" # clarolint:allow\n"), c9)
	hr.branch("main", c10)
	return hr
}

// scenarioWant is what History finds in the whole scenario.
var scenarioWant = []string{
	".env:1:11 c9 in HEAD",
	"README:2:1 c7 in HEAD", // added, deleted in c8, added again in c9
	"README:2:10 m1 in HEAD",
	"README:3:1 c9 in HEAD",
	"app/config.py:2:8 c1",
	"app/config.py:2:70 c2", // the second key on the line: the first stays at c1
	"app/settings.py:3:8 c4",
	"app/settings.py:3:70 c4",
	"feature.go:1:12 f1", // only on an unmerged branch
	"tagged.txt:1:1 g1",  // only reachable from a tag
	"tmp/dump.txt:1:6 c5",
	"topic.txt:1:1 t1 in HEAD", // merged in: introduced by the branch's commit, not the merge
}

// runHistory scans dir and returns each finding as "path:line:col
// commit-label [in HEAD]", sorted, with the findings, stats and warnings.
func runHistory(t *testing.T, hr *histRepo, o Options, ho HistoryOptions) ([]string, []finding.Finding, finding.Stats, string) {
	t.Helper()
	var warnings strings.Builder
	o.Warnings = &warnings
	repo, err := OpenRepository(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	var fs []finding.Finding
	st, err := mustNew(t, o).Scan(context.Background(), History(repo, ho), func(f finding.Finding) error {
		fs = append(fs, f)
		return nil
	})
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	var out []string
	for _, f := range fs {
		s := fmt.Sprintf("%s:%d:%d %s", f.Path, f.Line, f.Column, hr.labels[plumbing.NewHash(f.Commit)])
		if f.InHead == nil {
			s += " InHead unset"
		} else if *f.InHead {
			s += " in HEAD"
		}
		if f.StashOnly {
			s += " stash only"
		}
		out = append(out, s)
	}
	return out, fs, st, warnings.String()
}

func checkFindings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: findings\n got %q\nwant %q", what, got, want)
	}
}

// TestHistory: a key added then deleted, on an unmerged branch only, in a
// renamed file, merged from a branch, added by a merge resolution, in a
// deleted file, in a tag-only commit, two keys on one line over two
// commits, a tracked .env, a key removed and added back, an allowed line.
func TestHistory(t *testing.T) {
	t.Parallel()
	hr := scenario(t, false)
	got, fs, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "all refs", got, scenarioWant)
	if warn != "" {
		t.Errorf("warnings: %s", warn)
	}
	if st.Suppressed != 1 || st.FilesScanned == 0 {
		t.Errorf("stats %+v: want 1 suppressed", st)
	}
	for _, f := range fs {
		if f.Path == "feature.go" {
			want := time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)).Add(9 * time.Hour)
			if f.Author != "Dev f1" || f.Email != "f1@example.com" || !f.Date.Equal(want) || f.Severity != rules.Error ||
				f.Fingerprint != rules.Fingerprint([]byte(key(6))) || f.Secret.Reveal() != key(6) || f.EndColumn != f.Column+rules.KeyLen {
				t.Errorf("feature.go finding: %+v", f)
			}
		}
	}
}

func TestHistoryNarrowed(t *testing.T) {
	t.Parallel()
	hr := scenario(t, false)
	for _, tt := range []struct {
		name string
		o    HistoryOptions
		want []string
	}{
		{"range: what the commits after c8 on main add", HistoryOptions{Range: "HEAD~3..main"}, []string{
			".env:1:11 c9 in HEAD", "README:2:10 m1 in HEAD", "README:3:1 c9 in HEAD", "topic.txt:1:1 t1 in HEAD",
		}},
		// c3 edits app/config.py, which holds two keys already in c2.
		{"range: a key already in the base is not reported", HistoryOptions{Range: "HEAD~9..HEAD~8"}, nil},
		// HEAD's README, outside the range, is read to decide in_head.
		{"range: in_head from blobs outside it", HistoryOptions{Range: "HEAD~5..HEAD~4"}, []string{"README:2:1 c7 in HEAD"}},
		{"range A...B", HistoryOptions{Range: "feature...v1"}, []string{"feature.go:1:12 f1", "tagged.txt:1:1 g1"}},
		{"since", HistoryOptions{Since: "feature~1"}, []string{
			".env:1:11 c9 in HEAD", "README:2:10 m1 in HEAD", "README:3:1 c9 in HEAD",
			"feature.go:1:12 f1", "tagged.txt:1:1 g1", "topic.txt:1:1 t1 in HEAD",
		}},
		{"branch", HistoryOptions{Branch: "feature"}, []string{
			"README:2:1 c7 in HEAD", "app/config.py:2:8 c1", "app/config.py:2:70 c2",
			"app/settings.py:3:8 c4", "app/settings.py:3:70 c4", "feature.go:1:12 f1", "tmp/dump.txt:1:6 c5",
		}},
		{"branch and since", HistoryOptions{Branch: "refs/heads/feature", Since: "HEAD~3"}, []string{"feature.go:1:12 f1"}},
	} {
		got, _, _, _ := runHistory(t, hr, Options{}, tt.o)
		checkFindings(t, tt.name, got, tt.want)
	}

	repo, err := OpenRepository(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []HistoryOptions{{Range: "main..nope"}, {Range: "main"}, {Branch: "nope"}, {Since: "nope"}} {
		_, err := mustNew(t, Options{}).Scan(context.Background(), History(repo, o), func(finding.Finding) error { return nil })
		if err == nil {
			t.Errorf("%+v: no error", o)
		} else if o.Branch == "" && !strings.Contains(err.Error(), `"`) {
			t.Errorf("%+v: error %q does not name the revision", o, err)
		}
	}
	// A range with a branch or a since revision is refused, even when
	// every revision resolves.
	for _, o := range []HistoryOptions{{Range: "HEAD~3..main", Branch: "feature"}, {Range: "HEAD~3..main", Since: "HEAD~3"}} {
		_, err := mustNew(t, Options{}).Scan(context.Background(), History(repo, o), func(finding.Finding) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "a range cannot be combined with a branch or a since revision") {
			t.Errorf("%+v: error %v", o, err)
		}
	}
}

// TestHistoryStorage: a bare repository, packed refs and packed
// (deltified) objects give the same findings.
func TestHistoryStorage(t *testing.T) {
	t.Parallel()
	bare := scenario(t, true)
	got, _, _, _ := runHistory(t, bare, Options{}, HistoryOptions{})
	checkFindings(t, "bare", got, scenarioWant)

	packed := scenario(t, false)
	if err := packed.r.Storer.(*filesystem.Storage).PackRefs(); err != nil {
		t.Fatal(err)
	}
	if err := packed.r.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	if loose, _ := filepath.Glob(filepath.Join(packed.dir, ".git", "refs", "heads", "*")); len(loose) > 0 {
		t.Fatalf("refs not packed: %v", loose)
	}
	got, _, _, _ = runHistory(t, packed, Options{}, HistoryOptions{})
	checkFindings(t, "packed", got, scenarioWant)

	// A detached HEAD on a commit no branch has.
	var c10 plumbing.Hash
	for h, l := range packed.labels {
		if l == "c10" {
			c10 = h
		}
	}
	packed.setRef(plumbing.NewHashReference(plumbing.HEAD, packed.commit("d1", map[string]string{"d.txt": key(11) + "\n"}, c10)))
	got, _, _, _ = runHistory(t, packed, Options{}, HistoryOptions{Since: "main"})
	checkFindings(t, "detached HEAD", got, []string{"d.txt:1:1 d1 in HEAD", "feature.go:1:12 f1", "tagged.txt:1:1 g1"})

	// From a subdirectory of the work tree, the repository is found above.
	sub := filepath.Join(packed.dir, "deep", "dir")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	repo, err := OpenRepository(sub)
	if err != nil || repo.Root() != packed.dir {
		t.Errorf("OpenRepository(subdirectory): %v, root %v", err, repo)
	}
	if _, err := OpenRepository(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("not a repository: %v", err)
	}
}

// TestHistoryShallow: the shallow commit counts as a root, so the keys it
// carries are introduced by it; a warning says history is cut.
func TestHistoryShallow(t *testing.T) {
	t.Parallel()
	hr := scenario(t, false)
	var c5 plumbing.Hash
	for h, l := range hr.labels {
		if l == "c5" {
			c5 = h
		}
	}
	if err := hr.r.Storer.SetShallow([]plumbing.Hash{c5}); err != nil {
		t.Fatal(err)
	}
	got, _, _, warn := runHistory(t, hr, Options{}, HistoryOptions{Branch: "feature"})
	want := []string{"README:2:1 c7 in HEAD", "app/settings.py:3:8 c5", "app/settings.py:3:70 c5", "feature.go:1:12 f1", "tmp/dump.txt:1:6 c5"}
	checkFindings(t, "shallow", got, want)
	if !strings.Contains(warn, "shallow clone") || !strings.Contains(warn, "--unshallow") {
		t.Errorf("no shallow warning: %q", warn)
	}
}

// TestHistoryStash: refs/stash, its index commit and an older stash entry
// found only in the stash reflog; their findings say that only the stash
// holds them (issue 11), unless a branch reaches the commit too.
func TestHistoryStash(t *testing.T) {
	t.Parallel()
	hr := newHistRepo(t, false)
	base := map[string]string{"a.txt": "a\n"}
	c1 := hr.commit("c1", base)
	hr.branch("main", c1)
	i1 := hr.commit("i1", with(base, "staged.txt", key(1)+"\n"), c1)
	w1 := hr.commit("w1", with(base, "staged.txt", key(1)+"\n", "a.txt", "a\n"+key(2)+"\n"), c1, i1)
	i0 := hr.commit("i0", base, c1)
	w0 := hr.commit("w0", with(base, "old.txt", key(3)+"\n"), c1, i0)
	hr.setRef(plumbing.NewHashReference("refs/stash", w1))
	log := fmt.Sprintf("%s %s Dev <d@example.com> 1700000000 +0000\tWIP on main\n%s %s Dev <d@example.com> 1700000100 +0000\tWIP on main\n",
		plumbing.ZeroHash, w0, w0, w1)
	if err := os.MkdirAll(filepath.Join(hr.dir, ".git", "logs", "refs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hr.dir, ".git", "logs", "refs", "stash"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, _, _ := runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "stash", got, []string{"a.txt:2:1 w1 stash only", "old.txt:1:1 w0 stash only", "staged.txt:1:1 i1 stash only"})
	hr.branch("keep", w0) // a branch made from the old stash entry
	got, _, _, _ = runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "stash with a branch", got, []string{"a.txt:2:1 w1 stash only", "old.txt:1:1 w0", "staged.txt:1:1 i1 stash only"})
}

// TestHistoryOddObjects: a missing blob and a missing tree are warnings
// counted in the stats, and the rest of the history is still scanned; a
// submodule is a warning, given once; a tag naming a blob is scanned.
func TestHistoryOddObjects(t *testing.T) {
	t.Parallel()
	hr := newHistRepo(t, false)
	files := map[string]string{
		"lost.txt":     key(1) + "\n",
		"kept.txt":     key(2) + "\n",
		"gone/x.txt":   key(3) + "\n",
		"vendor/lib":   "\x00gitlink:" + strings.Repeat("ab", 20),
		"vendor/other": "\x00gitlink:" + strings.Repeat("cd", 20),
	}
	c1 := hr.commit("c1", files)
	hr.branch("main", c1)
	hr.annotatedTag("blobtag", hr.blob("pinned "+key(4)+"\n"), plumbing.BlobObject)
	removeObject(t, hr, hr.blob(key(1)+"\n"))
	removeObject(t, hr, hr.tree(map[string]string{"x.txt": key(3) + "\n"}))

	got, fs, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "odd objects", got, []string{"kept.txt:1:1 c1 in HEAD", "refs/tags/blobtag:1:8 "})
	if len(fs) != 2 || fs[1].Commit != "" || fs[1].InHead == nil || *fs[1].InHead {
		t.Errorf("the tagged blob's finding is not without a commit and out of HEAD: %+v", fs)
	}
	if st.SkippedUnreadable != 2 || st.Warnings != 5 { // the blob, the tree (in history, in HEAD, its blob's key), the submodules
		t.Errorf("stats %+v\n%s", st, warn)
	}
	if !strings.Contains(warn, "1 blobs hold keys that no commit or ref read reaches (first: "+hr.blob(key(3)+"\n").String()) {
		t.Errorf("no warning about the key under the missing tree:\n%s", warn)
	}
	if strings.Count(warn, "gitlink entries") != 1 || !strings.Contains(warn, "vendor/lib is a submodule (2 gitlink entries") {
		t.Errorf("submodule warning:\n%s", warn)
	}
	if !strings.Contains(warn, "lost.txt (blob") {
		t.Errorf("missing blob warning:\n%s", warn)
	}
}

// removeObject deletes a loose object, as a damaged repository lacks one.
func removeObject(t *testing.T, hr *histRepo, h plumbing.Hash) {
	t.Helper()
	s := h.String()
	if err := os.Remove(filepath.Join(hr.dir, ".git", "objects", s[:2], s[2:])); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryOptions: allow.paths, max-file-size, --skip-binary, an
// empty repository, progress counts, and emit's error.
func TestHistoryOptions(t *testing.T) {
	t.Parallel()
	hr := scenario(t, false)
	got, _, st, _ := runHistory(t, hr, Options{AllowPaths: []string{"app/**", "*.txt"}}, HistoryOptions{})
	checkFindings(t, "allow paths", got, []string{".env:1:11 c9 in HEAD", "README:2:1 c7 in HEAD", "README:2:10 m1 in HEAD", "README:3:1 c9 in HEAD", "feature.go:1:12 f1", "tmp/dump.txt:1:6 c5"})
	if st.AllowedPaths != 6 {
		t.Errorf("allowed paths %d, want 6", st.AllowedPaths)
	}
	got, _, st, _ = runHistory(t, hr, Options{MaxFileSize: 20}, HistoryOptions{Branch: "feature"})
	checkFindings(t, "max file size", got, nil)
	if st.SkippedTooLarge == 0 {
		t.Errorf("max file size: %+v", st)
	}

	bin := newHistRepo(t, false)
	bin.branch("main", bin.commit("c1", map[string]string{"a.bin": "\x00\x01" + key(1), "a.txt": key(2)}))
	got, _, st, _ = runHistory(t, bin, Options{SkipBinary: true}, HistoryOptions{})
	checkFindings(t, "skip binary", got, []string{"a.txt:1:1 c1 in HEAD"})
	if st.SkippedBinary != 1 {
		t.Errorf("skip binary: %+v", st)
	}

	empty := newHistRepo(t, false)
	got, _, st, warn := runHistory(t, empty, Options{}, HistoryOptions{})
	if len(got) != 0 || st.FilesScanned != 0 || warn != "" {
		t.Errorf("empty repository: %q %+v %q", got, st, warn)
	}

	var last HistoryProgress
	repo, _ := OpenRepository(hr.dir)
	stop := errors.New("stop")
	st, err := mustNew(t, Options{}).Scan(context.Background(), History(repo, HistoryOptions{Progress: func(p HistoryProgress) { last = p }}),
		func(finding.Finding) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("emit's error: got %v", err)
	}
	if last.Commits != 14 || last.Blobs != int64(st.FilesScanned) || last.Bytes != st.BytesScanned {
		t.Errorf("last progress %+v, stats %+v", last, st)
	}
}

// TestHistoryBrokenRefs: a ref file that is empty or holds neither a hash
// nor a symbolic ref, and a broken line of packed-refs, are warnings, as
// git makes them; the other refs, loose and packed, are still scanned, and
// a ref being written (name.lock) is no ref at all.
func TestHistoryBrokenRefs(t *testing.T) {
	t.Parallel()
	hr := newHistRepo(t, false)
	hr.branch("main", hr.commit("c1", map[string]string{"a.txt": key(1) + "\n"}))
	packed := hr.commit("c2", map[string]string{"b.txt": key(2) + "\n"})
	git := filepath.Join(hr.dir, ".git")
	for name, content := range map[string]string{
		"refs/heads/empty":     "",
		"refs/heads/junk":      "junk\n",
		"refs/heads/main.lock": "junk\n",
		"packed-refs": "# pack-refs with: peeled fully-peeled sorted\n" +
			"not a ref line\n" +
			packed.String() + " refs/tags/packed\n",
	} {
		if err := os.WriteFile(filepath.Join(git, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, _, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "broken refs", got, []string{"a.txt:1:1 c1 in HEAD", "b.txt:1:1 c2"})
	for _, w := range []string{
		"refs/heads/empty: broken ref (an empty file); ignored",
		"refs/heads/junk: broken ref (neither a commit hash nor a symbolic ref); ignored",
		"packed-refs: line 2 is not a commit hash and a ref name; ignored",
	} {
		if !strings.Contains(warn, w) {
			t.Errorf("no warning %q in:\n%s", w, warn)
		}
	}
	if strings.Contains(warn, "main.lock") || st.Warnings != 3 {
		t.Errorf("%d warnings:\n%s", st.Warnings, warn)
	}
}
