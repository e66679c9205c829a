package gitrepo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// Objects reads git objects by name from loose files and packs,
// looking each name up in the pack indexes on disk as git does.
//
// go-git's object storage decodes every pack index whole into memory
// before its first lookup: on BenchmarkStaged's repository, shaped like
// git/git (85k commits, 560k objects, a 16 MB pack index), that alone
// takes about 95 ms, more than the staged scan's whole budget. A lookup
// here reads the index's fan-out table once and then only the object
// names that share the hash's first byte, until enough lookups (a scan of
// the whole index) make reading the names whole cheaper. Resolved delta
// bases are kept in a small cache, as git does. go-git still does the
// decoding: loose objects (plumbing/format/objfile), deltas
// (packfile.PatchDelta), trees and commits (plumbing/object).
//
// An Objects is safe for concurrent use.
type Objects struct {
	dirs  []string // object directories: the repository's, then its alternates
	cache deltaCache

	once     sync.Once
	packs    []*packIndex
	packsErr error
}

// newObjects opens the object directory objectsDir and its alternates.
func newObjects(objectsDir string) *Objects {
	s := &Objects{dirs: []string{objectsDir}, cache: deltaCache{limit: deltaCacheSize}}
	s.dirs = append(s.dirs, alternates(objectsDir, 0)...)
	return s
}

// alternates returns the object directories listed in dir's
// info/alternates, recursively, as git reads them.
func alternates(dir string, depth int) []string {
	b, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
	if err != nil || depth > 5 {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(dir, line)
		}
		out = append(out, line)
		out = append(out, alternates(line, depth+1)...)
	}
	return out
}

// Close closes the pack files the store opened.
func (s *Objects) Close() error {
	var errs []error
	for _, p := range s.packs {
		errs = append(errs, p.close())
	}
	return errors.Join(errs...)
}

// maxObjectSize bounds the objects read into memory (trees, commits and
// blobs stored as deltas), so that a corrupt size cannot exhaust memory.
const maxObjectSize = 1 << 32

// Open returns a reader of the content of object h, with its type and
// size. The caller closes the reader.
func (s *Objects) Open(h plumbing.Hash) (plumbing.ObjectType, int64, io.ReadCloser, error) {
	return s.openAt(h, 0)
}

// openAt is open for the base of a chain of depth REF deltas.
func (s *Objects) openAt(h plumbing.Hash, depth int) (plumbing.ObjectType, int64, io.ReadCloser, error) {
	if depth > maxDeltaChain {
		return 0, 0, nil, fmt.Errorf("object %s: delta chain too long", h)
	}
	hex := h.String()
	for _, d := range s.dirs {
		f, err := os.Open(filepath.Join(d, hex[:2], hex[2:]))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, 0, nil, err
		}
		r, err := objfile.NewReader(f)
		if err != nil {
			f.Close()
			return 0, 0, nil, fmt.Errorf("loose object %s: %w", h, err)
		}
		typ, size, err := r.Header()
		if err != nil {
			r.Close()
			f.Close()
			return 0, 0, nil, fmt.Errorf("loose object %s: %w", h, err)
		}
		return typ, size, &looseReader{Reader: r, f: f}, nil
	}
	p, off, err := s.find(h)
	if err != nil {
		return 0, 0, nil, err
	}
	return p.open(s, off, depth)
}

// Read returns the whole content of object h, which must be of type want.
func (s *Objects) Read(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	typ, size, r, err := s.Open(h)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if typ != want {
		return nil, fmt.Errorf("object %s is a %s, not a %s", h, typ, want)
	}
	return readSized(r, size)
}

