package odb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/klauspost/compress/zlib"

	"github.com/clarolint/clarolint/internal/odb/internal/mmap"
)

// Pack object types: 1 to 4 are plumbing.ObjectType's values.
const (
	typeOFSDelta = plumbing.OFSDeltaObject
	typeREFDelta = plumbing.REFDeltaObject
)

// maxHeader is the most bytes an entry header can take: a type and a
// size of up to 63 bits (10 bytes), then a REF delta's base name or an
// OFS delta's offset.
const maxHeader = 10 + hashLen

// hashLen is the length of a SHA-1 object name.
const hashLen = 20

// maxObjectSize bounds the objects read into memory, so that a corrupt
// size cannot exhaust memory.
const maxObjectSize = 1 << 32

// maxRatio bounds how much deflate can expand: a 258-byte match costs at
// least two bits, so a stream of n bytes inflates to under 1032n bytes.
// A size beyond it is corrupt, and is rejected before its buffer is
// allocated.
const maxRatio = 1032

// checkSize rejects an object size that a stream of n compressed bytes
// cannot hold.
func checkSize(size, n int64) error {
	if size > maxRatio*n+64 {
		return fmt.Errorf("size %d impossible for %d compressed bytes", size, n)
	}
	return nil
}

// errBadHeader is a malformed pack entry header.
var errBadHeader = errors.New("malformed pack entry header")

// entryHeader is the header of one object in a pack.
type entryHeader struct {
	typ     plumbing.ObjectType
	size    int64 // of the object, or of the delta for a delta
	baseOff int64 // OFS delta: the base's offset
	baseRef plumbing.Hash
	hdrLen  int // where the zlib stream starts, from the entry's offset
}

// parseHeader parses the header of the entry at offset off of a pack
// from b, which holds the entry's first bytes (maxHeader of them unless
// the pack ends sooner).
func parseHeader(b []byte, off int64) (entryHeader, error) {
	if len(b) == 0 {
		return entryHeader{}, errBadHeader
	}
	c := b[0]
	e := entryHeader{typ: plumbing.ObjectType(c >> 4 & 7), size: int64(c & 15)}
	i := 1
	for shift := 4; c&0x80 != 0; shift += 7 {
		if i >= len(b) || shift > 56 {
			return entryHeader{}, errBadHeader
		}
		c = b[i]
		i++
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case typeOFSDelta:
		if i >= len(b) {
			return entryHeader{}, errBadHeader
		}
		c := b[i]
		i++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(b) || rel >= 1<<55 {
				return entryHeader{}, errBadHeader
			}
			c = b[i]
			i++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return entryHeader{}, fmt.Errorf("%w: delta base offset %d before the start of the pack", errBadHeader, off-rel)
		}
		e.baseOff = off - rel
	case typeREFDelta:
		if len(b)-i < hashLen {
			return entryHeader{}, errBadHeader
		}
		copy(e.baseRef[:], b[i:])
		i += hashLen
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	default:
		return entryHeader{}, fmt.Errorf("%w: object type %d", errBadHeader, e.typ)
	}
	if e.size > maxObjectSize {
		return entryHeader{}, fmt.Errorf("%w: size %d out of range", errBadHeader, e.size)
	}
	e.hdrLen = i
	return e, nil
}

// isDelta reports whether an entry of type t is stored as a delta.
func isDelta(t plumbing.ObjectType) bool { return t == typeOFSDelta || t == typeREFDelta }

// inflater inflates zlib streams, reusing its state: a new zlib reader
// allocates tens of kilobytes, and a walk inflates every object.
// klauspost/compress's zlib inflates faster than the standard library's
// (BenchmarkInflate), with the same checks of the stream and checksum.
type inflater struct {
	z   io.ReadCloser
	src bytes.Reader
	buf *bufio.Reader // for streams read from a file
}

// reset points the inflater at r.
func (in *inflater) reset(r io.Reader) error {
	if in.z == nil {
		z, err := zlib.NewReader(r)
		if err != nil {
			return err
		}
		in.z = z
		return nil
	}
	return in.z.(zlib.Resetter).Reset(r, nil)
}

// inflate inflates the zlib stream at the start of src into dst, whose
// length is the size the stream must inflate to, and checks that it
// ends there.
func (in *inflater) inflate(dst, src []byte) error {
	in.src.Reset(src)
	if err := in.reset(&in.src); err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	return in.readExact(dst)
}

// readExact fills dst from the current stream and checks that the
// stream ends right there, its checksum included.
// readSized reads the inflated stream into b, *left bytes of it at most,
// and fails if the stream ends before *left bytes, or, once they are
// read, if it does not end there with a good checksum.
func (in *inflater) readSized(b []byte, left *int64) (int, error) {
	if *left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > *left {
		b = b[:*left]
	}
	n, err := in.z.Read(b)
	*left -= int64(n)
	switch {
	case *left == 0:
		return n, in.readExact(nil) // the end of the stream and its checksum
	case err == io.EOF:
		return n, fmt.Errorf("inflate: %w", io.ErrUnexpectedEOF)
	case err != nil:
		return n, fmt.Errorf("inflate: %w", err)
	}
	return n, nil
}

func (in *inflater) readExact(dst []byte) error {
	if _, err := io.ReadFull(in.z, dst); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("inflate: %w", err)
	}
	var one [1]byte
	switch n, err := in.z.Read(one[:]); {
	case n > 0:
		return errors.New("inflate: stream longer than the object's size")
	case err != io.EOF:
		return fmt.Errorf("inflate: %w", err)
	}
	return nil
}

