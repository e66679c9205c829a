package provenance

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/clarolint/clarolint/internal/odb"
)

// Options selects the commits whose changes Changes lists.
type Options struct {
	// Tips are the commits to walk from, Exclude those whose history is
	// left out (git log Tips ^Exclude): a commit reachable from Exclude
	// is not listed, though it is still read as the parent of a listed
	// commit, so that a range's first commits are diffed against what
	// they changed.
	Tips, Exclude []plumbing.Hash
	// Shallow are the commits whose parents a shallow clone lacks: they
	// are diffed against nothing, as root commits are.
	Shallow map[plumbing.Hash]bool
	// Hits, when not nil, restricts the listing to changes whose blob is
	// in Hits, and gitlinks: only the subtrees that hold one of them at
	// some depth are read (each tree is judged once), which costs far
	// less than diffing every commit. Nil lists every change.
	Hits map[plumbing.Hash]bool
	// OnError receives each commit or tree that cannot be read, as an
	// error naming it. An unreadable commit is not listed and its
	// history is not walked through it; an unreadable parent tree counts
	// as empty, so the commit's paths count as added. Nil ignores them.
	OnError func(error)
}

// Change is a commit putting a blob at a path where none of its parents
// has that blob: what `git log --raw -c --no-renames --root` lists, less
// deletions and the entries whose blob one parent already has (a mode
// change alone). A merge lists only the paths whose blob differs from
// every parent's, as git's combined diff does. A gitlink (a submodule's
// commit) is listed as a change with Gitlink set and never followed.
type Change struct {
	Commit plumbing.Hash
	Path   string // slash-separated, from the root of the commit's tree
	Blob   plumbing.Hash
	// Gitlink says that Blob is a submodule's commit, not a blob.
	Gitlink bool
	// Parents holds, for each parent of the commit in order, the blob at
	// Path in that parent, or the zero hash where it has none (or has a
	// subtree or a gitlink there). It is empty for a root commit or a
	// shallow one. Those blobs need not be hits: the caller reads them to
	// tell which keys are new.
	Parents []plumbing.Hash
}

// Changes calls fn with each change of the commits reachable from
// o.Tips and not from o.Exclude, commit by commit, depth first along
// first parents from each tip in turn; within a commit, in the tree's
// order. fn is never called concurrently; its error stops the walk and
// is returned, as is ctx's.
//
// Replace refs (refs/replace/) and info/grafts are never applied: a
// commit's parents are the ones it names, so that a hostile repository
// cannot hide commits from a scan by grafting history away.
func Changes(ctx context.Context, s *odb.Store, o Options, fn func(Change) error) error {
	w := &walker{s: s, o: o, fn: fn, commits: make(map[plumbing.Hash]*commit), hot: make(map[plumbing.Hash]bool)}
	excluded := make(map[plumbing.Hash]bool)
	err := w.walkCommits(ctx, o.Exclude, nil, func(id plumbing.Hash, _ *commit) error {
		excluded[id] = true
		return nil
	})
	if err != nil {
		return err
	}
	return w.walkCommits(ctx, o.Tips, excluded, w.listCommit)
}

// walker is the state of one Changes call.
type walker struct {
	s       *odb.Store
	o       Options
	fn      func(Change) error
	commits map[plumbing.Hash]*commit // read so far; nil when unreadable
	trees   treeCache
	hot     map[plumbing.Hash]bool // by tree: whether it holds a hit or a gitlink
	parsed  odb.Commit             // ParseCommit's reused storage
}

// commit is what the walk keeps of a commit.
type commit struct {
	tree    plumbing.Hash
	parents []plumbing.Hash
}

// walkCommits calls fn for each commit reachable from starts and not in
// skip, once, depth first along first parents.
func (w *walker) walkCommits(ctx context.Context, starts []plumbing.Hash, skip map[plumbing.Hash]bool, fn func(plumbing.Hash, *commit) error) error {
	seen := make(map[plumbing.Hash]bool)
	stack := make([]plumbing.Hash, 0, len(starts))
	for i := len(starts) - 1; i >= 0; i-- {
		stack = append(stack, starts[i])
	}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] || skip[id] {
			continue
		}
		seen[id] = true
		c := w.commit(id)
		if c == nil {
			continue
		}
		if err := fn(id, c); err != nil {
			return err
		}
		for i := len(c.parents) - 1; i >= 0; i-- {
			stack = append(stack, c.parents[i])
		}
	}
	return nil
}