// readSized reads exactly size bytes from r.
func readSized(r io.Reader, size int64) ([]byte, error) {
	if size < 0 || size > maxObjectSize {
		return nil, fmt.Errorf("object size %d out of range", size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// looseReader reads a loose object and closes its file.
type looseReader struct {
	*objfile.Reader
	f *os.File
}

func (r *looseReader) Close() error {
	return errors.Join(r.Reader.Close(), r.f.Close())
}

// find returns the pack holding h and the object's offset in it.
func (s *Objects) find(h plumbing.Hash) (*packIndex, int64, error) {
	s.once.Do(s.loadPacks)
	if s.packsErr != nil {
		return nil, 0, s.packsErr
	}
	for _, p := range s.packs {
		off, ok, err := p.lookup(h)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			return p, off, nil
		}
	}
	return nil, 0, fmt.Errorf("object %s: %w", h, plumbing.ErrObjectNotFound)
}

// loadPacks opens the index of every pack in the object directories.
func (s *Objects) loadPacks() {
	for _, d := range s.dirs {
		dir := filepath.Join(d, "pack")
		names, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			s.packsErr = err
			return
		}
		for _, n := range names {
			base, ok := strings.CutSuffix(n.Name(), ".idx")
			if !ok || !strings.HasPrefix(base, "pack-") {
				continue
			}
			p, err := openPackIndex(filepath.Join(dir, base))
			if err != nil {
				s.packsErr = err
				return
			}
			s.packs = append(s.packs, p)
		}
	}
}

// packIndex is one pack and its version-2 index, read on demand
// (Documentation/gitformat-pack.txt).
type packIndex struct {
	base   string // the path without .idx or .pack
	idx    *os.File
	fanout [256]uint32
	count  int64

	packOnce sync.Once
	pack     *os.File
	packErr  error

	inflaters sync.Pool // of *inflater

	// After lazyLookups lookups the names and offsets are read whole:
	// a scan of the whole index looks up thousands of objects.
	lookups  atomic.Int64
	loadOnce sync.Once
	names    []byte // every object name, when loaded
	offsets  []byte // every 4-byte offset, when loaded
	loadErr  error
}

// lazyLookups is how many lookups read the index piecemeal before it is
// read whole.
const lazyLookups = 64

func openPackIndex(base string) (*packIndex, error) {
	f, err := os.Open(base + ".idx")
	if err != nil {
		return nil, err
	}
	p := &packIndex{base: base, idx: f}
	var head [8 + 256*4]byte
	if _, err := f.ReadAt(head[:], 0); err != nil || string(head[:4]) != "\xfftOc" || binary.BigEndian.Uint32(head[4:]) != 2 {
		f.Close()
		return nil, fmt.Errorf("%s.idx: not a version 2 pack index", base)
	}
	for i := range p.fanout {
		p.fanout[i] = binary.BigEndian.Uint32(head[8+4*i:])
		if i > 0 && p.fanout[i] < p.fanout[i-1] {
			f.Close()
			return nil, fmt.Errorf("%s.idx: malformed fan-out table", base)
		}
	}
	p.count = int64(p.fanout[255])
	// The header, then per object a name, a CRC32 and an offset, then two
	// checksums.
	if fi, err := f.Stat(); err != nil || fi.Size() < int64(len(head))+p.count*(indexHashLen+8)+2*indexHashLen {
		f.Close()
		return nil, fmt.Errorf("%s.idx: truncated", base)
	}
	return p, nil
}

func (p *packIndex) close() error {
	err := p.idx.Close()
	if p.pack != nil {
		err = errors.Join(err, p.pack.Close())
	}
	return err
}

// lookup returns the pack offset of h. It reads the names that share h's
// first byte, about count/256 of them, and binary-searches them.
func (p *packIndex) lookup(h plumbing.Hash) (int64, bool, error) {
	lo := int64(0)
	if h[0] > 0 {
		lo = int64(p.fanout[h[0]-1])
	}
	hi := int64(p.fanout[h[0]])
	if hi <= lo {
		return 0, false, nil
	}
	// The names, then a CRC32 per object, then a 4-byte offset per object,
	// whose high bit sends offsets of 2 GiB and more to an 8-byte table.
	const namesAt = 8 + 256*4
	off32At := namesAt + p.count*indexHashLen + p.count*4
	var names, offsets []byte
	if p.lookups.Add(1) > lazyLookups {
		p.loadOnce.Do(p.load)
		if p.loadErr != nil {
			return 0, false, p.loadErr
		}
		names, offsets = p.names[lo*indexHashLen:hi*indexHashLen], p.offsets
	} else {
		names = make([]byte, (hi-lo)*indexHashLen)
		if _, err := p.idx.ReadAt(names, namesAt+lo*indexHashLen); err != nil {
			return 0, false, fmt.Errorf("%s.idx: %w", p.base, err)
		}
	}
	n := int(hi - lo)
	i := sort.Search(n, func(i int) bool { return bytes.Compare(names[i*indexHashLen:(i+1)*indexHashLen], h[:]) >= 0 })
	if i == n || !bytes.Equal(names[i*indexHashLen:(i+1)*indexHashLen], h[:]) {
		return 0, false, nil
	}
	pos := lo + int64(i)
	var b [8]byte
	if offsets != nil {
		copy(b[:4], offsets[pos*4:])
	} else if _, err := p.idx.ReadAt(b[:4], off32At+pos*4); err != nil {
		return 0, false, fmt.Errorf("%s.idx: %w", p.base, err)
	}
	off := binary.BigEndian.Uint32(b[:4])
	if off&0x80000000 == 0 {
		return int64(off), true, nil
	}
	if _, err := p.idx.ReadAt(b[:], off32At+p.count*4+int64(off&0x7fffffff)*8); err != nil {
		return 0, false, fmt.Errorf("%s.idx: %w", p.base, err)
	}
	return int64(binary.BigEndian.Uint64(b[:])), true, nil
}

// load reads the names and the 4-byte offsets whole.
func (p *packIndex) load() {
	const namesAt = 8 + 256*4
	names := make([]byte, p.count*indexHashLen)
	offsets := make([]byte, p.count*4)
	if _, err := p.idx.ReadAt(names, namesAt); err != nil {
		p.loadErr = fmt.Errorf("%s.idx: %w", p.base, err)
		return
	}
	if _, err := p.idx.ReadAt(offsets, namesAt+p.count*(indexHashLen+4)); err != nil {
		p.loadErr = fmt.Errorf("%s.idx: %w", p.base, err)
		return
	}
	p.names, p.offsets = names, offsets
}

// packFile opens the pack itself on first use.
func (p *packIndex) packFile() (*os.File, error) {
	p.packOnce.Do(func() { p.pack, p.packErr = os.Open(p.base + ".pack") })
	return p.pack, p.packErr
}

// Pack object types: 1 to 4 are plumbing.ObjectType's values.
const (
	packOFSDelta = 6
	packREFDelta = 7
)

// packEntry is the header of one object in a pack.
type packEntry struct {
	off     int64 // where the entry starts
	typ     int
	size    int64 // of the object, or of the delta for a delta
	base    int64 // OFS delta: the base's offset
	baseRef plumbing.Hash
	data    int64 // where the zlib stream starts
}

func (p *packIndex) entry(f *os.File, off int64) (packEntry, error) {
	var b [32]byte
	n, err := f.ReadAt(b[:], off)
	if n == 0 {
		return packEntry{}, fmt.Errorf("%s.pack at %d: %w", p.base, off, err)
	}
	bad := fmt.Errorf("%s.pack at %d: malformed object header", p.base, off)
	i := 0
	next := func() (byte, bool) {
		if i >= n {
			return 0, false
		}
		i++
		return b[i-1], true
	}
	c, _ := next()
	e := packEntry{off: off, typ: int(c>>4) & 7, size: int64(c & 15)}
	for shift := 4; c&0x80 != 0; shift += 7 {
		var ok bool
		if c, ok = next(); !ok || shift > 56 {
			return packEntry{}, bad
		}
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case packOFSDelta:
		c, ok := next()
		if !ok {
			return packEntry{}, bad
		}
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if c, ok = next(); !ok || rel >= 1<<55 {
				return packEntry{}, bad
			}
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return packEntry{}, bad
		}
		e.base = off - rel
	case packREFDelta:
		if n-i < indexHashLen {
			return packEntry{}, bad
		}
		copy(e.baseRef[:], b[i:])
		i += indexHashLen
	case int(plumbing.CommitObject), int(plumbing.TreeObject), int(plumbing.BlobObject), int(plumbing.TagObject):
	default:
		return packEntry{}, bad
	}
	e.data = off + int64(i)
	return e, nil
}

