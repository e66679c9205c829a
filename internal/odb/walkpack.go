package odb

import (
	"cmp"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/index"
)

// Entry states in a pack walk. Each entry belongs to the tree of deltas
// of one root, and only the worker walking that tree writes its state.
const (
	statePending = iota
	stateDone
	stateFailed // reported
)

// Base markers of a walkEntry.
const (
	baseNone     = -1 // stored whole
	baseExternal = -2 // a REF delta whose base is not in this pack
	baseBad      = -3 // a malformed header or an OFS base that is no entry
)

// walkEntry is one pack entry, in a table sorted by offset.
type walkEntry struct {
	off, end int64 // the entry's bytes, header included
	size     int64 // the object's size, or the delta's
	pos      int32 // position in the index
	base     int32 // the base's entry, or a base marker
	typ      plumbing.ObjectType
	hdr      uint8
}

// packWalk is what a walk knows of one pack: its entries in offset
// order and the trees of deltas over them.
type packWalk struct {
	w       *walk
	p       *pack
	names   []byte
	crcs    []uint32
	ents    []walkEntry
	childAt []int32 // the children of entry k are child[childAt[k]:childAt[k+1]]
	child   []int32
	roots   []int32
	ext     map[int32]plumbing.Hash // baseExternal entries' bases
	extMu   sync.Mutex
	owned   []bool // by entry: deliver it from this pack
	state   []uint8
}

// walkPack delivers the objects of packs[i] that the walk does not
// deliver from another of packs.
func (w *walk) walkPack(packs []*pack, i int) error {
	p := packs[i]
	pw, err := w.preparePack(packs, i)
	if err != nil {
		w.report(&ObjectError{Pack: p.path, Err: err})
		return nil
	}
	err = w.run(len(pw.roots), func(wk *worker, i int) { wk.root(pw, pw.roots[i]) })
	if err != nil {
		return err
	}
	pw.reportUnreached()
	return nil
}

// preparePack reads p's index and entry headers and builds its trees of
// deltas. Entries with malformed headers are reported here.
func (w *walk) preparePack(packs []*pack, i int) (*packWalk, error) {
	p := packs[i]
	names, offsets, crcs, err := p.idx.All()
	if err != nil {
		return nil, err
	}
	if _, err := p.file(); err != nil {
		return nil, err
	}
	pw := &packWalk{w: w, p: p, names: names, crcs: crcs, ext: make(map[int32]plumbing.Hash)}
	pw.ents = entriesByOffset(offsets)
	posToEnt := make([]int32, len(offsets))
	for k, e := range pw.ents {
		posToEnt[e.pos] = int32(k)
	}
	pw.state = make([]uint8, len(pw.ents))
	if err := pw.readHeaders(posToEnt); err != nil {
		return nil, err
	}
	pw.link()
	pw.owned = w.ownership(p, pw, packs, i)
	return pw, nil
}

// Packed sort keys: an entry's offset above its position in the index,
// for packs of up to 1 TiB and 16M objects.
const (
	keyPosBits = 24
	keyOffBits = 64 - keyPosBits
)

// entriesByOffset returns the entries at offsets (by position in the
// index) sorted by offset. Sorting the entries is the longest serial
// step of a walk's set-up: a pack of git/git's size has a million, and a
// comparison sort of them took a third of a second, a radix sort of
// packed keys takes a tenth of that.
func entriesByOffset(offsets []int64) []walkEntry {
	ents := make([]walkEntry, len(offsets))
	var maxOff int64
	for _, off := range offsets {
		maxOff = max(maxOff, off)
	}
	if len(offsets) > 1<<keyPosBits || maxOff >= 1<<keyOffBits || slices.ContainsFunc(offsets, func(off int64) bool { return off < 0 }) {
		for i, off := range offsets {
			ents[i] = walkEntry{off: off, pos: int32(i)}
		}
		slices.SortStableFunc(ents, func(a, b walkEntry) int { return cmp.Compare(a.off, b.off) })
		return ents
	}
	keys := make([]uint64, len(offsets))
	for i, off := range offsets {
		keys[i] = uint64(off)<<keyPosBits | uint64(i)
	}
	keys = radixSort(keys, keyPosBits, uint64(maxOff)<<keyPosBits)
	for k, key := range keys {
		ents[k] = walkEntry{off: int64(key >> keyPosBits), pos: int32(key & (1<<keyPosBits - 1))}
	}
	return ents
}

