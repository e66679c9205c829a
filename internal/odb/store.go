package odb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/index"
	"github.com/clarolint/clarolint/internal/odb/internal/basecache"
)

// ErrNotFound is the error, wrapped in an *ObjectError, of a read of an
// object that none of the store's directories holds.
var ErrNotFound = errors.New("object not found")

// ObjectError is an object that could not be read: missing, or stored in
// a damaged pack or loose file. Pack and Offset say where the copy that
// failed is stored ("" and 0 for a loose object or a missing one); ID is
// zero only when a damaged index hides the names of a pack's objects.
// Type is the object's type when the walk that failed to read it knew it
// (from the header of the object or of the whole object its deltas are
// built on), and 0 otherwise.
type ObjectError struct {
	ID     plumbing.Hash
	Type   plumbing.ObjectType
	Pack   string // the .pack file's path
	Offset int64
	Err    error
}

func (e *ObjectError) Error() string {
	switch {
	case e.Pack == "":
		return fmt.Sprintf("object %s: %v", e.ID, e.Err)
	case e.ID.IsZero():
		return fmt.Sprintf("%s at %d: %v", e.Pack, e.Offset, e.Err)
	}
	return fmt.Sprintf("object %s (%s at %d): %v", e.ID, e.Pack, e.Offset, e.Err)
}

func (e *ObjectError) Unwrap() error { return e.Err }

// Store reads git objects from object directories: loose objects and
// packs (.idx version 2 and .pack, offsets past 2 GiB included), whatever
// .keep or .promisor files say about them. It never writes to the
// directories. It is safe for concurrent use.
type Store struct {
	dirs  []string
	cache *basecache.Cache[*packFile]
	noMap bool // read packs with pread, never mapped: for tests of that path

	once    sync.Once
	packs   []*pack
	broken  []error // packs whose index cannot be read
	loadErr error
}

// pack is one pack of a store: its data file and its index.
type pack struct {
	packFile
	idx *index.Pack
	dir string // the object directory holding it
}

// baseCacheSize bounds the bytes of resolved objects the store keeps for
// resolving deltas.
const baseCacheSize = 32 << 20

// maxDeltaChain bounds a chain of deltas; git writes at most 4095.
const maxDeltaChain = 10000

// Open returns a Store over the object directories dirs, searched in
// that order, each followed by the directories its info/alternates names
// (recursively, as git follows them). A pre-receive hook passes
// $GIT_OBJECT_DIRECTORY (the quarantine) first, then the directories of
// GIT_ALTERNATE_OBJECT_DIRECTORIES (see cquote.SplitList). Nothing is read
// but the alternates files until an object is: the indexes are opened
// on the first lookup, and read in part (see Has).
func Open(dirs ...string) (*Store, error) {
	s := &Store{cache: basecache.New[*packFile](baseCacheSize)}
	seen := make(map[string]bool)
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("open object directory %s: not a directory", d)
		}
		more, err := withAlternates(d, 0, seen)
		if err != nil {
			return nil, err
		}
		s.dirs = append(s.dirs, more...)
	}
	if len(s.dirs) == 0 {
		return nil, errors.New("open object store: no object directory")
	}
	return s, nil
}

// Dirs returns the object directories the store reads, in search order:
// those given to Open and their alternates.
func (s *Store) Dirs() []string { return slices.Clone(s.dirs) }

// Close closes the files the store opened. The store must not be used
// after.
func (s *Store) Close() error {
	var errs []error
	for _, p := range s.packs {
		errs = append(errs, p.close(), p.idx.Close())
	}
	return errors.Join(errs...)
}

// loadPacks opens the index of every pack in the store's directories,
// once. An index without its pack is a leftover that git ignores too; an
// index that cannot be read is kept in s.broken.
func (s *Store) loadPacks() error {
	s.once.Do(func() {
		for _, d := range s.dirs {
			dir := filepath.Join(d, "pack")
			names, err := os.ReadDir(dir)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				s.loadErr = fmt.Errorf("list packs: %w", err)
				return
			}
			for _, n := range names {
				base, ok := strings.CutSuffix(n.Name(), ".idx")
				if !ok || !strings.HasPrefix(base, "pack-") {
					continue
				}
				base = filepath.Join(dir, base)
				if _, err := os.Stat(base + ".pack"); err != nil {
					continue
				}
				x, err := index.Open(base + ".idx")
				if err != nil {
					// The other packs can still be read; the objects of
					// this one are reported missing, with this error.
					s.broken = append(s.broken, err)
					continue
				}
				s.packs = append(s.packs, &pack{packFile: packFile{path: base + ".pack", noMap: s.noMap}, idx: x, dir: d})
			}
		}
	})
	return s.loadErr
}

// find returns the pack holding id and the object's offset in it.
func (s *Store) find(id plumbing.Hash) (*pack, int64, bool, error) {
	if err := s.loadPacks(); err != nil {
		return nil, 0, false, err
	}
	for _, p := range s.packs {
		pos, ok, err := p.idx.Find(id)
		if err != nil {
			return nil, 0, false, err
		}
		if ok {
			off, err := p.idx.Offset(pos)
			return p, off, err == nil, err
		}
	}
	return nil, 0, false, nil
}

// Has reports whether the store holds object id, packed or loose,
// without reading it. A lookup in a pack index reads its fan-out table
// once and then only the names that share id's first byte, until 64
// lookups in that index make reading its names whole cheaper.
func (s *Store) Has(id plumbing.Hash) (bool, error) {
	_, _, ok, err := s.find(id)
	if ok || err != nil {
		return ok, err
	}
	for _, d := range s.dirs {
		if _, err := os.Stat(loosePath(d, id)); err == nil {
			return true, nil
		}
	}
	return false, nil
}

