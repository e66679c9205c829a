package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/internal/mmap"
)

// Pack is a version-2 pack index (Documentation/gitformat-pack.txt),
// read on demand. Where the system can, the file is mapped, and a lookup
// touches only the pages its search goes through; elsewhere it reads the
// fan-out table, read once at open, and then only the names that share
// the id's first byte, about a 256th of them, until lazyLookups lookups
// make reading the names whole cheaper. go-git decodes a whole index
// before its first lookup, which on a git/git-sized repository (a 16 MB
// index) takes about 95 ms, more than a staged scan's budget; reading it
// whole once a staged scan had read a few dozen trees took 50 ms. It is
// safe for concurrent use.
type Pack struct {
	path   string
	f      *os.File
	data   []byte // the file mapped, or nil
	fanout [256]uint32
	count  int64
	large  int64 // entries in the table of 8-byte offsets

	lookups  atomic.Int64
	loadOnce sync.Once
	tables   atomic.Pointer[idxTables] // set once loaded
	loadErr  error
}

// idxTables are an index's names and 4-byte offsets, read whole.
type idxTables struct {
	names   []byte
	offsets []byte
}

// hashLen is the length of a SHA-1 object name.
const hashLen = 20

// lazyLookups is how many lookups read the index piecemeal before it is
// read whole.
const lazyLookups = 64

// The layout of a version-2 index: a header and the fan-out table, then
// per object a name, then per object a CRC32, then per object a 4-byte
// offset, whose high bit sends offsets of 2 GiB and more to a table of
// 8-byte ones, then the pack's checksum and the index's own.
const (
	idxNamesAt = 8 + 256*4
	idxTrailer = 2 * hashLen
)

// Close closes the index file.
func (x *Pack) Close() error { return errors.Join(mmap.Unmap(x.data), x.f.Close()) }

// Path returns the index file's path.
func (x *Pack) Path() string { return x.path }

func (x *Pack) crcAt() int64   { return idxNamesAt + x.count*hashLen }
func (x *Pack) off32At() int64 { return x.crcAt() + x.count*4 }
func (x *Pack) off64At() int64 { return x.off32At() + x.count*4 }

// Open opens the index at path and checks its header, fan-out
// table and size; it reads nothing else. The caller closes it.
func Open(path string) (*Pack, error) { return open(path, true) }

// open is Open, mapping the file if mapIt and the system can.
func open(path string, mapIt bool) (*Pack, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	x := &Pack{path: path, f: f}
	if err := x.readHeader(mapIt); err != nil {
		f.Close()
		return nil, fmt.Errorf("read pack index %s: %w", path, err)
	}
	return x, nil
}

func (x *Pack) readHeader(mapIt bool) error {
	var head [idxNamesAt]byte
	if _, err := x.f.ReadAt(head[:], 0); err != nil || string(head[:4]) != "\xfftOc" || binary.BigEndian.Uint32(head[4:]) != 2 {
		return fmt.Errorf("not a version 2 pack index (truncated or of another version)")
	}
	for i := range x.fanout {
		x.fanout[i] = binary.BigEndian.Uint32(head[8+4*i:])
		if i > 0 && x.fanout[i] < x.fanout[i-1] {
			return fmt.Errorf("malformed fan-out table")
		}
	}
	x.count = int64(x.fanout[255])
	fi, err := x.f.Stat()
	if err != nil {
		return err
	}
	rest := fi.Size() - x.off64At() - idxTrailer
	if rest < 0 || rest%8 != 0 {
		return fmt.Errorf("truncated: %d bytes for %d objects", fi.Size(), x.count)
	}
	x.large = rest / 8
	if mapIt {
		x.data = mmap.File(x.f, fi.Size())
	}
	if x.data != nil {
		x.tables.Store(&idxTables{names: x.data[idxNamesAt:x.crcAt()], offsets: x.data[x.off32At():x.off64At()]})
	}
	return nil
}

// Find returns the position of id in the index's sorted names, and
// whether it is there.
func (x *Pack) Find(id plumbing.Hash) (int64, bool, error) {
	lo := int64(0)
	if id[0] > 0 {
		lo = int64(x.fanout[id[0]-1])
	}
	hi := int64(x.fanout[id[0]])
	if hi <= lo {
		return 0, false, nil
	}
	var names []byte
	t := x.tables.Load()
	if t == nil && x.lookups.Add(1) > lazyLookups {
		var err error
		if t, err = x.load(); err != nil {
			return 0, false, err
		}
	}
	if t != nil {
		names = t.names[lo*hashLen : hi*hashLen]
	} else {
		names = make([]byte, (hi-lo)*hashLen)
		if _, err := x.f.ReadAt(names, idxNamesAt+lo*hashLen); err != nil {
			return 0, false, fmt.Errorf("read pack index %s: %w", x.path, err)
		}
	}
	i, ok := Search(names, id)
	return lo + int64(i), ok, nil
}