// inflate returns a reader of an entry's zlib stream.
func (p *packIndex) inflate(f *os.File, e packEntry) (io.ReadCloser, error) {
	in, _ := p.inflaters.Get().(*inflater)
	if in == nil {
		in = &inflater{pool: &p.inflaters, src: bufio.NewReaderSize(nil, 4096)}
	}
	in.src.Reset(io.NewSectionReader(f, e.data, 1<<62))
	var err error
	if in.z == nil {
		in.z, err = zlib.NewReader(in.src)
	} else {
		err = in.z.(zlib.Resetter).Reset(in.src, nil)
	}
	if err != nil {
		in.z = nil
		p.inflaters.Put(in)
		return nil, fmt.Errorf("%s.pack at %d: %w", p.base, e.data, err)
	}
	return in, nil
}

// inflater is a zlib reader and its input buffer, kept for reuse: a new
// zlib reader allocates tens of kilobytes, and a scan of the whole index
// inflates thousands of objects.
type inflater struct {
	pool *sync.Pool
	src  *bufio.Reader
	z    io.ReadCloser
}

func (in *inflater) Read(b []byte) (int, error) { return in.z.Read(b) }

// Close returns the inflater to its pool; it must not be used after.
func (in *inflater) Close() error {
	err := in.z.Close()
	in.src.Reset(nil)
	in.pool.Put(in)
	return err
}

// maxDeltaChain bounds a chain of deltas; git writes at most 4095.
const maxDeltaChain = 10000

