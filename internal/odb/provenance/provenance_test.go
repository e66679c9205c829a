package provenance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/odb/internal/repotest"
)

// gitChanges lists the changes git log --raw -c reports for revs, less
// deletions and the entries whose blob a parent has, as the history scan
// has always read them: one line per change, "commit path blob parents
// gitlink".
func gitChanges(t *testing.T, dir string, revs ...string) []string {
	t.Helper()
	args := append([]string{"log", "--raw", "-c", "-z", "--no-abbrev", "--no-renames", "--root",
		"--ignore-submodules=none", "--format=%x01%H"}, revs...)
	out := repotest.Git(t, dir, nil, args...)
	var changes []string
	var commit string
	toks := bytes.Split(out, []byte{0})
	for i := 0; i < len(toks); i++ {
		tok := bytes.TrimLeft(toks[i], "\n")
		switch {
		case len(tok) == 0:
		case tok[0] == 1:
			commit = string(tok[1:])
		case tok[0] == ':':
			i++
			if c, ok := gitChange(commit, string(tok), string(toks[i])); ok {
				changes = append(changes, c)
			}
		default:
			t.Fatalf("unexpected git log output %q", tok)
		}
	}
	slices.Sort(changes)
	return changes
}

// gitChange turns one raw entry into a change line, if it is one.
func gitChange(commit, entry, path string) (string, bool) {
	n := len(entry) - len(strings.TrimLeft(entry, ":"))
	f := strings.Fields(entry[n:])
	modes, ids := f[:n+1], f[n+1:2*(n+1)]
	isBlob := func(m string) bool { return strings.HasPrefix(m, "100") || m == "120000" }
	gitlink := modes[n] == "160000"
	if !gitlink && !isBlob(modes[n]) {
		return "", false // deleted
	}
	parents := make([]string, n)
	for i := range n {
		parents[i] = plumbing.ZeroHash.String()
		if isBlob(modes[i]) {
			parents[i] = ids[i]
		}
		if ids[i] == ids[n] && !gitlink {
			return "", false // a parent has this blob: a mode change alone
		}
	}
	return fmt.Sprintf("%s %s %s %v %v", commit, path, ids[n], parents, gitlink), true
}

// changeLine writes a change as gitChange does. git's raw diff of a root
// commit (or a shallow one) has one side, the empty tree, where Parents
// is empty.
func changeLine(c Change) string {
	if len(c.Parents) == 0 {
		c.Parents = []plumbing.Hash{plumbing.ZeroHash}
	}
	ps := make([]string, len(c.Parents))
	for i, p := range c.Parents {
		ps[i] = p.String()
	}
	return fmt.Sprintf("%s %s %s %v %v", c.Commit, c.Path, c.Blob, ps, c.Gitlink)
}

