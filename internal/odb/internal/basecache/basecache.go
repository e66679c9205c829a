// Package basecache is the object store's delta base cache: pack
// objects already resolved, by pack and offset, within a byte limit.
package basecache

import (
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// Cache keeps recently resolved pack objects, by pack and offset, as
// git's delta base cache does (core.deltaBaseCacheLimit): objects stored
// as deltas of one another share most of their chains, so a read of one
// version of a file or tree finds the versions it needs already built.
// Cached bytes are never modified. It is safe for concurrent use.
//
// It is a table of slots indexed by a hash of the offset, not a map: a
// history's provenance reads every tree once through it, and a map's
// insert, delete and lookup were a tenth of that work. An object takes
// its slot from whatever held it; past the byte limit, a clock hand
// frees slots, sparing once those put or read since it last passed
// (second chance), so that what was just built or is in use stays. The
// table starts small and doubles as it fills, so that a command that
// reads a few objects (staged reads a handful of trees) does not pay
// for the table a whole history needs.
type Cache[P comparable] struct {
	limit int // bytes; an object larger than an eighth of it is not kept
	mu    sync.Mutex
	slots []slot[P]
	bits  uint // len(slots) is 1<<bits
	full  int  // slots that hold an object
	size  int  // bytes held
	hand  int
}

// The table has from 1<<minSlotBits to 1<<maxSlotBits slots; it doubles
// when half its slots are full, so that at its largest it has several
// times the objects that fit in the limit, and two objects in use rarely
// share a slot.
const (
	minSlotBits = 8
	maxSlotBits = 15
)

type slot[P comparable] struct {
	p    P
	off  int64
	typ  plumbing.ObjectType
	used bool // put or read since the clock hand last passed
	data []byte
}

// slotOf returns the index of offset off's slot in a table of 1<<bits.
func slotOf(off int64, bits uint) int {
	return int(uint64(off) * 0x9e3779b97f4a7c15 >> (64 - bits))
}

// New returns a cache that keeps up to limit bytes; an object larger
// than an eighth of that is not kept.
func New[P comparable](limit int) *Cache[P] { return &Cache[P]{limit: limit} }

// Get returns the object at offset off of pack p, if the cache holds it.
func (c *Cache[P]) Get(p P, off int64) (plumbing.ObjectType, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil {
		return 0, nil, false
	}
	s := &c.slots[slotOf(off, c.bits)]
	if s.data == nil || s.p != p || s.off != off {
		return 0, nil, false
	}
	s.used = true
	return s.typ, s.data, true
}

// Put keeps data, the object at offset off of pack p, which must never be
// modified afterwards.
func (c *Cache[P]) Put(p P, off int64, typ plumbing.ObjectType, data []byte) {
	if len(data) > c.limit/8 || data == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil {
		c.bits = minSlotBits
		c.slots = make([]slot[P], 1<<c.bits)
	} else if 2*c.full >= len(c.slots) && c.bits < maxSlotBits {
		c.grow()
	}
	i := slotOf(off, c.bits)
	s := &c.slots[i]
	if s.data != nil && s.p == p && s.off == off {
		return
	}
	if s.data == nil {
		c.full++
	}
	c.size += len(data) - len(s.data)
	*s = slot[P]{p: p, off: off, typ: typ, used: true, data: data}
	for c.size > c.limit {
		h := &c.slots[c.hand]
		switch {
		case h.data == nil || c.hand == i:
		case h.used:
			h.used = false
		default:
			c.size -= len(h.data)
			c.full--
			*h = slot[P]{}
		}
		c.hand = (c.hand + 1) % len(c.slots)
	}
}

// grow doubles the table, moving each object to its slot in the new one;
// of two that land in the same slot, the one moved last stays.
func (c *Cache[P]) grow() {
	old := c.slots
	c.bits++
	c.slots = make([]slot[P], 1<<c.bits)
	c.full, c.size, c.hand = 0, 0, 0
	for _, s := range old {
		if s.data == nil {
			continue
		}
		t := &c.slots[slotOf(s.off, c.bits)]
		if t.data == nil {
			c.full++
		}
		c.size += len(s.data) - len(t.data)
		*t = s
	}
}