// radixDigit is the bits a pass of radixSort sorts by.
const radixDigit = 11

// radixSort sorts keys by their bits from bit from up to those of
// maxKey, stably (keys equal in those bits keep their order), and
// returns the sorted keys: keys itself or a slice of the same length.
func radixSort(keys []uint64, from int, maxKey uint64) []uint64 {
	tmp := make([]uint64, len(keys))
	for shift := from; shift < 64 && maxKey>>shift != 0; shift += radixDigit {
		var at [1 << radixDigit]int
		for _, k := range keys {
			at[k>>shift&(1<<radixDigit-1)]++
		}
		sum := 0
		for d, n := range at {
			at[d], sum = sum, sum+n
		}
		for _, k := range keys {
			d := k >> shift & (1<<radixDigit - 1)
			tmp[at[d]] = k
			at[d]++
		}
		keys, tmp = tmp, keys
	}
	return keys
}

// id returns the name of entry k.
func (pw *packWalk) id(k int32) plumbing.Hash {
	var id plumbing.Hash
	copy(id[:], pw.names[int(pw.ents[k].pos)*hashLen:])
	return id
}

// fail reports entry k as unreadable.
func (pw *packWalk) fail(k int32, err error) { pw.failAs(k, pw.typeOf(k), err) }

// failAs reports entry k, an object of type typ (0: not known), as
// unreadable.
func (pw *packWalk) failAs(k int32, typ plumbing.ObjectType, err error) {
	pw.state[k] = stateFailed
	pw.w.report(&ObjectError{ID: pw.id(k), Type: typ, Pack: pw.p.path, Offset: pw.ents[k].off, Err: err})
}

// typeOf returns the type of the object at entry k, once the headers
// are read: that of the whole object its chain of deltas in the pack
// starts from, or 0 when that is not known (a base in another pack, a
// malformed header, a chain that loops).
func (pw *packWalk) typeOf(k int32) plumbing.ObjectType {
	for range len(pw.ents) {
		switch b := pw.ents[k].base; {
		case b == baseNone:
			return pw.ents[k].typ
		case b < 0:
			return 0
		default:
			k = b
		}
	}
	return 0
}

