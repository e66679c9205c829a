package scanner

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// stagedBlob is a blob that the next commit would hold at path.
type stagedBlob struct {
	path  string
	hash  plumbing.Hash
	stage int // 0; 2 (ours) or 3 (theirs) for a path with a merge conflict
	// head is HEAD's blob at path, zero when HEAD has none there (a new
	// path, or one that was a directory or a submodule).
	head plumbing.Hash
}

// stagedRemoved is what HEAD holds at a path the index no longer has: a
// blob, or a whole directory's tree.
type stagedRemoved struct {
	path string
	hash plumbing.Hash
	tree bool
}

// stagedChanges is the index compared with HEAD.
type stagedChanges struct {
	blobs   []stagedBlob    // in the index's order
	removed []stagedRemoved // where renamed and moved keys come from
}

// stagedIsBlob reports whether an entry of mode m holds a blob: a file of
// any 100xxx mode, or a symbolic link (whose target is its content).
func stagedIsBlob(m filemode.FileMode) bool {
	return m&0o170000 == 0o100000 || m == filemode.Symlink
}

// diff compares idx with HEAD's tree head (zero before the first commit)
// and returns the blobs that differ. It reads only the trees it must: a
// directory whose cache-tree node is valid and equal to HEAD's tree there
// holds no change, so with git's index only the directories on the paths
// of staged changes are read.
func (r *indexRepo) diff(idx *gitIndex, head plumbing.Hash) (*stagedChanges, error) {
	ch := &stagedChanges{}
	return ch, r.diffDir(ch, "", idx.entries, head, idx.tree)
}

// diffDir compares the index entries below the directory prefix ("" or
// ending in "/") with HEAD's tree there.
func (r *indexRepo) diffDir(ch *stagedChanges, prefix string, entries []indexEntry, head plumbing.Hash, ct *cacheTree) error {
	if ct != nil && ct.count == len(entries) && !head.IsZero() && ct.hash == head {
		return nil
	}
	heads := map[string]object.TreeEntry{}
	if !head.IsZero() {
		t, err := r.tree(head)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			heads[e.Name] = e
		}
	}
	// take returns HEAD's entry called name, removing it from heads: what
	// is left at the end is what the index removed.
	take := func(name string) (object.TreeEntry, bool) {
		he, ok := heads[name]
		delete(heads, name)
		return he, ok
	}
	for i := 0; i < len(entries); {
		e := &entries[i]
		rest := e.path[len(prefix):]
		if e.sparseDir() {
			name := strings.TrimSuffix(rest, "/")
			he, ok := take(name)
			i++
			if ok && he.Mode == filemode.Dir && he.Hash == e.hash {
				continue
			}
			sub, err := r.listTree(prefix+name+"/", e.hash)
			if err != nil {
				return err
			}
			if err := r.diffDir(ch, prefix+name+"/", sub, r.subtree(ch, prefix, name, he, ok), nil); err != nil {
				return err
			}
			continue
		}
		if slash := strings.IndexByte(rest, '/'); slash >= 0 {
			name := rest[:slash]
			dir := prefix + name + "/"
			j := i + 1
			for j < len(entries) && strings.HasPrefix(entries[j].path, dir) {
				j++ // paths with a common prefix are contiguous in the index
			}
			he, ok := take(name)
			if err := r.diffDir(ch, dir, entries[i:j], r.subtree(ch, prefix, name, he, ok), ct.child(name)); err != nil {
				return err
			}
			i = j
			continue
		}
		var old plumbing.Hash
		if he, ok := take(rest); ok {
			if stagedIsBlob(he.Mode) {
				old = he.Hash
			} else {
				ch.removeHead(prefix+rest, he)
			}
		}
		j := i + 1
		for j < len(entries) && entries[j].path == e.path {
			j++ // the stages of one path
		}
		for _, x := range entries[i:j] {
			if x.stage == 1 || x.intentToAdd || !stagedIsBlob(x.mode) || x.hash == old {
				continue // the merge base, a path without content, a submodule, or unchanged
			}
			ch.blobs = append(ch.blobs, stagedBlob{path: x.path, hash: x.hash, stage: x.stage, head: old})
		}
		i = j
	}
	for name, he := range heads {
		ch.removeHead(prefix+name, he)
	}
	return nil
}

// subtree returns the hash of HEAD's tree at the directory prefix+name,
// zero when HEAD has none there (a file it had there was removed).
func (r *indexRepo) subtree(ch *stagedChanges, prefix, name string, he object.TreeEntry, ok bool) plumbing.Hash {
	switch {
	case !ok:
		return plumbing.ZeroHash
	case he.Mode == filemode.Dir:
		return he.Hash
	}
	ch.removeHead(prefix+name, he)
	return plumbing.ZeroHash
}

// removeHead records HEAD's entry at p, which the index does not have.
func (ch *stagedChanges) removeHead(p string, he object.TreeEntry) {
	switch {
	case he.Mode == filemode.Dir:
		ch.removed = append(ch.removed, stagedRemoved{path: p, hash: he.Hash, tree: true})
	case stagedIsBlob(he.Mode):
		ch.removed = append(ch.removed, stagedRemoved{path: p, hash: he.Hash})
	}
}

// listTree returns the blobs and submodules below tree h as index
// entries at stage 0, with paths starting with prefix. They come in the
// index's order: a tree sorts a directory as if its name ended in "/",
// which is where its paths fall among the index's.
func (r *indexRepo) listTree(prefix string, h plumbing.Hash) ([]indexEntry, error) {
	var out []indexEntry
	var walk func(prefix string, h plumbing.Hash, depth int) error
	walk = func(prefix string, h plumbing.Hash, depth int) error {
		t, err := r.tree(h)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			if e.Mode == filemode.Dir {
				if depth < maxTreeDepth {
					if err := walk(prefix+e.Name+"/", e.Hash, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			out = append(out, indexEntry{path: prefix + e.Name, mode: e.Mode, hash: e.Hash})
		}
		return nil
	}
	if err := walk(prefix, h, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// maxTreeDepth bounds the nesting of trees followed, so that a corrupt or
// hostile repository cannot recurse without end.
const maxTreeDepth = 4096
