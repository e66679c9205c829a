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
	parents := make([][]byte, len(c.parents))
	for i, p := range c.parents {
		if pc := w.commit(p); pc != nil {
			parents[i], _ = w.tree(pc.tree, p) // nil: read as empty, so its paths count as added
		}
	}
	return w.diff(id, "", c.tree, root, parents)
}

// cursor reads a parent tree along with the tree being diffed.
type cursor struct {
	it odb.TreeIter
	e  odb.TreeEntry
	ok bool
}

// seek advances to e's path and returns the entry there, or nil. The
// entry is valid until the next seek.
func (c *cursor) seek(e *odb.TreeEntry) *odb.TreeEntry {
	for c.ok && odb.CompareEntries(&c.e, e) < 0 {
		c.ok = c.it.Next(&c.e)
	}
	if c.ok && odb.CompareEntries(&c.e, e) == 0 {
		return &c.e
	}
	return nil
}

// diff lists the entries of tree t (tree id) whose blob differs from the
// entry at the same path in every parent tree (nil for a parent without
// that path). A subtree equal to a parent's is skipped whole: nothing
// under it differs from that parent; so is one that holds no hit. Entries
// of both trees are in git's order, so each parent is merged along in one
// pass. A malformed tree is reported, and its entries up to the damage
// are listed.
func (w *walker) diff(commitID plumbing.Hash, dir string, id plumbing.Hash, t []byte, parents [][]byte) error {
	cur := make([]cursor, len(parents))
	for k := range cur {
		cur[k].it = odb.NewTreeIter(parents[k])
		cur[k].ok = cur[k].it.Next(&cur[k].e)
	}
	match := make([]*odb.TreeEntry, len(parents))
	it := odb.NewTreeIter(t)
	var e odb.TreeEntry
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
		w.report(fmt.Errorf("commit %s: tree %s: %w", commitID, id, err))
	}
	return nil
}

// change lists entry e of directory dir, which differs from every
// parent's entry at its path, match.
func (w *walker) change(commitID plumbing.Hash, dir string, e *odb.TreeEntry, match []*odb.TreeEntry) error {
	switch {
	case e.IsTree():
		return w.diffSubtree(commitID, join(dir, e.Name), e, match)
	case e.Mode == filemode.Submodule:
		return w.fn(Change{Commit: commitID, Path: join(dir, e.Name), Blob: e.ID, Gitlink: true, Parents: parentBlobs(match)})
	case e.IsBlob() && (w.o.Hits == nil || w.o.Hits[e.ID]):
		return w.fn(Change{Commit: commitID, Path: join(dir, e.Name), Blob: e.ID, Parents: parentBlobs(match)})
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
func (w *walker) diffSubtree(commitID plumbing.Hash, p string, e *odb.TreeEntry, match []*odb.TreeEntry) error {
	if !w.isHot(e.ID, commitID) {
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
	it := odb.NewTreeIter(t)
	var e odb.TreeEntry
	for !h && it.Next(&e) {
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

// tree reads a tree through the cache; an unreadable tree is reported
// once while it is cached, naming the commit that holds it.
func (w *walker) tree(id, commitID plumbing.Hash) ([]byte, bool) {
	if t, ok := w.trees.get(id); ok {
		return t, t != nil
	}
	t, err := readTree(w.s, id)
	if err != nil {
		w.report(fmt.Errorf("commit %s: %w", commitID, err))
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
// out. An unreadable or malformed subtree is an error naming it.
func Blobs(s *odb.Store, tree plumbing.Hash, prefix string, fn func(path string, blob plumbing.Hash) error) error {
	t, err := readTree(s, tree)
	if err != nil {
		return err
	}
	it := odb.NewTreeIter(t)
	var e odb.TreeEntry
	for it.Next(&e) {
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
	if err := it.Err(); err != nil {
		return fmt.Errorf("tree %s: %w", tree, err)
	}
	return nil
}