// Read returns the type and content of object id. Deltas are resolved
// through a cache of recently built objects (32 MiB), so reading the
// versions of one file or tree in turn rebuilds little. The returned
// bytes may be shared with that cache and with other callers: they must
// not be modified. An object that cannot be read is an *ObjectError
// (ErrNotFound when no directory holds it).
func (s *Store) Read(id plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	p, off, ok, err := s.find(id)
	if err != nil {
		return 0, nil, &ObjectError{ID: id, Err: err}
	}
	if ok {
		typ, b, err := s.readPacked(p, off, 0)
		if err != nil {
			return 0, nil, &ObjectError{ID: id, Pack: p.path, Offset: off, Err: err}
		}
		return typ, b, nil
	}
	for _, d := range s.dirs {
		o, err := openLoose(loosePath(d, id))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, nil, &ObjectError{ID: id, Err: err}
		}
		b, err := o.readAll(nil)
		o.Close()
		if err != nil {
			return 0, nil, &ObjectError{ID: id, Err: err}
		}
		return o.typ, b, nil
	}
	return 0, nil, &ObjectError{ID: id, Err: s.notFound()}
}

// notFound is ErrNotFound, with the indexes that could not be read: the
// object may be in their packs.
func (s *Store) notFound() error {
	if len(s.broken) == 0 {
		return ErrNotFound
	}
	return fmt.Errorf("%w (and %w)", ErrNotFound, errors.Join(s.broken...))
}

// Reader reads the content of one object; see Store.Open.
type Reader struct {
	// Type and Size are the object's type and size.
	Type plumbing.ObjectType
	Size int64
	Pack string // the .pack file read from ("" if loose), for ReadElsewhere

	r io.Reader
	c io.Closer
}

// Read reads the object's content. A stream that turns out corrupt
// (a zlib or checksum error, or a size other than Size) is an error.
func (r *Reader) Read(b []byte) (int, error) { return r.r.Read(b) }

// Close releases the reader's resources.
func (r *Reader) Close() error {
	if r.c == nil {
		return nil
	}
	return r.c.Close()
}

// Open returns a reader of object id's content. An object stored whole
// (a large blob, usually) is streamed as it is inflated, so it costs no
// more memory than the caller's buffer; a delta is resolved in memory.
// The caller closes the reader. A Reader is for one goroutine; Open is
// safe for concurrent use.
func (s *Store) Open(id plumbing.Hash) (*Reader, error) {
	p, off, ok, err := s.find(id)
	if err != nil {
		return nil, &ObjectError{ID: id, Err: err}
	}
	if ok {
		r, err := s.openPacked(p, off)
		if err != nil {
			return nil, &ObjectError{ID: id, Pack: p.path, Offset: off, Err: err}
		}
		return r, nil
	}
	for _, d := range s.dirs {
		o, err := openLoose(loosePath(d, id))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, &ObjectError{ID: id, Err: err}
		}
		return &Reader{Type: o.typ, Size: o.size, r: o, c: o}, nil
	}
	return nil, &ObjectError{ID: id, Err: s.notFound()}
}

func (s *Store) openPacked(p *pack, off int64) (*Reader, error) {
	er, e, err := p.open(off)
	if err != nil {
		return nil, err
	}
	if !isDelta(e.typ) {
		return &Reader{Type: e.typ, Size: e.size, Pack: p.path, r: er, c: er}, nil
	}
	er.Close()
	typ, b, err := s.readPacked(p, off, 0)
	if err != nil {
		return nil, err
	}
	return &Reader{Type: typ, Size: int64(len(b)), Pack: p.path, r: bytes.NewReader(b)}, nil
}

// ReadElsewhere reads object id from a copy other than the one that
// failed: one stored in another pack than failedPack, or a loose one
// (when failedPack is "", the failed copy was loose, and only packs are
// tried). A damaged pack need not lose an object that another pack or a
// loose file also holds. It returns an *ObjectError wrapping ErrNotFound
// when there is no other copy, and the first error met when no other copy
// can be read either.
func (s *Store) ReadElsewhere(id plumbing.Hash, failedPack string) (plumbing.ObjectType, []byte, error) {
	if err := s.loadPacks(); err != nil {
		return 0, nil, &ObjectError{ID: id, Err: err}
	}
	var first error
	for _, p := range s.packs {
		if p.path == failedPack {
			continue
		}
		pos, ok, err := p.idx.Find(id)
		if err != nil || !ok {
			continue
		}
		off, err := p.idx.Offset(pos)
		if err == nil {
			var typ plumbing.ObjectType
			var b []byte
			if typ, b, err = s.readPacked(p, off, 0); err == nil {
				return typ, b, nil
			}
		}
		if first == nil {
			first = &ObjectError{ID: id, Pack: p.path, Offset: off, Err: err}
		}
	}
	if failedPack != "" {
		for _, d := range s.dirs {
			o, err := openLoose(loosePath(d, id))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err == nil {
				var b []byte
				b, err = o.readAll(nil)
				o.Close()
				if err == nil {
					return o.typ, b, nil
				}
			}
			if first == nil {
				first = &ObjectError{ID: id, Err: err}
			}
		}
	}
	if first != nil {
		return 0, nil, first
	}
	return 0, nil, &ObjectError{ID: id, Err: ErrNotFound}
}
