package odb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/index"
)

// WalkOptions says which objects Walk delivers and how.
type WalkOptions struct {
	// Dirs restricts the walk to the objects stored in these object
	// directories, which must be among Store.Dirs (a pre-receive hook
	// passes the quarantine directory alone). Empty walks them all.
	// Delta bases stored elsewhere are still read, and not delivered.
	Dirs []string
	// Types are the object types to deliver; empty delivers all four.
	// Pack entries of other types are not inflated at all, nor are the
	// deltas based on them: a delta has its base's type.
	Types []plumbing.ObjectType
	// Workers is the number of goroutines that inflate and deliver
	// objects; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// OnError receives each object that cannot be read, as an
	// *ObjectError naming it (its type when the walk knows it, and its
	// pack and offset): a CRC, zlib or
	// size error, a malformed header or delta, a delta base that is
	// missing, out of range or unreadable (each object built on it is
	// reported too), an unreadable loose object; and each pack whose
	// index cannot be read (an *ObjectError with a zero ID). Calls are
	// never concurrent. Nil ignores the errors; the walk goes on either
	// way.
	OnError func(error)
}

// Object is an object delivered by Walk.
type Object struct {
	ID   plumbing.Hash
	Type plumbing.ObjectType
	// Data is the object's content. It is valid only during the call:
	// the walk reuses its storage.
	Data []byte
}

// Walk calls fn once for each unique object of the selected directories
// and types: an object stored in two packs, or packed and loose, is
// delivered once. It enumerates pack indexes and loose objects rather
// than following commits, and decodes each pack in offset order, from
// each whole object down the tree of deltas built on it, so that every
// delta base is built once and only the objects on the current path are
// held (a worker holding more than 64 MiB drops bases and rebuilds them
// through the store's cache). The trees of deltas are shared out among
// Workers goroutines.
//
// fn is called concurrently, from up to Workers goroutines; worker, in
// [0, Workers), says which, so that the caller can keep per-worker state
// (a matcher's buffers) without locking: calls with the same worker
// index are never concurrent. The order of delivery is unspecified. A
// non-nil error from fn stops the walk and is returned, as is ctx's
// error; objects that cannot be read go to OnError and the walk goes on.
func (s *Store) Walk(ctx context.Context, o WalkOptions, fn func(worker int, obj Object) error) error {
	w, err := s.newWalk(ctx, o, fn)
	if err != nil {
		return err
	}
	defer w.cancel(nil)
	packs := s.walkPacks(w.dirs)
	for i := range packs {
		if err := w.walkPack(packs, i); err != nil {
			return err
		}
	}
	return w.walkLoose(packs)
}

// walk is the state of one Walk call shared by its workers.
type walk struct {
	s       *Store
	ctx     context.Context
	cancel  context.CancelCauseFunc
	fn      func(int, Object) error
	types   [8]bool
	dirs    map[string]bool // nil: all
	workers []*worker
	errMu   sync.Mutex
	onError func(error)
	midx    map[string]*index.Multi // by object directory; nil when it has none or it is unreadable
}

func (s *Store) newWalk(ctx context.Context, o WalkOptions, fn func(int, Object) error) (*walk, error) {
	if err := s.loadPacks(); err != nil {
		return nil, err
	}
	w := &walk{s: s, fn: fn, onError: o.OnError, midx: make(map[string]*index.Multi)}
	w.ctx, w.cancel = context.WithCancelCause(ctx)
	if len(o.Dirs) > 0 {
		w.dirs = make(map[string]bool)
		for _, d := range o.Dirs {
			d = filepath.Clean(d)
			if !slices.Contains(s.dirs, d) {
				w.cancel(nil)
				return nil, fmt.Errorf("walk %s: not one of the store's object directories", d)
			}
			w.dirs[d] = true
		}
	}
	for _, t := range o.Types {
		if !isWhole(t) {
			w.cancel(nil)
			return nil, fmt.Errorf("walk: %s is not an object type", t)
		}
		w.types[t] = true
	}
	if len(o.Types) == 0 {
		for t := plumbing.CommitObject; t <= plumbing.TagObject; t++ {
			w.types[t] = true
		}
	}
	n := o.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	for i := range n {
		w.workers = append(w.workers, &worker{w: w, id: i})
	}
	for _, err := range s.broken {
		w.report(&ObjectError{Err: err})
	}
	return w, nil
}