// commit reads a commit's tree and parents, once; an unreadable commit
// is reported and nil.
func (w *walker) commit(id plumbing.Hash) *commit {
	if c, ok := w.commits[id]; ok {
		return c
	}
	typ, data, err := w.s.Read(id)
	if err == nil && typ != plumbing.CommitObject {
		err = fmt.Errorf("commit %s is a %s", id, typ)
	}
	if err == nil {
		err = odb.ParseCommit(data, &w.parsed)
	}
	if err != nil {
		w.report(fmt.Errorf("read commit %s: %w", id, err))
		w.commits[id] = nil
		return nil
	}
	c := &commit{tree: w.parsed.Tree}
	if !w.o.Shallow[id] {
		c.parents = append([]plumbing.Hash(nil), w.parsed.Parents...)
	}
	w.commits[id] = c
	return c
}

func (w *walker) report(err error) {
	if w.o.OnError != nil {
		w.o.OnError(err)
	}
}

// listCommit lists the changes of commit id against its parents.
func (w *walker) listCommit(id plumbing.Hash, c *commit) error {
	root, ok := w.tree(c.tree, id)
	if !ok || !w.isHot(c.tree, id) {
		return nil
	}
	parents := make([][]odb.TreeEntry, len(c.parents))
	for i, p := range c.parents {
		if pc := w.commit(p); pc != nil {
			parents[i], _ = w.tree(pc.tree, p) // nil: read as empty, so its paths count as added
		}
	}
	return w.diff(id, "", root, parents)
}

