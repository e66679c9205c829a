package scanner

import (
	"cmp"
	"context"
	"path"

	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// histCommit is what the go-git lister keeps of a commit.
type histCommit struct {
	tree    plumbing.Hash
	parents []plumbing.Hash // none for a shallow clone's oldest commits
}

// listGoGit lists the changes of the commits reachable from sel.Tips and
// not from sel.Exclude, diffing each commit's tree against its parents'
// and descending only into subtrees that differ from every parent's.
// Commits are walked depth first along first parents, so that a parent's
// trees, just read for its child, are still in the tree cache. An
// unreadable commit or tree is a warning and the walk goes on.
func (h *history) listGoGit(ctx context.Context, sel gitrepo.Selection) error {
	excluded := make(map[plumbing.Hash]bool)
	err := h.walkCommits(ctx, sel.Exclude, nil, func(c plumbing.Hash, _ histCommit) error {
		excluded[c] = true
		return nil
	})
	if err != nil {
		return err
	}
	return h.walkCommits(ctx, sel.Tips, excluded, func(c plumbing.Hash, hc histCommit) error {
		i := h.addCommit(c)
		t, ok := h.tree(hc.tree, "commit "+c.String())
		if !ok {
			return nil
		}
		parents := make([]*object.Tree, 0, len(hc.parents))
		for _, p := range hc.parents {
			var pt *object.Tree
			if pc, ok := h.commit(p); ok {
				pt, _ = h.tree(pc.tree, "commit "+p.String())
			}
			parents = append(parents, pt) // nil: read as absent, so its paths count as added
		}
		return h.diffTrees(ctx, i, "", t, parents)
	})
}

// walkCommits calls fn for each commit reachable from starts, skipping
// those in skip and what only they reach.
func (h *history) walkCommits(ctx context.Context, starts []plumbing.Hash, skip map[plumbing.Hash]bool, fn func(plumbing.Hash, histCommit) error) error {
	seen := make(map[plumbing.Hash]bool)
	stack := make([]plumbing.Hash, 0, len(starts))
	for i := len(starts) - 1; i >= 0; i-- {
		stack = append(stack, starts[i])
	}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] || skip[c] {
			continue
		}
		seen[c] = true
		hc, ok := h.commit(c)
		if !ok {
			continue
		}
		if err := fn(c, hc); err != nil {
			return err
		}
		for i := len(hc.parents) - 1; i >= 0; i-- {
			stack = append(stack, hc.parents[i])
		}
	}
	return nil
}

// commit reads a commit's tree and parents, once; an unreadable commit
// is a warning.
func (h *history) commit(c plumbing.Hash) (histCommit, bool) {
	if hc, ok := h.commitc[c]; ok {
		return hc, !hc.tree.IsZero()
	}
	var hc histCommit
	cm, err := object.GetCommit(h.gg.Storer, c)
	if err != nil {
		h.st.SkippedUnreadable++
		h.s.warner.NotScanned(&h.st, "commit %s: %v; its changes and the history behind it are not scanned", c, err)
	} else {
		hc.tree = cm.TreeHash
		if !h.shallow[c] {
			hc.parents = cm.ParentHashes
		}
	}
	h.commitc[c] = hc
	return hc, !hc.tree.IsZero()
}

// tree reads a tree through the cache; an unreadable tree is a warning
// naming what holds it, given once while it is cached as nil.
func (h *history) tree(t plumbing.Hash, holder string) (*object.Tree, bool) {
	if tr, ok := h.trees.get(t); ok {
		return tr, tr != nil
	}
	tr, err := object.GetTree(h.gg.Storer, t)
	if err != nil {
		tr = nil
		h.st.SkippedUnreadable++
		h.s.warner.NotScanned(&h.st, "%s: tree %s: %v; not scanned", holder, t, err)
	}
	h.trees.put(t, tr)
	return tr, tr != nil
}