// selected reports whether the walk covers object directory d.
func (w *walk) selected(d string) bool { return w.dirs == nil || w.dirs[d] }

// walkPacks returns the store's packs in the walk's directories.
func (s *Store) walkPacks(dirs map[string]bool) []*pack {
	var out []*pack
	for _, p := range s.packs {
		if dirs == nil || dirs[p.dir] {
			out = append(out, p)
		}
	}
	return out
}

// report passes an unreadable object to OnError.
func (w *walk) report(err error) {
	if w.onError == nil {
		return
	}
	w.errMu.Lock()
	defer w.errMu.Unlock()
	w.onError(err)
}

// deliver passes an object to fn; fn's error stops the walk.
func (w *walk) deliver(worker int, obj Object) {
	if w.ctx.Err() != nil {
		return
	}
	if err := w.fn(worker, obj); err != nil {
		w.cancel(err)
	}
}

// run calls job(worker, i) for each i in [0, n), sharing the i out among
// the workers in order, and returns the walk's error, if any.
func (w *walk) run(n int, job func(wk *worker, i int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, wk := range w.workers {
		wg.Go(func() {
			for w.ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				job(wk, i)
			}
		})
	}
	wg.Wait()
	return context.Cause(w.ctx)
}

// dirMIDX returns the multi-pack-index of object directory d, read once;
// an unreadable one is reported, and the packs' own indexes serve.
func (w *walk) dirMIDX(d string) *index.Multi {
	m, ok := w.midx[d]
	if ok {
		return m
	}
	m, err := index.ReadMulti(filepath.Join(d, "pack"))
	if err != nil && !errors.Is(err, index.ErrNoMulti) {
		w.report(&ObjectError{Err: err})
	}
	w.midx[d] = m
	return m
}

// walkLoose delivers the loose objects of the walk's directories that
// no walked pack holds, each once.
func (w *walk) walkLoose(packs []*pack) error {
	var ids []plumbing.Hash
	var where []string
	seen := make(map[plumbing.Hash]bool)
	for _, d := range w.s.dirs {
		if !w.selected(d) {
			continue
		}
		list, err := listLoose(d)
		if err != nil {
			w.report(&ObjectError{Err: fmt.Errorf("%s: %w", d, err)})
		}
		for _, id := range list {
			if seen[id] || inPacks(packs, id) {
				continue
			}
			seen[id] = true
			ids, where = append(ids, id), append(where, d)
		}
	}
	return w.run(len(ids), func(wk *worker, i int) {
		wk.loose(ids[i], loosePath(where[i], ids[i]))
	})
}

// inPacks reports whether one of packs holds id (by its index).
func inPacks(packs []*pack, id plumbing.Hash) bool {
	for _, p := range packs {
		if _, ok, err := p.idx.Find(id); ok && err == nil {
			return true
		}
	}
	return false
}

// loose delivers one loose object.
func (wk *worker) loose(id plumbing.Hash, path string) {
	o, err := openLoose(path)
	if errors.Is(err, os.ErrNotExist) {
		err = errors.New("removed during the walk (packed by a concurrent gc?)")
	}
	if err != nil {
		wk.w.report(&ObjectError{ID: id, Err: fmt.Errorf("loose object %s: %w", path, err)})
		return
	}
	defer o.Close()
	if !wk.w.types[o.typ] {
		return
	}
	b, err := o.readAll(wk.get(o.size))
	if err != nil {
		wk.w.report(&ObjectError{ID: id, Type: o.typ, Err: fmt.Errorf("loose object %s: %w", path, err)})
		return
	}
	wk.w.deliver(wk.id, Object{ID: id, Type: o.typ, Data: b})
	wk.put(b)
}
