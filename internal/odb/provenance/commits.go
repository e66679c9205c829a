package provenance

import (
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/object"
)

// Commits holds commits read ahead of a Changes call, by the workers of
// an odb.Store.Walk that delivers commits along with the blobs it is
// scanning: Changes then looks them up instead of reading them one by
// one, which on a large history is a second of a single core's work
// before the diffing can start. A commit it does not hold (one the walk
// could not read, or did not cover) is read from the store as without
// it.
type Commits struct {
	workers []commitsOf
}

// commitsOf is what one walk worker added, padded so that two workers'
// maps do not share a cache line.
type commitsOf struct {
	m      map[plumbing.Hash]*commit
	parsed object.Commit
	_      [64]byte
}

// NewCommits returns an empty table for a walk of the given number of
// workers.
func NewCommits(workers int) *Commits {
	c := &Commits{workers: make([]commitsOf, max(1, workers))}
	for i := range c.workers {
		c.workers[i].m = make(map[plumbing.Hash]*commit)
	}
	return c
}

// Add parses commit id's data and keeps what Changes needs of it. Calls
// with the same worker index must not be concurrent; calls with
// different ones may be. A commit that does not parse is left out, for
// Changes to read and report.
func (c *Commits) Add(worker int, id plumbing.Hash, data []byte) {
	w := &c.workers[worker]
	if object.ParseCommit(data, &w.parsed) != nil {
		return
	}
	w.m[id] = &commit{tree: w.parsed.Tree, parents: slices.Clone(w.parsed.Parents), when: object.SignatureTime(w.parsed.Committer)}
}

// merged returns the commits of every worker in one map, with the
// parents of the shallow ones dropped, and empties the table.
func (c *Commits) merged(shallow map[plumbing.Hash]bool) map[plumbing.Hash]*commit {
	n := 0
	for _, w := range c.workers {
		n += len(w.m)
	}
	all := make(map[plumbing.Hash]*commit, n)
	for i := range c.workers {
		for id, cm := range c.workers[i].m {
			if shallow[id] {
				cm.parents = nil
			}
			all[id] = cm
		}
		c.workers[i].m = nil
	}
	return all
}