// list runs Changes and returns its changes as sorted lines.
func list(t *testing.T, s *odb.Store, o Options) []string {
	t.Helper()
	var got []string
	o.OnError = func(err error) { t.Errorf("OnError: %v", err) }
	err := Changes(context.Background(), s, o, func(c Change) error {
		got = append(got, changeLine(c))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

func refTips(t *testing.T, dir string) []plumbing.Hash {
	var tips []plumbing.Hash
	out := repotest.Git(t, dir, nil, "for-each-ref", "--format=%(objectname)^{commit}")
	for line := range strings.Lines(string(out)) {
		id := repotest.Git(t, dir, nil, "rev-parse", strings.TrimSpace(line))
		tips = append(tips, plumbing.NewHash(strings.TrimSpace(string(id))))
	}
	return tips
}

func openStore(t *testing.T, dir string) *odb.Store {
	s, err := odb.Open(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func diffLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("%s: extra change %s", what, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: missing change %s", what, w)
		}
	}
}

func TestChangesMatchGitLog(t *testing.T) {
	fixture.EndToEnd(t) // git writes and diffs a 300-commit history
	fixture.NeedGit(t)
	t.Parallel()
	dir := t.TempDir()
	repotest.History(t, dir, 300, 5)
	repotest.Git(t, dir, nil, "repack", "-adq")
	s := openStore(t, dir)
	tips := refTips(t, dir)
	want := gitChanges(t, dir, "--all")
	if len(want) < 200 {
		t.Fatalf("only %d changes: the history is too simple to test", len(want))
	}
	diffLines(t, "all changes", list(t, s, Options{Tips: tips}), want)
	// The commits read ahead by a walk, all of them or every other one
	// (the rest read from the store).
	diffLines(t, "commits read ahead", list(t, s, Options{Tips: tips, Commits: readAhead(t, s, 2, 1)}), want)
	diffLines(t, "half the commits read ahead", list(t, s, Options{Tips: tips, Commits: readAhead(t, s, 1, 2)}), want)

	// A range: commits reachable from main and not from a tag.
	tag := plumbing.NewHash(strings.TrimSpace(string(repotest.Git(t, dir, nil, "rev-parse", "v104^{commit}"))))
	main := plumbing.NewHash(strings.TrimSpace(string(repotest.Git(t, dir, nil, "rev-parse", "main"))))
	diffLines(t, "range", list(t, s, Options{Tips: []plumbing.Hash{main}, Exclude: []plumbing.Hash{tag}}), gitChanges(t, dir, "v104..main"))
	// Known: the same range, told commit by commit which ones to leave
	// out (as a pre-receive hook tells the commits it already had)
	// rather than by a tip whose history is walked.
	known := make(map[plumbing.Hash]bool)
	for line := range strings.Lines(string(repotest.Git(t, dir, nil, "rev-list", "v104"))) {
		known[plumbing.NewHash(strings.TrimSpace(line))] = true
	}
	isKnown := func(id plumbing.Hash) bool { return known[id] }
	diffLines(t, "known", list(t, s, Options{Tips: []plumbing.Hash{main}, Known: isKnown}), gitChanges(t, dir, "v104..main"))

	// Hits: several sets of a few blobs, only their changes (and
	// gitlinks). Each set judges trees differently: a tree that comes
	// back at a path, a reference version under judgement, a merge.
	for k := range 6 {
		hits := make(map[plumbing.Hash]bool)
		var wantHits []string
		for i, w := range want {
			f := strings.Fields(w)
			if i%(11+k*7) == k && f[len(f)-1] == "false" {
				hits[plumbing.NewHash(f[2])] = true
			}
		}
		for _, w := range want {
			f := strings.Fields(w)
			if hits[plumbing.NewHash(f[2])] || f[len(f)-1] == "true" {
				wantHits = append(wantHits, w)
			}
		}
		for _, workers := range []int{1, 2} {
			diffLines(t, fmt.Sprintf("hits %d, %d workers", k, workers), list(t, s, Options{Tips: tips, Hits: hits, Workers: workers}), wantHits)
		}
	}
}

func TestShallowClone(t *testing.T) {
	fixture.NeedGit(t)
	t.Parallel()
	src, dir := t.TempDir(), t.TempDir()
	repotest.History(t, src, 60, 9)
	repotest.Git(t, dir, nil, "clone", "-q", "--bare", "--depth=5", "--no-local", "file://"+src, ".")
	shallow := make(map[plumbing.Hash]bool)
	b, err := os.ReadFile(filepath.Join(dir, "shallow"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		shallow[plumbing.NewHash(strings.TrimSpace(line))] = true
	}
	if len(shallow) == 0 {
		t.Fatal("the clone is not shallow")
	}
	s := openStore(t, dir)
	diffLines(t, "shallow", list(t, s, Options{Tips: refTips(t, dir), Shallow: shallow}), gitChanges(t, dir, "--all"))
	diffLines(t, "shallow, commits read ahead", list(t, s, Options{Tips: refTips(t, dir), Shallow: shallow, Commits: readAhead(t, s, 2, 1)}), gitChanges(t, dir, "--all"))
}

// readAhead returns the commits of s as a walk on workers goroutines
// reads them ahead, one in every.
func readAhead(t *testing.T, s *odb.Store, workers, every int) *Commits {
	t.Helper()
	c := NewCommits(workers)
	var n [64]int
	err := s.Walk(context.Background(), odb.WalkOptions{Types: []plumbing.ObjectType{plumbing.CommitObject}, Workers: workers}, func(w int, o odb.Object) error {
		if n[w]++; n[w]%every == 0 {
			c.Add(w, o.ID, o.Data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