// packFile is a pack's data file, opened on first use, and its
// random-access readers, kept for reuse: a new zlib reader allocates tens
// of kilobytes.
type packFile struct {
	path  string
	once  sync.Once
	f     *os.File
	data  []byte // the file mapped, when it could be
	noMap bool   // never map it
	size  int64
	err   error

	readers sync.Pool // of *entryReader
}

// file opens the pack on first use.
func (p *packFile) file() (*os.File, error) {
	p.once.Do(func() {
		f, err := os.Open(p.path)
		if err != nil {
			p.err = err
			return
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			p.err = err
			return
		}
		p.f, p.size = f, fi.Size()
		if !p.noMap {
			p.data = mmap.File(f, p.size)
		}
	})
	return p.f, p.err
}

// close closes the pack file if it was opened.
func (p *packFile) close() error {
	if p.f == nil {
		return nil
	}
	return errors.Join(mmap.Unmap(p.data), p.f.Close())
}

// entryReader reads one pack entry: its header, then its zlib stream,
// through a buffer filled by reads at known offsets. The first read takes
// the header and, for most objects, the whole stream, so that a small
// object costs one system call. It implements io.ByteReader, so that the
// inflater reads from it directly, with no buffer of its own.
type entryReader struct {
	p        *packFile
	in       inflater
	buf      []byte // what is read: own, or a slice of the mapped pack
	own      []byte
	r, w     int
	next     int64 // the file offset after buf's bytes
	end      int64 // the end of the pack's objects
	left     int64 // bytes of the object still to read, for Read
	firstLen int   // how many bytes the first read takes
}

// entryBuffer is the size of an entry reader's first read: most trees,
// commits and deltas fit in it.
const entryBuffer = 4 << 10

// open reads the header of the entry at off and returns a reader of its
// inflated data. The caller closes it to return it to the pack.
func (p *packFile) open(off int64) (*entryReader, entryHeader, error) {
	if _, err := p.file(); err != nil {
		return nil, entryHeader{}, err
	}
	end := p.size - hashLen
	if off < 12 || off >= end {
		return nil, entryHeader{}, fmt.Errorf("offset %d outside the pack's %d bytes of objects", off, end)
	}
	er, _ := p.readers.Get().(*entryReader)
	if er == nil {
		er = &entryReader{p: p, own: make([]byte, 64<<10)}
	}
	er.r, er.w, er.next, er.end, er.firstLen = 0, 0, off, end, entryBuffer
	if err := er.fill(); err != nil {
		er.Close()
		return nil, entryHeader{}, err
	}
	e, err := parseHeader(er.buf[:er.w], off)
	if err != nil {
		er.Close()
		return nil, entryHeader{}, err
	}
	if err := checkSize(e.size, end-off-int64(e.hdrLen)); err != nil {
		er.Close()
		return nil, entryHeader{}, err
	}
	er.r = e.hdrLen
	if err := er.in.reset(rawReader{er}); err != nil {
		er.Close()
		return nil, entryHeader{}, fmt.Errorf("inflate: %w", err)
	}
	er.left = e.size
	return er, e, nil
}

// fill reads the next bytes of the pack into the buffer: entryBuffer
// bytes the first time, the whole buffer after. From a mapped pack, the
// buffer is the rest of the mapping, and nothing is copied.
func (er *entryReader) fill() error {
	if m := er.p.data; m != nil {
		if er.next >= er.end {
			return io.ErrUnexpectedEOF
		}
		er.buf, er.r, er.w = m[er.next:er.end], 0, int(er.end-er.next)
		er.next = er.end
		return nil
	}
	n := min(int64(len(er.own)), er.end-er.next)
	if er.firstLen > 0 {
		n, er.firstLen = min(n, int64(er.firstLen)), 0
	}
	if n <= 0 {
		return io.ErrUnexpectedEOF
	}
	m, err := er.p.f.ReadAt(er.own[:n], er.next)
	if m == 0 {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read pack: %w", err)
	}
	er.buf, er.r, er.w = er.own, 0, m
	er.next += int64(m)
	return nil
}

func (er *entryReader) ReadByte() (byte, error) {
	if er.r == er.w {
		if err := er.fill(); err != nil {
			return 0, err
		}
	}
	c := er.buf[er.r]
	er.r++
	return c, nil
}

// readRaw serves the inflater's reads of the compressed stream.
func (er *entryReader) readRaw(b []byte) (int, error) {
	if er.r == er.w {
		if err := er.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(b, er.buf[er.r:er.w])
	er.r += n
	return n, nil
}

// Read reads the inflated object, and fails if its stream ends before or
// after its declared size or its checksum does not match.
func (er *entryReader) Read(b []byte) (int, error) { return er.in.readSized(b, &er.left) }

// readAll inflates the whole object into dst's storage when it is large
// enough.
func (er *entryReader) readAll(size int64, dst []byte) ([]byte, error) {
	if int64(cap(dst)) < size {
		dst = make([]byte, size)
	}
	dst = dst[:size]
	er.left = 0
	return dst, er.in.readExact(dst)
}

// Close returns the reader to its pack; it must not be used after.
func (er *entryReader) Close() error {
	if er.p != nil {
		er.p.readers.Put(er)
	}
	return nil
}

// rawReader adapts an entryReader's compressed side to io.Reader.
type rawReader struct{ er *entryReader }

func (r rawReader) Read(b []byte) (int, error) { return r.er.readRaw(b) }
func (r rawReader) ReadByte() (byte, error)    { return r.er.ReadByte() }
