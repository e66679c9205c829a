package provenance

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/odb/object"
)

// tree reads a tree through the cache; an unreadable tree is reported
// once while it is cached, naming the commit that holds it.
func (w *walker) tree(id, commitID plumbing.Hash) ([]byte, bool) {
	if t, ok := w.trees.get(id); ok {
		return t, t != nil
	}
	t, err := readTree(w.g.s, id)
	if err != nil {
		w.g.report(fmt.Errorf("commit %s: %w", commitID, err))
	}
	w.trees.put(id, t)
	return t, t != nil
}

// readTree reads tree id: its data, never nil without an error. The data
// may be shared with the store's cache and must not be modified.
func readTree(s *odb.Store, id plumbing.Hash) ([]byte, error) {
	typ, data, err := s.Read(id)
	if err == nil && typ != plumbing.TreeObject {
		err = fmt.Errorf("a %s, not a tree", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", id, err)
	}
	if data == nil {
		data = []byte{} // empty, not unreadable
	}
	return data, nil
}

// treeCache keeps the trees read lately, in two generations: when the
// current one is full it becomes the old one, and a tree found in the old
// one moves back to the current. That is nearly an LRU at a map's cost.
type treeCache struct {
	cur, old map[plumbing.Hash][]byte
}

// treeCacheSize is how many trees one generation holds: enough for the
// trees of a commit and of its parents in a large repository.
const treeCacheSize = 4096

func (c *treeCache) get(id plumbing.Hash) ([]byte, bool) {
	if t, ok := c.cur[id]; ok {
		return t, true
	}
	t, ok := c.old[id]
	if ok {
		c.put(id, t)
	}
	return t, ok
}

func (c *treeCache) put(id plumbing.Hash, t []byte) {
	if len(c.cur) >= treeCacheSize || c.cur == nil {
		c.old, c.cur = c.cur, make(map[plumbing.Hash][]byte, treeCacheSize)
	}
	c.cur[id] = t
}

// Blobs calls fn with the path and id of every blob under tree, depth
// first in the tree's order; paths start with prefix ("", or ending in
// "/" or ":", as "ref:" for a ref that names a tree). Gitlinks are left
// out. A subtree that cannot be read or parsed is passed to bad, naming
// it, and the rest of the tree is still listed; an error from fn stops
// the listing and is returned.
func Blobs(s *odb.Store, tree plumbing.Hash, prefix string, fn func(path string, blob plumbing.Hash) error, bad func(error)) error {
	t, err := readTree(s, tree)
	if err != nil {
		bad(fmt.Errorf("%s: %w", strings.TrimSuffix(prefix, "/"), err))
		return nil
	}
	it := object.NewTreeIter(t)
	var e object.TreeEntry
	for it.Next(&e) {
		p := prefix + string(e.Name)
		switch {
		case e.IsTree():
			err = Blobs(s, e.ID, p+"/", fn, bad)
		case e.IsBlob():
			err = fn(p, e.ID)
		}
		if err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		bad(fmt.Errorf("%s: tree %s: %w", strings.TrimSuffix(prefix, "/"), tree, err))
	}
	return nil
}
