package odb

import (
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// baseCache keeps recently resolved pack objects, by pack and offset, as
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
// (second chance), so that what was just built or is in use stays.
type baseCache struct {
	limit int // bytes; an object larger than an eighth of it is not kept
	mu    sync.Mutex
	slots []cacheSlot
	size  int
	hand  int
}

// cacheSlots is the number of slots: several times the objects that fit
// in the limit, so that two objects in use rarely share one.
const (
	cacheSlotBits = 15
	cacheSlots    = 1 << cacheSlotBits
)

type cacheSlot struct {
	p    *packFile
	off  int64
	typ  plumbing.ObjectType
	used bool // put or read since the clock hand last passed
	data []byte
}

type cached struct {
	typ  plumbing.ObjectType
	data []byte
}

// slot returns the index of the slot of offset off.
func slot(off int64) int {
	return int(uint64(off) * 0x9e3779b97f4a7c15 >> (64 - cacheSlotBits))
}

func (c *baseCache) get(p *packFile, off int64) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil {
		return cached{}, false
	}
	s := &c.slots[slot(off)]
	if s.data == nil || s.p != p || s.off != off {
		return cached{}, false
	}
	s.used = true
	return cached{s.typ, s.data}, true
}

func (c *baseCache) put(p *packFile, off int64, typ plumbing.ObjectType, data []byte) {
	if len(data) > c.limit/8 || data == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil {
		c.slots = make([]cacheSlot, cacheSlots)
	}
	i := slot(off)
	s := &c.slots[i]
	if s.data != nil && s.p == p && s.off == off {
		return
	}
	c.size += len(data) - len(s.data)
	*s = cacheSlot{p: p, off: off, typ: typ, used: true, data: data}
	for c.size > c.limit {
		h := &c.slots[c.hand]
		switch {
		case h.data == nil || c.hand == i:
		case h.used:
			h.used = false
		default:
			c.size -= len(h.data)
			*h = cacheSlot{}
		}
		c.hand = (c.hand + 1) % len(c.slots)
	}
}