// diff lists the entries of t whose blob differs from the entry at the
// same path in every parent tree (nil for a parent without that path).
// A subtree equal to a parent's is skipped whole: nothing under it
// differs from that parent; so is one that holds no hit. Entries of both
// trees are in git's order, so each parent is merged along in one pass.
func (w *walker) diff(commitID plumbing.Hash, dir string, t []odb.TreeEntry, parents [][]odb.TreeEntry) error {
	next := make([]int, len(parents))
	match := make([]*odb.TreeEntry, len(parents))
	for i := range t {
		e := &t[i]
		if matchParents(e, parents, next, match) {
			continue
		}
		p := string(e.Name)
		if dir != "" {
			p = dir + "/" + p
		}
		var err error
		switch {
		case e.IsTree():
			err = w.diffSubtree(commitID, p, e, match)
		case e.Mode == filemode.Submodule:
			err = w.fn(Change{Commit: commitID, Path: p, Blob: e.ID, Gitlink: true, Parents: parentBlobs(match)})
		case e.IsBlob() && (w.o.Hits == nil || w.o.Hits[e.ID]):
			err = w.fn(Change{Commit: commitID, Path: p, Blob: e.ID, Parents: parentBlobs(match)})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// matchParents sets match[k] to the entry of parents[k] at e's path, or
// nil, advancing the cursors next, and reports whether one of them has
// e's object.
func matchParents(e *odb.TreeEntry, parents [][]odb.TreeEntry, next []int, match []*odb.TreeEntry) bool {
	same := false
	for k, p := range parents {
		match[k] = nil
		for next[k] < len(p) && odb.CompareEntries(&p[next[k]], e) < 0 {
			next[k]++
		}
		if next[k] < len(p) && odb.CompareEntries(&p[next[k]], e) == 0 {
			match[k] = &p[next[k]]
			same = same || match[k].ID == e.ID
		}
	}
	return same
}

// diffSubtree descends into subtree e at path p, unless it holds no hit.
func (w *walker) diffSubtree(commitID plumbing.Hash, p string, e *odb.TreeEntry, match []*odb.TreeEntry) error {
	if !w.isHot(e.ID, commitID) {
		return nil
	}
	sub, ok := w.tree(e.ID, commitID)
	if !ok {
		return nil
	}
	subs := make([][]odb.TreeEntry, len(match))
	for k, m := range match {
		if m != nil && m.IsTree() {
			subs[k], _ = w.tree(m.ID, commitID)
		}
	}
	return w.diff(commitID, p, sub, subs)
}

// parentBlobs returns the blob of each parent's matching entry, or the
// zero hash.
func parentBlobs(match []*odb.TreeEntry) []plumbing.Hash {
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

// isHot reports whether tree id holds, at some depth, a hit blob or a
// gitlink; every tree is judged once. Without hits every tree is hot.
func (w *walker) isHot(id, commitID plumbing.Hash) bool {
	if w.o.Hits == nil {
		return true
	}
	if h, ok := w.hot[id]; ok {
		return h
	}
	w.hot[id] = false // a corrupt tree naming itself must not loop
	t, _ := w.tree(id, commitID)
	h := false
	for i := 0; i < len(t) && !h; i++ {
		e := &t[i]
		switch {
		case e.IsTree():
			h = w.isHot(e.ID, commitID)
		case e.Mode == filemode.Submodule:
			h = true
		case e.IsBlob():
			h = w.o.Hits[e.ID]
		}
	}
	w.hot[id] = h
	return h
}

// tree reads and parses a tree through the cache; an unreadable tree is
// reported once while it is cached, naming the commit that holds it.
func (w *walker) tree(id, commitID plumbing.Hash) ([]odb.TreeEntry, bool) {
	if t, ok := w.trees.get(id); ok {
		return t, t != nil
	}
	t, err := readTree(w.s, id)
	if err != nil {
		w.report(fmt.Errorf("commit %s: %w", commitID, err))
		t = nil
	}
	w.trees.put(id, t)
	return t, t != nil
}

// readTree reads and parses tree id.
func readTree(s *odb.Store, id plumbing.Hash) ([]odb.TreeEntry, error) {
	typ, data, err := s.Read(id)
	if err == nil && typ != plumbing.TreeObject {
		err = fmt.Errorf("a %s, not a tree", typ)
	}
	var t []odb.TreeEntry
	if err == nil {
		t, err = odb.ParseTree(data, make([]odb.TreeEntry, 0, 16))
	}
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", id, err)
	}
	if t == nil {
		t = []odb.TreeEntry{} // empty, not unreadable
	}
	return t, nil
}

// treeCache keeps the trees read lately, in two generations: when the
// current one is full it becomes the old one, and a tree found in the old
// one moves back to the current. That is nearly an LRU at a map's cost.
type treeCache struct {
	cur, old map[plumbing.Hash][]odb.TreeEntry
}

// treeCacheSize is how many trees one generation holds: enough for the
// trees of a commit and of its parents in a large repository.
const treeCacheSize = 4096

func (c *treeCache) get(id plumbing.Hash) ([]odb.TreeEntry, bool) {
	if t, ok := c.cur[id]; ok {
		return t, true
	}
	t, ok := c.old[id]
	if ok {
		c.put(id, t)
	}
	return t, ok
}

func (c *treeCache) put(id plumbing.Hash, t []odb.TreeEntry) {
	if len(c.cur) >= treeCacheSize || c.cur == nil {
		c.old, c.cur = c.cur, make(map[plumbing.Hash][]odb.TreeEntry, treeCacheSize)
	}
	c.cur[id] = t
}

// Blobs calls fn with the path and id of every blob under tree, depth
// first in the tree's order; paths start with prefix ("", or ending in
// "/" or ":", as "ref:" for a ref that names a tree). Gitlinks are left
// out. An unreadable subtree is an error naming it.
func Blobs(s *odb.Store, tree plumbing.Hash, prefix string, fn func(path string, blob plumbing.Hash) error) error {
	t, err := readTree(s, tree)
	if err != nil {
		return err
	}
	for _, e := range t {
		p := prefix + string(e.Name)
		switch {
		case e.IsTree():
			err = Blobs(s, e.ID, p+"/", fn)
		case e.IsBlob():
			err = fn(p, e.ID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