// open returns a reader of the object at off. An object stored whole is
// streamed, so a large blob costs no more memory than the scan's buffer;
// a delta is resolved in memory, as git does.
func (p *packIndex) open(s *Objects, off int64, depth int) (plumbing.ObjectType, int64, io.ReadCloser, error) {
	f, err := p.packFile()
	if err != nil {
		return 0, 0, nil, err
	}
	e, err := p.entry(f, off)
	if err != nil {
		return 0, 0, nil, err
	}
	if e.typ != packOFSDelta && e.typ != packREFDelta {
		z, err := p.inflate(f, e)
		if err != nil {
			return 0, 0, nil, err
		}
		return plumbing.ObjectType(e.typ), e.size, z, nil
	}
	// Follow the chain down to a whole object, or one in the cache, then
	// apply the deltas from the bottom up, caching each result: objects
	// stored as deltas of one another share most of their chains.
	type delta struct {
		off  int64
		data []byte
	}
	var deltas []delta
	var typ plumbing.ObjectType
	var obj []byte
	for {
		if depth+len(deltas) > maxDeltaChain {
			return 0, 0, nil, fmt.Errorf("%s.pack at %d: delta chain too long", p.base, off)
		}
		if c, ok := s.cache.get(p, e.off); ok {
			typ, obj = c.typ, c.data
			break
		}
		b, err := p.inflateAll(f, e)
		if err != nil {
			return 0, 0, nil, err
		}
		if e.typ == packREFDelta {
			deltas = append(deltas, delta{e.off, b})
			typ, obj, err = s.readBase(e.baseRef, depth+len(deltas))
			if err != nil {
				return 0, 0, nil, err
			}
			break
		}
		if e.typ != packOFSDelta {
			typ, obj = plumbing.ObjectType(e.typ), b
			s.cache.put(p, e.off, typ, obj)
			break
		}
		deltas = append(deltas, delta{e.off, b})
		if e, err = p.entry(f, e.base); err != nil {
			return 0, 0, nil, err
		}
	}
	for i := len(deltas) - 1; i >= 0; i-- {
		if obj, err = packfile.PatchDelta(obj, deltas[i].data); err != nil {
			return 0, 0, nil, fmt.Errorf("%s.pack at %d: %w", p.base, off, err)
		}
		s.cache.put(p, deltas[i].off, typ, obj)
	}
	return typ, int64(len(obj)), io.NopCloser(bytes.NewReader(obj)), nil
}

// deltaCacheSize bounds the bytes of objects kept for resolving deltas.
const deltaCacheSize = 32 << 20

// deltaCache keeps recently resolved pack objects, by pack and offset, as
// git's delta base cache does; the oldest go first. Cached bytes are never
// modified. It is safe for concurrent use.
type deltaCache struct {
	limit int // bytes; an object larger than an eighth of it is not kept
	mu    sync.Mutex
	objs  map[deltaKey]cachedObject
	order []deltaKey
	size  int
}

type deltaKey struct {
	p   *packIndex
	off int64
}

type cachedObject struct {
	typ  plumbing.ObjectType
	data []byte
}

func (c *deltaCache) get(p *packIndex, off int64) (cachedObject, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.objs[deltaKey{p, off}]
	return o, ok
}

func (c *deltaCache) put(p *packIndex, off int64, typ plumbing.ObjectType, data []byte) {
	if len(data) > c.limit/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := deltaKey{p, off}
	if _, ok := c.objs[k]; ok {
		return
	}
	if c.objs == nil {
		c.objs = map[deltaKey]cachedObject{}
	}
	for c.size+len(data) > c.limit {
		c.size -= len(c.objs[c.order[0]].data)
		delete(c.objs, c.order[0])
		c.order = c.order[1:]
	}
	c.objs[k] = cachedObject{typ, data}
	c.order = append(c.order, k)
	c.size += len(data)
}

func (p *packIndex) inflateAll(f *os.File, e packEntry) ([]byte, error) {
	z, err := p.inflate(f, e)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	b, err := readSized(z, e.size)
	if err != nil {
		return nil, fmt.Errorf("%s.pack at %d: %w", p.base, e.data, err)
	}
	return b, nil
}

// readBase returns the type and content of the base of a REF delta at
// depth in its chain.
func (s *Objects) readBase(h plumbing.Hash, depth int) (plumbing.ObjectType, []byte, error) {
	typ, size, r, err := s.openAt(h, depth)
	if err != nil {
		return 0, nil, err
	}
	defer r.Close()
	b, err := readSized(r, size)
	return typ, b, err
}

// Objects returns the repository's object store, opened on first use.
func (r *Repo) Objects() *Objects {
	r.objectsOnce.Do(func() { r.objects = newObjects(filepath.Join(r.CommonDir, "objects")) })
	return r.objects
}
