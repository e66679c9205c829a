package gitrepo

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	odbobject "github.com/clarolint/clarolint/internal/odb/object"
)

// Staged is a blob that the next commit would hold at Path.
type Staged struct {
	Path  string
	Hash  plumbing.Hash
	Stage int // 0; 2 (ours) or 3 (theirs) for a path with a merge conflict
	// Head is HEAD's blob at Path, zero when HEAD has none there (a new
	// path, or one that was a directory or a submodule).
	Head plumbing.Hash
}

// Removed is what HEAD holds at a path the index no longer has: a blob,
// or a whole directory's tree.
type Removed struct {
	Path string
	Hash plumbing.Hash
	Tree bool
}

// Changes is the index compared with HEAD.
type Changes struct {
	Blobs   []Staged  // in the index's order
	Removed []Removed // where renamed and moved keys come from
}

// Diff compares idx with HEAD's tree head (zero before the first commit)
// and returns the blobs that differ. It reads only the trees it must: a
// directory whose cache-tree node is valid and equal to HEAD's tree there
// holds no change, so with git's index only the directories on the paths
// of staged changes are read.
func (r *Repo) Diff(idx *Index, head plumbing.Hash) (*Changes, error) {
	ch := &Changes{}
	return ch, r.diffDir(ch, "", idx.Entries, head, idx.Tree)
}

// diffDir compares the index entries below the directory prefix ("" or
// ending in "/") with HEAD's tree there.
func (r *Repo) diffDir(ch *Changes, prefix string, entries []Entry, head plumbing.Hash, ct *CacheTree) error {
	if ct != nil && ct.Count == len(entries) && !head.IsZero() && ct.Hash == head {
		return nil
	}
	heads := map[string]object.TreeEntry{}
	if !head.IsZero() {
		t, err := r.Tree(head)
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
		rest := e.Path[len(prefix):]
		if e.SparseDir() {
			name := strings.TrimSuffix(rest, "/")
			he, ok := take(name)
			i++
			if ok && he.Mode == filemode.Dir && he.Hash == e.Hash {
				continue
			}
			sub, err := r.listTree(prefix+name+"/", e.Hash)
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
			for j < len(entries) && strings.HasPrefix(entries[j].Path, dir) {
				j++ // paths with a common prefix are contiguous in the index
			}
			he, ok := take(name)
			if err := r.diffDir(ch, dir, entries[i:j], r.subtree(ch, prefix, name, he, ok), ct.Child(name)); err != nil {
				return err
			}
			i = j
			continue
		}
		var old plumbing.Hash
		if he, ok := take(rest); ok {
			if odbobject.IsBlob(he.Mode) {
				old = he.Hash
			} else {
				ch.removeHead(prefix+rest, he)
			}
		}
		j := i + 1
		for j < len(entries) && entries[j].Path == e.Path {
			j++ // the stages of one path
		}
		for _, x := range entries[i:j] {
			if x.Stage == 1 || x.IntentToAdd || !odbobject.IsBlob(x.Mode) || x.Hash == old {
				continue // the merge base, a path without content, a submodule, or unchanged
			}
			ch.Blobs = append(ch.Blobs, Staged{Path: x.Path, Hash: x.Hash, Stage: x.Stage, Head: old})
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
func (r *Repo) subtree(ch *Changes, prefix, name string, he object.TreeEntry, ok bool) plumbing.Hash {
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
func (ch *Changes) removeHead(p string, he object.TreeEntry) {
	switch {
	case he.Mode == filemode.Dir:
		ch.Removed = append(ch.Removed, Removed{Path: p, Hash: he.Hash, Tree: true})
	case odbobject.IsBlob(he.Mode):
		ch.Removed = append(ch.Removed, Removed{Path: p, Hash: he.Hash})
	}
}

// listTree returns the blobs and submodules below tree h as index
// entries at stage 0, with paths starting with prefix, in the index's
// order: a tree sorts a directory as if its name ended in "/", which is
// where its paths fall among the index's. A tree that cannot be read is an
// error.
func (r *Repo) listTree(prefix string, h plumbing.Hash) ([]Entry, error) {
	var out []Entry
	err := r.WalkTree(h, prefix, func(p string, e object.TreeEntry) error {
		out = append(out, Entry{Path: p, Mode: e.Mode, Hash: e.Hash})
		return nil
	}, func(_ string, err error) error { return err })
	return out, err
}

// WalkTree calls visit with the path (prefix and the entry's path below
// tree h) of every entry below h that is not a tree: blobs, symbolic links
// and gitlinks, in git's order. A subtree that cannot be read is passed to
// broken, which ends the walk by returning an error or goes on past the
// subtree by returning nil. Nesting deeper than maxTreeDepth is not
// followed.
func (r *Repo) WalkTree(h plumbing.Hash, prefix string, visit func(path string, e object.TreeEntry) error, broken func(path string, err error) error) error {
	var walk func(prefix string, h plumbing.Hash, depth int) error
	walk = func(prefix string, h plumbing.Hash, depth int) error {
		t, err := r.Tree(h)
		if err != nil {
			return broken(strings.TrimSuffix(prefix, "/"), err)
		}
		for _, e := range t.Entries {
			if e.Mode != filemode.Dir {
				if err := visit(prefix+e.Name, e); err != nil {
					return err
				}
			} else if depth < maxTreeDepth {
				if err := walk(prefix+e.Name+"/", e.Hash, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(prefix, h, 0)
}

// maxTreeDepth bounds the nesting of trees followed, so that a corrupt or
// hostile repository cannot recurse without end.
const maxTreeDepth = 4096
