package provenance

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/clarolint/clarolint/internal/odb/object"
)

// listCommit lists the changes of commit id against its parents.
func (w *walker) listCommit(id plumbing.Hash, c *commit) error {
	root, ok := w.tree(c.tree, id)
	if !ok {
		return nil
	}
	parents := make([][]byte, len(c.parents))
	var first plumbing.Hash
	for i, p := range c.parents {
		if pc := w.g.commits[p]; pc != nil {
			parents[i], _ = w.tree(pc.tree, p) // nil: read as empty, so its paths count as added
			if i == 0 {
				first = pc.tree
			}
		}
	}
	if !w.isHotAt("", c.tree, first, id) {
		return nil
	}
	return w.diff(id, "", c.tree, root, parents)
}

// cursor reads a parent tree along with the tree being diffed.
type cursor struct {
	it object.TreeIter
	e  object.TreeEntry
	ok bool
}

// seek advances to e's path and returns the entry there, or nil. The
// entry is valid until the next seek.
func (c *cursor) seek(e *object.TreeEntry) *object.TreeEntry {
	for c.ok {
		// Most entries of a tree and its parent's are at the same
		// path: compare their names for equality first, cheaply.
		if string(c.e.Name) == string(e.Name) && c.e.IsTree() == e.IsTree() {
			return &c.e
		}
		if object.CompareEntries(&c.e, e) >= 0 {
			break
		}
		c.ok = c.it.Next(&c.e)
	}
	if c.ok && object.CompareEntries(&c.e, e) == 0 {
		return &c.e
	}
	return nil
}

// diff lists the entries of tree t (tree id) whose blob differs from the
// entry at the same path in every parent tree (nil for a parent without
// that path). A subtree equal to a parent's is skipped whole: nothing
// under it differs from that parent; so is one that holds no hit. The
// runs of entries that t shares byte for byte with its first parent's
// tree are skipped unparsed (splitSame). Entries are in git's order, so
// each parent is merged along in one pass. A malformed tree is reported,
// and its entries up to the damage are listed.
func (w *walker) diff(commitID plumbing.Hash, dir string, id plumbing.Hash, t []byte, parents [][]byte) error {
	cur := make([]cursor, len(parents))
	if len(parents) > 0 && parents[0] != nil {
		t, parents[0] = splitSame(t, parents[0])
	}
	for k := range cur {
		cur[k].it = object.NewTreeIter(parents[k])
		cur[k].ok = cur[k].it.Next(&cur[k].e)
	}
	match := make([]*object.TreeEntry, len(parents))
	it := object.NewTreeIter(t)
	var e object.TreeEntry
	for it.Next(&e) {
		same := false
		for k := range cur {
			match[k] = cur[k].seek(&e)
			same = same || match[k] != nil && match[k].ID == e.ID
		}
		if same {
			continue
		}
		if err := w.change(commitID, dir, &e, match); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		w.g.report(fmt.Errorf("commit %s: tree %s: %w", commitID, id, err))
	}
	return nil
}

// change lists entry e of directory dir, which differs from every
// parent's entry at its path, match.
func (w *walker) change(commitID plumbing.Hash, dir string, e *object.TreeEntry, match []*object.TreeEntry) error {
	switch {
	case e.IsTree():
		return w.diffSubtree(commitID, join(dir, e.Name), e, match)
	case e.Mode == filemode.Submodule:
		return w.emit(Change{Commit: commitID, Path: join(dir, e.Name), Blob: e.ID, Gitlink: true, Parents: parentBlobs(match)})
	case e.IsBlob() && (w.g.o.Hits == nil || w.g.isHit(e.ID)):
		return w.emit(Change{Commit: commitID, Path: join(dir, e.Name), Blob: e.ID, Parents: parentBlobs(match)})
	}
	return nil
}

// join returns the path of name in directory dir.
func join(dir string, name []byte) string {
	if dir == "" {
		return string(name)
	}
	return dir + "/" + string(name)
}

// diffSubtree descends into subtree e at path p, unless it holds no hit.
func (w *walker) diffSubtree(commitID plumbing.Hash, p string, e *object.TreeEntry, match []*object.TreeEntry) error {
	var first plumbing.Hash
	if len(match) > 0 && match[0] != nil && match[0].IsTree() {
		first = match[0].ID
	}
	if !w.isHotAt(p, e.ID, first, commitID) {
		return nil
	}
	sub, ok := w.tree(e.ID, commitID)
	if !ok {
		return nil
	}
	subs := make([][]byte, len(match))
	for k, m := range match {
		if m != nil && m.IsTree() {
			subs[k], _ = w.tree(m.ID, commitID)
		}
	}
	return w.diff(commitID, p, e.ID, sub, subs)
}

// parentBlobs returns the blob of each parent's matching entry, or the
// zero hash.
func parentBlobs(match []*object.TreeEntry) []plumbing.Hash {
	if len(match) == 0 {
		return nil
	}
	out := make([]plumbing.Hash, len(match))
	for k, m := range match {
		if m != nil && m.IsBlob() {
			out[k] = m.ID
		}
	}
	return out
}
