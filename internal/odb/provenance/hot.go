package provenance

import (
	"bytes"
	"encoding/binary"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/clarolint/clarolint/internal/odb/object"
)

// isHotAt is isHot for tree id at path p, whose version in the first
// parent is first (zero if none). The reference is that version if it
// has been judged, else the version judged last at p: with commits
// walked newest first, usually the child's.
func (w *walker) isHotAt(p string, id, first, commitID plumbing.Hash) bool {
	if w.g.o.Hits == nil {
		return true
	}
	ref := first
	if w.hot[ref] == unjudged || ref.IsZero() {
		ref = w.lastAt[p]
	}
	h := w.isHot(id, ref, commitID)
	w.lastAt[p] = id
	return h
}

// isHot reports whether tree id holds, at some depth, a hit blob or a
// gitlink; each tree is judged once by a worker. ref, when not zero, is
// the tree at the same path in the first parent: most of a tree is the
// same as its parent's, and only what differs needs judging. Without
// hits every tree is hot.
func (w *walker) isHot(id, ref, commitID plumbing.Hash) bool {
	if w.g.o.Hits == nil {
		return true
	}
	switch w.hot[id] {
	case hot:
		return true
	case cold, judging: // judging: a corrupt tree naming itself must not loop
		return false
	}
	w.hot[id] = judging
	h := w.judge(id, ref, commitID)
	w.hot[id] = cold
	if h {
		w.hot[id] = hot
	}
	return h
}

// Judgements of trees, in walker.hot.
const (
	unjudged = iota
	judging  // under way: not a judgement to rely on
	cold
	hot
)

// judge works out isHot. With S the tree and R the reference, S = same ∪
// mid and R = same ∪ refMid: S is hot when mid is; otherwise when same
// is, which R's judgement tells unless refMid is hot too.
func (w *walker) judge(id, ref, commitID plumbing.Hash) bool {
	t, _ := w.tree(id, commitID)
	refHot, known := w.hot[ref] == hot, w.hot[ref] >= cold
	if known && ref != id && !ref.IsZero() {
		if r, ok := w.tree(ref, commitID); ok {
			mid, refMid := splitSame(t, r)
			switch {
			case w.anyHot(mid, refMid, commitID):
				return true
			case !refHot:
				return false
			case !w.anyHot(refMid, mid, commitID):
				return true
			}
		}
	}
	return w.anyHot(t, nil, commitID)
}

// anyHot reports whether one of the entries of tree data t is hot. Each
// subtree is judged against the entry at its path in ref, if any: the
// same directory in another version of the tree.
func (w *walker) anyHot(t, ref []byte, commitID plumbing.Hash) bool {
	c := cursor{it: object.NewTreeIter(ref)}
	c.ok = c.it.Next(&c.e)
	it := object.NewTreeIter(t)
	var e object.TreeEntry
	for it.Next(&e) {
		switch {
		case e.IsTree():
			var r plumbing.Hash
			if m := c.seek(&e); m != nil && m.IsTree() {
				r = m.ID
			}
			if w.isHot(e.ID, r, commitID) {
				return true
			}
		case e.Mode == filemode.Submodule:
			return true
		case e.IsBlob() && w.g.isHit(e.ID):
			return true
		}
	}
	return false
}

// splitSame returns the parts of trees a and b between the entries they
// share byte for byte at their start and at their end: the rest of a is
// the same entries, at the same paths, as the rest of b. A tree and its
// parent's version usually differ in an entry or two, so a diff or a
// judgement reads a few entries instead of all of them. Where the
// entries cannot be lined up (a malformed tree), a and b are returned
// whole, which is always correct.
func splitSame(a, b []byte) ([]byte, []byte) {
	p := commonPrefix(a, b)
	q := commonSuffix(a[p:], b[p:])
	// The last entry boundary within the common prefix: the same
	// entries precede it in both trees.
	start := 0
	for {
		n := entryLen(a[start:])
		if n < 0 || start+n > p {
			break
		}
		start += n
	}
	// The first boundary of a within the common suffix that is also a
	// boundary of b, parsing b from start: the same entries follow it.
	d := len(a) - len(b)
	ea, eb := start, start
	for ea < len(a)-q {
		n := entryLen(a[ea:])
		if n < 0 {
			return a[start:], b[start:]
		}
		ea += n
	}
	for {
		for eb < ea-d {
			n := entryLen(b[eb:])
			if n < 0 {
				return a[start:], b[start:]
			}
			eb += n
		}
		if eb == ea-d {
			return a[start:ea], b[start:eb]
		}
		n := entryLen(a[ea:])
		if n < 0 {
			return a[start:], b[start:]
		}
		ea += n
	}
}

// entryLen returns the length of the tree entry at the start of t, "mode
// name\x00" and a 20-byte id, or -1 if there is none.
func entryLen(t []byte) int {
	nul := bytes.IndexByte(t, 0)
	if nul < 0 || nul+21 > len(t) {
		return -1
	}
	return nul + 21
}

// commonPrefix returns the length of the longest common prefix of a and
// b, comparing eight bytes at a time.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix returns the length of the longest common suffix of a and
// b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[len(a)-i-8:]) == binary.LittleEndian.Uint64(b[len(b)-i-8:]) {
		i += 8
	}
	for i < n && a[len(a)-i-1] == b[len(b)-i-1] {
		i++
	}
	return i
}
