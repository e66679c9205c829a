package gitrepo

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/fixture/gogit"
)

// TestStagedCacheTree: a valid cache-tree node equal to HEAD's tree is
// trusted (the directory is not read), and one whose entry count does not
// match the index is not.
func TestStagedCacheTree(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"a/x.txt": "clean\n", "b/y.txt": "clean\n"})
	sr.Commit("first")
	sr.Stage(map[string]string{"a/x.txt": "changed 1\n", "b/y.txt": "changed 2\n"})
	r, err := WorkTree(sr.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	idx, err := ReadIndex(filepath.Join(r.GitDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, err := r.HeadTree()
	if err != nil {
		t.Fatal(err)
	}
	ht, err := r.Tree(head)
	if err != nil {
		t.Fatal(err)
	}
	sub := map[string]plumbing.Hash{}
	for _, e := range ht.Entries {
		sub[e.Name] = e.Hash
	}
	// a/ claims HEAD's tree (as git would only if nothing below changed);
	// b/ claims it too but with the wrong entry count.
	idx.Tree = &CacheTree{Count: -1, Children: []*CacheTree{
		{Name: "a", Count: 1, Hash: sub["a"]},
		{Name: "b", Count: 2, Hash: sub["b"]},
	}}
	ch, err := r.Diff(idx, head)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, b := range ch.Blobs {
		paths = append(paths, b.Path)
	}
	if !slices.Equal(paths, []string{"b/y.txt"}) {
		t.Errorf("changed paths %q, want b/y.txt", paths)
	}
}