// readHeaders reads every entry's header and finds each delta's base
// entry. The workers share the pack out in ranges of entries, each read
// sequentially in large reads.
func (pw *packWalk) readHeaders(posToEnt []int32) error {
	n := len(pw.w.workers)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = pw.readRange(i*len(pw.ents)/n, (i+1)*len(pw.ents)/n, posToEnt) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// readRange reads the headers of entries [lo, hi).
func (pw *packWalk) readRange(lo, hi int, posToEnt []int32) error {
	end := pw.p.size - hashLen
	var win []byte
	winAt := int64(-1)
	buf := make([]byte, 256<<10)
	for k := lo; k < hi; k++ {
		e := &pw.ents[k]
		e.end = end
		if k+1 < len(pw.ents) {
			e.end = pw.ents[k+1].off
		}
		if e.off < 12 || e.off >= end || e.end == e.off {
			e.base = baseBad
			pw.failAs(int32(k), 0, fmt.Errorf("offset %d outside the pack's objects, or listed twice", e.off))
			continue
		}
		if winAt < 0 || e.off+maxHeader > winAt+int64(len(win)) && winAt+int64(len(win)) < end {
			n, err := pw.p.f.ReadAt(buf[:min(int64(len(buf)), end-e.off)], e.off)
			if n == 0 {
				return fmt.Errorf("read pack: %w", err)
			}
			win, winAt = buf[:n], e.off
		}
		h, err := parseHeader(win[e.off-winAt:min(int64(len(win)), e.end-winAt)], e.off)
		if err != nil {
			e.base = baseBad
			pw.failAs(int32(k), 0, err)
			continue
		}
		e.typ, e.size, e.hdr, e.base = h.typ, h.size, uint8(h.hdrLen), baseNone
		if err := pw.findBase(int32(k), h, posToEnt); err != nil {
			e.base = baseBad
			pw.failAs(int32(k), 0, err)
		}
	}
	return nil
}

// findBase sets the base of delta entry k, whose header is h.
func (pw *packWalk) findBase(k int32, h entryHeader, posToEnt []int32) error {
	e := &pw.ents[k]
	switch h.typ {
	case typeOFSDelta:
		// Only the offsets are read here: other workers are filling in
		// the other fields of the entries.
		b := sort.Search(len(pw.ents), func(i int) bool { return pw.ents[i].off >= h.baseOff })
		if b == len(pw.ents) || pw.ents[b].off != h.baseOff {
			return fmt.Errorf("delta base offset %d is not an object of the pack", h.baseOff)
		}
		e.base = int32(b)
	case typeREFDelta:
		if pos, ok := index.Search(pw.names, h.baseRef); ok {
			e.base = posToEnt[pos]
			return nil
		}
		e.base = baseExternal
		pw.extMu.Lock()
		pw.ext[k] = h.baseRef
		pw.extMu.Unlock()
	}
	return nil
}

// link builds the trees of deltas: each entry's children, in offset
// order, and the roots.
func (pw *packWalk) link() {
	n := len(pw.ents)
	pw.childAt = make([]int32, n+1)
	for _, e := range pw.ents {
		if e.base >= 0 {
			pw.childAt[e.base+1]++
		}
	}
	for k := range n {
		pw.childAt[k+1] += pw.childAt[k]
	}
	pw.child = make([]int32, pw.childAt[n])
	fill := slices.Clone(pw.childAt[:n])
	for k, e := range pw.ents {
		switch {
		case e.base >= 0:
			pw.child[fill[e.base]] = int32(k)
			fill[e.base]++
		case e.base == baseNone || e.base == baseExternal:
			pw.roots = append(pw.roots, int32(k))
		}
	}
}

// children returns the deltas based on entry k.
func (pw *packWalk) children(k int32) []int32 { return pw.child[pw.childAt[k]:pw.childAt[k+1]] }

// ownership decides, for each entry of p, whether the walk delivers it
// from p: unless the directory's multi-pack-index picks another walked
// pack's copy (the copy git reads), or, for an object it does not list,
// an earlier pack of the walk holds it.
func (w *walk) ownership(p *pack, pw *packWalk, packs []*pack, earlier int) []bool {
	owned := make([]bool, len(pw.ents))
	m := w.dirMIDX(p.dir)
	for k := range pw.ents {
		id := pw.id(int32(k))
		if m != nil {
			if chosen, _, ok, err := m.Find(id); ok && err == nil {
				if chosen == p.path || slices.ContainsFunc(packs, func(q *pack) bool { return q.path == chosen }) {
					owned[k] = chosen == p.path
					continue
				}
			}
		}
		owned[k] = !inPacks(packs[:earlier], id)
	}
	return owned
}

// reportUnreached reports the deltas that the walk could not build: those
// built on an object that could not be read, and REF deltas whose chain
// of bases loops back on itself. Deltas under a root of a type the walk
// skips are left alone.
func (pw *packWalk) reportUnreached() {
	if pw.w.ctx.Err() != nil {
		return
	}
	for k := range pw.ents {
		if pw.state[k] != statePending || pw.ents[k].base < 0 {
			continue
		}
		switch b := pw.brokenBase(int32(k)); {
		case b == -1:
			pw.fail(int32(k), errors.New("delta chain loops back on itself"))
		case b >= 0:
			pw.fail(int32(k), fmt.Errorf("delta base at %d cannot be read", pw.ents[b].off))
		}
	}
}

// brokenBase follows entry k's bases and returns the first that could not
// be read, -1 for a chain that loops, or -2 when the chain reaches a root
// that was left alone.
func (pw *packWalk) brokenBase(k int32) int32 {
	for steps := 0; ; steps++ {
		b := pw.ents[k].base
		switch {
		case steps > len(pw.ents):
			return -1
		case b == baseBad:
			return k
		case b < 0:
			return -2
		case pw.state[b] == stateFailed || pw.ents[b].base == baseBad:
			return b
		}
		k = b
	}
}

// checkCRC checks entry k's bytes against the index's CRC32.
func (pw *packWalk) checkCRC(k int32, raw []byte) error {
	if got, want := crc32.ChecksumIEEE(raw), pw.crcs[pw.ents[k].pos]; got != want {
		return fmt.Errorf("CRC32 mismatch: the pack has %08x, the index %08x", got, want)
	}
	return nil
}
