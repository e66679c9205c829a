package odb

import (
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// baseCache keeps recently resolved pack objects, by pack and offset, as
// git's delta base cache does (core.deltaBaseCacheLimit): objects stored
// as deltas of one another share most of their chains, so a read of one
// version of a file or tree finds the versions it needs already built.
// The oldest go first. Cached bytes are never modified. It is safe for
// concurrent use.
type baseCache struct {
	limit int // bytes; an object larger than an eighth of it is not kept
	mu    sync.Mutex
	objs  map[cacheKey]cached
	order []cacheKey // oldest first
	size  int
}

type cacheKey struct {
	p   *packFile
	off int64
}

type cached struct {
	typ  plumbing.ObjectType
	data []byte
}

func (c *baseCache) get(p *packFile, off int64) (cached, bool) {
	c.mu.Lock()
	o, ok := c.objs[cacheKey{p, off}]
	c.mu.Unlock()
	return o, ok
}

func (c *baseCache) put(p *packFile, off int64, typ plumbing.ObjectType, data []byte) {
	if len(data) > c.limit/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{p, off}
	if _, ok := c.objs[k]; ok {
		return
	}
	if c.objs == nil {
		c.objs = make(map[cacheKey]cached)
	}
	for c.size+len(data) > c.limit && len(c.order) > 0 {
		c.size -= len(c.objs[c.order[0]].data)
		delete(c.objs, c.order[0])
		c.order = c.order[1:]
	}
	c.objs[k] = cached{typ, data}
	c.order = append(c.order, k)
	c.size += len(data)
}
