package odb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/odb/internal/repotest"
)

// catFileAll returns every object of the repository at dir, as git
// cat-file --batch-all-objects reads them.
func catFileAll(t *testing.T, dir string) map[plumbing.Hash]Object {
	t.Helper()
	out := repotest.Git(t, dir, nil, "cat-file", "--batch-all-objects", "--batch")
	objs := make(map[plumbing.Hash]Object)
	r := bufio.NewReader(bytes.NewReader(out))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return objs
		}
		var id, typ string
		var size int
		if _, err := fmt.Sscanf(line, "%s %s %d", &id, &typ, &size); err != nil {
			t.Fatalf("cat-file header %q: %v", line, err)
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(r, data); err != nil {
			t.Fatal(err)
		}
		ot, _ := plumbing.ParseObjectType(typ)
		objs[plumbing.NewHash(id)] = Object{ID: plumbing.NewHash(id), Type: ot, Data: data[:size]}
	}
}

// compareWithGit checks that a walk of the repository at dir delivers
// exactly git's objects, each once, with git's content.
func compareWithGit(t *testing.T, dir string, o WalkOptions) {
	t.Helper()
	want := catFileAll(t, dir)
	got := walkAll(t, openStore(t, filepath.Join(dir, "objects")), o)
	if len(got.errs) > 0 {
		t.Fatalf("errors: %v", got.errs)
	}
	if len(got.objects) != len(want) {
		t.Errorf("walk delivered %d objects, git has %d", len(got.objects), len(want))
	}
	for id, w := range want {
		g, ok := got.objects[id]
		if !ok || g.Type != w.Type || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("object %s: walk gave %v of %d bytes (found %v), git %v of %d", id, g.Type, len(g.Data), ok, w.Type, len(w.Data))
		}
	}
}

func TestWalkMatchesGit(t *testing.T) {
	fixture.EndToEnd(t) // git writes and reads back a 150-commit history
	fixture.NeedGit(t)
	t.Parallel()
	dir := t.TempDir()
	repotest.History(t, dir, 150, 1)
	repotest.Git(t, dir, nil, "repack", "-adfq", "--depth=20")
	t.Run("one pack", func(t *testing.T) { compareWithGit(t, dir, WalkOptions{Workers: 2}) })

	// Another history in a second pack, written with REF deltas (no
	// --delta-base-offset), and kept.
	extra := t.TempDir()
	repotest.History(t, extra, 60, 3)
	list := repotest.Git(t, extra, nil, "rev-list", "--objects", "--all")
	pack := repotest.Git(t, extra, list, "pack-objects", "--window=10", "--stdout")
	repotest.Git(t, dir, pack, "index-pack", "--stdin", "--keep=test")
	t.Run("with a kept pack of REF deltas", func(t *testing.T) { compareWithGit(t, dir, WalkOptions{}) })

	// A promisor pack, loose objects, and one object both packed and
	// loose.
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	os.WriteFile(strings.TrimSuffix(packs[0], ".pack")+".promisor", nil, 0o644)
	objs := dir + "/objects"
	writeLoose(t, objs, plumbing.BlobObject, []byte("a loose blob\n"))
	typ, data, err := openStore(t, objs).Read(plumbing.NewHash(strings.TrimSpace(string(repotest.Git(t, dir, nil, "rev-parse", "main:"+firstBlobPath(t, dir))))))
	if err != nil || typ != plumbing.BlobObject {
		t.Fatalf("Read: %v %v", typ, err)
	}
	writeLoose(t, objs, plumbing.BlobObject, data)
	t.Run("with loose objects and a promisor pack", func(t *testing.T) { compareWithGit(t, dir, WalkOptions{Workers: 3}) })

	repotest.Git(t, dir, nil, "multi-pack-index", "write")
	t.Run("with a multi-pack-index", func(t *testing.T) { compareWithGit(t, dir, WalkOptions{}) })
}

// firstBlobPath returns the path of a blob in main's tree.
func firstBlobPath(t *testing.T, dir string) string {
	for line := range strings.Lines(string(repotest.Git(t, dir, nil, "ls-tree", "-r", "main"))) {
		if f := strings.Fields(line); len(f) == 4 && f[1] == "blob" {
			return f[3]
		}
	}
	t.Fatal("no blob in main")
	return ""
}