// diffTrees records the blobs in t that differ from the entry at the same
// path in every parent tree (nil for a parent without it). Subtrees equal
// to a parent's are skipped whole: nothing under them differs from that
// parent. Entries of both trees are in git's order, so each parent is
// merged along in one pass.
func (h *history) diffTrees(ctx context.Context, commit int32, dir string, t *object.Tree, parents []*object.Tree) error {
	next := make([]int, len(parents))
	match := make([]*object.TreeEntry, len(parents))
	for i := range t.Entries {
		e := &t.Entries[i]
		same := false
		for k, p := range parents {
			match[k] = nil
			if p == nil {
				continue
			}
			for next[k] < len(p.Entries) && gitrepo.CompareEntries(&p.Entries[next[k]], e) < 0 {
				next[k]++
			}
			if next[k] < len(p.Entries) && gitrepo.CompareEntries(&p.Entries[next[k]], e) == 0 {
				match[k] = &p.Entries[next[k]]
				same = same || match[k].Hash == e.Hash
			}
		}
		if same {
			continue
		}
		p := path.Join(dir, e.Name)
		switch {
		case e.Mode == filemode.Dir:
			sub, ok := h.tree(e.Hash, p)
			if !ok {
				continue
			}
			subs := make([]*object.Tree, len(parents))
			for k, m := range match {
				if m != nil && m.Mode == filemode.Dir {
					subs[k], _ = h.tree(m.Hash, p)
				}
			}
			if err := h.diffTrees(ctx, commit, p, sub, subs); err != nil {
				return err
			}
		case e.Mode == filemode.Submodule:
			h.addGitlink(p)
		case gitrepo.IsBlob(e.Mode):
			blobs := make([]plumbing.Hash, len(parents))
			for k, m := range match {
				if m != nil && gitrepo.IsBlob(m.Mode) {
					blobs[k] = m.Hash
				}
			}
			if err := h.addChange(ctx, commit, p, e.Hash, blobs); err != nil {
				return err
			}
		}
	}
	return nil
}

// listTree calls fn with the path and hash of every blob under tree t;
// paths start with prefix ("" or ending in "/" or ":"). Gitlinks are
// skipped.
func (h *history) listTree(t plumbing.Hash, prefix string, fn func(string, plumbing.Hash) error) error {
	tr, ok := h.tree(t, cmp.Or(prefix, "HEAD"))
	if !ok {
		return nil
	}
	for _, e := range tr.Entries {
		p := prefix + e.Name
		switch {
		case e.Mode == filemode.Dir:
			if err := h.listTree(e.Hash, p+"/", fn); err != nil {
				return err
			}
		case gitrepo.IsBlob(e.Mode):
			if err := fn(p, e.Hash); err != nil {
				return err
			}
		}
	}
	return nil
}

// listLoose lists the content of refs that name a tree or a blob as
// changes without a commit, at "ref:path" or the ref's name.
func (h *history) listLoose(ctx context.Context, loose []gitrepo.LooseRoot) error {
	for _, l := range loose {
		if !l.Tree {
			if err := h.addChange(ctx, -1, l.Name, l.Hash, nil); err != nil {
				return err
			}
			continue
		}
		err := h.listTree(l.Hash, l.Name+":", func(p string, b plumbing.Hash) error {
			return h.addChange(ctx, -1, p, b, nil)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// readBlobsGoGit reads the blobs of jobs with go-git, through storage of
// its own: go-git's is not safe for concurrent use.
func (h *history) readBlobsGoGit(ctx context.Context, jobs <-chan histJob, fn histBlobFunc) error {
	st := h.repo.Storage(16 * cache.MiByte)
	defer st.Close()
	for j := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		obj, err := st.EncodedObject(plumbing.BlobObject, j.id)
		if err != nil {
			if err := fn(j, 0, nil, err); err != nil {
				return err
			}
			continue
		}
		r, err := obj.Reader()
		if err != nil {
			err = fn(j, 0, nil, err)
		} else {
			err = fn(j, obj.Size(), r, nil)
			r.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// histTreeCache keeps the trees read lately, in two generations: when the
// current one is full it becomes the old one, and a tree found in the old
// one moves back to the current. That is nearly an LRU at a map's cost.
type histTreeCache struct {
	cur, old map[plumbing.Hash]*object.Tree
}

// histTreeCacheSize is how many trees one generation holds: enough for
// the trees of a commit and of its parents in a large repository.
const histTreeCacheSize = 4096

func (c *histTreeCache) get(h plumbing.Hash) (*object.Tree, bool) {
	if t, ok := c.cur[h]; ok {
		return t, true
	}
	t, ok := c.old[h]
	if ok {
		c.put(h, t)
	}
	return t, ok
}

func (c *histTreeCache) put(h plumbing.Hash, t *object.Tree) {
	if len(c.cur) >= histTreeCacheSize || c.cur == nil {
		c.old, c.cur = c.cur, make(map[plumbing.Hash]*object.Tree, histTreeCacheSize)
	}
	c.cur[h] = t
}
