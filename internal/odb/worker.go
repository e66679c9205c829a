package odb

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/delta"
)

// holdLimit bounds the bytes of objects a worker keeps on its path down
// a tree of deltas. Past it, a base with more deltas to build is dropped
// and rebuilt later through the store's cache: a long chain of versions
// of a large file must not hold every version at once.
const holdLimit = 64 << 20

// maxFree bounds the bytes of object buffers a worker keeps for reuse.
const maxFree = 32 << 20

// worker is the state of one goroutine of a walk: its inflater and the
// buffers it reuses, so that inflating and building objects allocates
// nothing in the steady state.
type worker struct {
	w     *walk
	id    int
	in    inflater
	raw   []byte   // an entry's bytes, header included
	delta []byte   // an inflated delta, until it is applied
	free  [][]byte // object buffers to reuse
	freeN int      // their bytes
	held  int      // bytes of objects on the current path
}

// root builds the object at entry k, the root of a tree of deltas, and
// then the deltas under it.
func (wk *worker) root(pw *packWalk, k int32) {
	e := &pw.ents[k]
	if e.base != baseExternal {
		if !wk.w.types[e.typ] {
			return
		}
		data, err := wk.inflateEntry(pw, k, wk.get(e.size))
		if err != nil {
			pw.fail(k, err)
			return
		}
		wk.descend(pw, k, e.typ, data, true)
		return
	}
	typ, base, err := wk.w.s.readBase(pw.ext[k], 0)
	if err != nil {
		pw.fail(k, fmt.Errorf("delta base %s: %w", pw.ext[k], err))
		return
	}
	if !wk.w.types[typ] {
		return
	}
	data, err := wk.build(pw, k, base)
	if err != nil {
		pw.failAs(k, typ, err)
		return
	}
	wk.descend(pw, k, typ, data, true)
}

// descend delivers the object at entry k, of type typ and content data,
// and builds and descends into each delta based on it. own says whether
// data is the worker's to reuse, rather than shared with the store's
// cache.
func (wk *worker) descend(pw *packWalk, k int32, typ plumbing.ObjectType, data []byte, own bool) {
	pw.state[k] = stateDone
	if pw.owned[k] {
		wk.w.deliver(wk.id, Object{ID: pw.id(k), Type: typ, Data: data})
	}
	kids := pw.children(k)
	wk.held += len(data)
	for i, c := range kids {
		if wk.w.ctx.Err() != nil {
			break
		}
		if data == nil {
			var err error
			if _, data, err = wk.w.s.readPacked(pw.p, pw.ents[k].off, 0); err != nil {
				pw.failAs(c, typ, fmt.Errorf("rebuild delta base at %d: %w", pw.ents[k].off, err))
				continue
			}
			own = false
			wk.held += len(data)
		}
		out, err := wk.build(pw, c, data)
		if err != nil {
			pw.failAs(c, typ, err)
			continue
		}
		if wk.held > holdLimit && i < len(kids)-1 {
			wk.held -= len(data)
			if own {
				wk.put(data)
			}
			data = nil
		}
		wk.descend(pw, c, typ, out, true)
	}
	wk.held -= len(data)
	if own {
		wk.put(data)
	}
}

// build inflates the delta at entry k and applies it to base.
func (wk *worker) build(pw *packWalk, k int32, base []byte) ([]byte, error) {
	d, err := wk.inflateEntry(pw, k, wk.delta)
	if err != nil {
		return nil, err
	}
	wk.delta = d
	_, size, _, err := delta.Sizes(d)
	if err != nil {
		return nil, err
	}
	return delta.Apply(wk.get(size), base, d, maxObjectSize)
}

// inflateEntry reads entry k's bytes, checks them against the index's
// CRC32 and inflates them into dst's storage when it is large enough.
func (wk *worker) inflateEntry(pw *packWalk, k int32, dst []byte) ([]byte, error) {
	e := &pw.ents[k]
	n := e.end - e.off
	if n > maxObjectSize+1<<20 {
		return nil, fmt.Errorf("entry of %d bytes out of range", n)
	}
	var raw []byte
	if m := pw.p.data; m != nil {
		// A mapped pack costs no system call per entry: a pread each
		// was an eighth of a walk's time.
		raw = m[e.off:e.end]
	} else {
		if int64(cap(wk.raw)) < n {
			wk.raw = make([]byte, n)
		}
		raw = wk.raw[:n]
		if _, err := pw.p.f.ReadAt(raw, e.off); err != nil {
			return nil, fmt.Errorf("read pack: %w", err)
		}
	}
	if err := pw.checkCRC(k, raw); err != nil {
		return nil, err
	}
	if err := checkSize(e.size, n-int64(e.hdr)); err != nil {
		return nil, err
	}
	if int64(cap(dst)) < e.size {
		dst = make([]byte, e.size)
	}
	dst = dst[:e.size]
	if err := wk.in.inflate(dst, raw[e.hdr:]); err != nil {
		return nil, err
	}
	return dst, nil
}

// get returns a buffer of capacity at least n from the worker's free
// list, or nil for delta.Apply and inflateEntry to allocate.
func (wk *worker) get(n int64) []byte {
	best := -1
	for i, b := range wk.free {
		if int64(cap(b)) >= n && (best < 0 || cap(b) < cap(wk.free[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := wk.free[best]
	wk.free[best] = wk.free[len(wk.free)-1]
	wk.free = wk.free[:len(wk.free)-1]
	wk.freeN -= cap(b)
	return b[:0]
}

// put returns b to the free list, unless the list is full.
func (wk *worker) put(b []byte) {
	if b == nil || wk.freeN+cap(b) > maxFree {
		return
	}
	wk.free = append(wk.free, b)
	wk.freeN += cap(b)
}
