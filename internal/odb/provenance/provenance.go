package provenance

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/odb/object"
)

// Options selects the commits whose changes Changes lists.
type Options struct {
	// Tips are the commits to walk from, Exclude those whose history is
	// left out (git log Tips ^Exclude): a commit reachable from Exclude
	// is not listed, though it is still read as the parent of a listed
	// commit, so that a range's first commits are diffed against what
	// they changed.
	Tips, Exclude []plumbing.Hash
	// Known, when set, reports commits to leave out as if Exclude
	// reached them, without walking any history to find out: a
	// pre-receive hook's commits that the repository had before the push
	// (the pushed commits are those it does not have). The walk from
	// Tips stops at them; they are still read as the parents of listed
	// commits.
	Known func(plumbing.Hash) bool
	// Shallow are the commits whose parents a shallow clone lacks: they
	// are diffed against nothing, as root commits are.
	Shallow map[plumbing.Hash]bool
	// Hits, when not nil, restricts the listing to changes whose blob is
	// in Hits, and gitlinks: only the subtrees that hold one of them at
	// some depth are read (each tree is judged once), which costs far
	// less than diffing every commit. Nil lists every change.
	Hits map[plumbing.Hash]bool
	// Workers is the number of goroutines that diff commits; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// OnError receives each commit or tree that cannot be read, as an
	// error naming it; calls are never concurrent. An unreadable commit
	// is not listed and its history is not walked through it; an
	// unreadable parent tree counts as empty, so the commit's paths count
	// as added. Nil ignores them.
	OnError func(error)
	// Listed, when set, is told how many commits are listed, once they
	// are known and before they are diffed: for showing progress.
	Listed func(commits int)
	// Commits, when set, holds commits read ahead (see Commits); it is
	// emptied by the call.
	Commits *Commits
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
// o.Tips and not from o.Exclude. The commits are read first, one by one,
// and ordered newest first by committer time; then Workers goroutines
// diff them, each a run of consecutive commits, so that the version of a
// tree in the commit before has usually been judged when the tree is.
// fn is never called concurrently: the changes of one commit come
// together, in the tree's order, but the commits in no set order.
// fn's error stops the walk and is returned, as is ctx's.
//
// Replace refs (refs/replace/) and info/grafts are never applied: a
// commit's parents are the ones it names, so that a hostile repository
// cannot hide commits from a scan by grafting history away.
func Changes(ctx context.Context, s *odb.Store, o Options, fn func(Change) error) error {
	g := &graph{s: s, o: o}
	if o.Commits != nil {
		g.commits = o.Commits.merged(o.Shallow)
	} else {
		g.commits = make(map[plumbing.Hash]*commit)
	}
	for id := range o.Hits {
		g.hitBits[hitBit(id)/64] |= 1 << (hitBit(id) % 64)
	}
	excluded := make(map[plumbing.Hash]bool)
	err := g.walk(ctx, o.Exclude, nil, func(id plumbing.Hash, _ *commit) error {
		excluded[id] = true
		return nil
	})
	if err != nil {
		return err
	}
	var list []plumbing.Hash
	skip := func(id plumbing.Hash) bool { return excluded[id] || o.Known != nil && o.Known(id) }
	err = g.walk(ctx, o.Tips, skip, func(id plumbing.Hash, c *commit) error {
		list = append(list, id)
		for _, p := range c.parents {
			g.commit(p) // read now: the workers only look commits up
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Newest first, as git log lists them: a branch's commits come
	// next to those of the time it was made and merged, whose trees
	// they share, rather than after the whole of the main line.
	slices.SortStableFunc(list, func(a, b plumbing.Hash) int { return cmp.Compare(g.commits[b].when, g.commits[a].when) })
	if o.Listed != nil {
		o.Listed(len(list))
	}
	return g.diffAll(ctx, list, fn)
}

// graph is the commits of one Changes call, read before the workers
// start, then only looked up.
type graph struct {
	s       *odb.Store
	o       Options
	commits map[plumbing.Hash]*commit // nil when unreadable
	parsed  object.Commit             // ParseCommit's reused storage
	mu      sync.Mutex                // serialises fn and OnError
	// hitBits has a bit set for the first 16 bits of each hit: most
	// blobs a walk meets are told apart from the few hits by one bit,
	// without hashing their name into the map.
	hitBits [1 << 16 / 64]uint64
}

// hitBit returns id's bit in hitBits.
func hitBit(id plumbing.Hash) int { return int(id[0])<<8 | int(id[1]) }

// isHit reports whether blob id is in o.Hits.
func (g *graph) isHit(id plumbing.Hash) bool {
	b := hitBit(id)
	return g.hitBits[b/64]&(1<<(b%64)) != 0 && g.o.Hits[id]
}

// commit is what the walk keeps of a commit.
type commit struct {
	tree    plumbing.Hash
	parents []plumbing.Hash
	when    int64 // committer time, in seconds
}

// walk calls fn for each commit reachable from starts without going
// through one that skip (when not nil) reports, once, depth first along
// first parents: the newest commits first, as the objects of a pack are
// ordered and its deltas mostly built.
func (g *graph) walk(ctx context.Context, starts []plumbing.Hash, skip func(plumbing.Hash) bool, fn func(plumbing.Hash, *commit) error) error {
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
		if seen[id] || skip != nil && skip(id) {
			continue
		}
		seen[id] = true
		c := g.commit(id)
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
func (g *graph) commit(id plumbing.Hash) *commit {
	if c, ok := g.commits[id]; ok {
		return c
	}
	typ, data, err := g.s.Read(id)
	if err == nil && typ != plumbing.CommitObject {
		err = fmt.Errorf("a %s, not a commit", typ)
	}
	if err == nil {
		err = object.ParseCommit(data, &g.parsed)
	}
	if err != nil {
		g.report(fmt.Errorf("read commit %s: %w", id, err))
		g.commits[id] = nil
		return nil
	}
	c := &commit{tree: g.parsed.Tree, when: object.SignatureTime(g.parsed.Committer)}
	if !g.o.Shallow[id] {
		c.parents = slices.Clone(g.parsed.Parents)
	}
	g.commits[id] = c
	return c
}

// report passes an error to OnError, never concurrently.
func (g *graph) report(err error) {
	if g.o.OnError == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.o.OnError(err)
}

// diffAll shares the commits of list out among the workers in runs of
// consecutive commits, and diffs each against its parents.
func (g *graph) diffAll(ctx context.Context, list []plumbing.Hash, fn func(Change) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	n := g.o.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(1, min(n, len(list)/64))
	emit := func(c Change) error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(c)
	}
	var wg sync.WaitGroup
	for i := range n {
		run := list[i*len(list)/n : (i+1)*len(list)/n]
		wg.Go(func() {
			w := &walker{g: g, emit: emit, hot: make(map[plumbing.Hash]uint8), lastAt: make(map[string]plumbing.Hash)}
			for _, id := range run {
				if ctx.Err() != nil {
					return
				}
				if err := w.listCommit(id, g.commits[id]); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// walker is the state of one worker of a Changes call: its caches of
// trees and of judgements.
type walker struct {
	g     *graph
	emit  func(Change) error
	trees treeCache
	hot   map[plumbing.Hash]uint8 // by tree: whether it holds a hit or a gitlink
	// lastAt is the tree last judged at each path: the reference for
	// judging the next version there when its parent's is not judged.
	lastAt map[string]plumbing.Hash
}