// Search returns where id is, or would be, in the sorted names.
// Object names are uniformly distributed, so a few steps of
// interpolation narrow the search to a handful of names before a binary
// search: a lookup touches a few cache lines of a large index instead of
// a dozen, on every tree and commit a history walk reads. Names are
// compared by their first eight bytes as integers first.
func Search(names []byte, id plumbing.Hash) (int, bool) {
	key := binary.BigEndian.Uint64(id[:8])
	less := func(m int) bool {
		name := names[m*hashLen : (m+1)*hashLen]
		k := binary.BigEndian.Uint64(name)
		return k < key || k == key && bytes.Compare(name[8:], id[8:]) < 0
	}
	lo, hi := 0, len(names)/hashLen // the answer is in [lo, hi]
	for range 3 {
		if hi-lo < 32 {
			break
		}
		kl, kh := binary.BigEndian.Uint64(names[lo*hashLen:]), binary.BigEndian.Uint64(names[(hi-1)*hashLen:])
		if key <= kl || key >= kh {
			break
		}
		m := lo + int(float64(key-kl)/float64(kh-kl)*float64(hi-1-lo))
		m = min(max(m, lo), hi-1)
		if less(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if less(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(names)/hashLen && bytes.Equal(names[lo*hashLen:(lo+1)*hashLen], id[:])
}

// Offset returns the pack offset of the object at position pos.
func (x *Pack) Offset(pos int64) (int64, error) {
	var b [8]byte
	if t := x.tables.Load(); t != nil {
		copy(b[:4], t.offsets[pos*4:])
	} else if _, err := x.f.ReadAt(b[:4], x.off32At()+pos*4); err != nil {
		return 0, fmt.Errorf("read pack index %s: %w", x.path, err)
	}
	return x.wide(binary.BigEndian.Uint32(b[:4]))
}

// wide returns the offset that a 4-byte offset field stands for.
func (x *Pack) wide(off uint32) (int64, error) {
	if off&0x80000000 == 0 {
		return int64(off), nil
	}
	i := int64(off & 0x7fffffff)
	if i >= x.large {
		return 0, fmt.Errorf("read pack index %s: large offset %d out of range", x.path, i)
	}
	var b [8]byte
	if _, err := x.f.ReadAt(b[:], x.off64At()+i*8); err != nil {
		return 0, fmt.Errorf("read pack index %s: %w", x.path, err)
	}
	o := binary.BigEndian.Uint64(b[:])
	if o >= 1<<62 {
		return 0, fmt.Errorf("read pack index %s: offset %d out of range", x.path, o)
	}
	return int64(o), nil
}

// load reads the names and the 4-byte offsets whole, once.
func (x *Pack) load() (*idxTables, error) {
	x.loadOnce.Do(func() {
		names := make([]byte, x.count*hashLen)
		offsets := make([]byte, x.count*4)
		if _, err := x.f.ReadAt(names, idxNamesAt); err != nil {
			x.loadErr = fmt.Errorf("read pack index %s: %w", x.path, err)
			return
		}
		if _, err := x.f.ReadAt(offsets, x.off32At()); err != nil {
			x.loadErr = fmt.Errorf("read pack index %s: %w", x.path, err)
			return
		}
		x.tables.Store(&idxTables{names, offsets})
	})
	return x.tables.Load(), x.loadErr
}

// All returns every name (20 bytes each), offset and CRC32, in the
// index's order, for a walk: it loads the names and offsets for later
// lookups too. The names must not be modified.
func (x *Pack) All() (names []byte, offsets []int64, crcs []uint32, err error) {
	t, err := x.load()
	if err != nil {
		return nil, nil, nil, err
	}
	raw := x.data
	if raw != nil {
		raw = raw[x.crcAt():x.off32At()]
	} else {
		raw = make([]byte, x.count*4)
		if _, err := x.f.ReadAt(raw, x.crcAt()); err != nil {
			return nil, nil, nil, fmt.Errorf("read pack index %s: %w", x.path, err)
		}
	}
	crcs = make([]uint32, x.count)
	offsets = make([]int64, x.count)
	for i := range crcs {
		crcs[i] = binary.BigEndian.Uint32(raw[i*4:])
		if offsets[i], err = x.wide(binary.BigEndian.Uint32(t.offsets[i*4:])); err != nil {
			return nil, nil, nil, err
		}
	}
	return t.names, offsets, crcs, nil
}

// Name returns the name at position pos.
func (x *Pack) Name(pos int64) (plumbing.Hash, error) {
	var id plumbing.Hash
	if t := x.tables.Load(); t != nil {
		copy(id[:], t.names[pos*hashLen:])
		return id, nil
	}
	if _, err := x.f.ReadAt(id[:], idxNamesAt+pos*hashLen); err != nil {
		return id, fmt.Errorf("read pack index %s: %w", x.path, err)
	}
	return id, nil
}
