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

// packFile is a pack's data file, opened on first use, and the
// inflaters of its random-access readers.
type packFile struct {
	path string
	once sync.Once
	f    *os.File
	size int64
	err  error

	inflaters sync.Pool // of *inflater
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
	})
	return p.f, p.err
}

// close closes the pack file if it was opened.
func (p *packFile) close() error {
	if p.f == nil {
		return nil
	}
	return p.f.Close()
}

// header reads the header of the entry at off.
func (p *packFile) header(off int64) (entryHeader, error) {
	f, err := p.file()
	if err != nil {
		return entryHeader{}, err
	}
	if off < 12 || off >= p.size-hashLen {
		return entryHeader{}, fmt.Errorf("offset %d outside the pack's %d bytes of objects", off, p.size-hashLen)
	}
	var b [maxHeader]byte
	n, err := f.ReadAt(b[:min(int64(len(b)), p.size-hashLen-off)], off)
	if n == 0 {
		return entryHeader{}, err
	}
	return parseHeader(b[:n], off)
}

// stream returns a reader of the inflated data of the entry at off whose
// header is e. The caller closes it to return the inflater.
func (p *packFile) stream(off int64, e entryHeader) (io.ReadCloser, error) {
	f, err := p.file()
	if err != nil {
		return nil, err
	}
	in, _ := p.inflaters.Get().(*inflater)
	if in == nil {
		in = &inflater{buf: bufio.NewReaderSize(nil, 16<<10)}
	}
	start := off + int64(e.hdrLen)
	in.buf.Reset(io.NewSectionReader(f, start, p.size-hashLen-start))
	if err := in.reset(in.buf); err != nil {
		p.inflaters.Put(in)
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return &packStream{in: in, p: p, left: e.size}, nil
}

// readAll inflates the entry at off whose header is e.
func (p *packFile) readAll(off int64, e entryHeader, dst []byte) ([]byte, error) {
	r, err := p.stream(off, e)
	if err != nil {
		return nil, err
	}
	s := r.(*packStream)
	defer s.Close()
	if int64(cap(dst)) < e.size {
		dst = make([]byte, e.size)
	}
	dst = dst[:e.size]
	return dst, s.in.readExact(dst)
}

// packStream reads an object stored whole in a pack, and fails if its
// stream ends before or after its declared size.
type packStream struct {
	in   *inflater
	p    *packFile
	left int64
}

func (s *packStream) Read(b []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > s.left {
		b = b[:s.left]
	}
	n, err := s.in.z.Read(b)
	s.left -= int64(n)
	switch {
	case s.left == 0:
		// Check the end of the stream and its checksum.
		return n, s.in.readExact(nil)
	case err == io.EOF:
		return n, fmt.Errorf("inflate: %w", io.ErrUnexpectedEOF)
	case err != nil:
		return n, fmt.Errorf("inflate: %w", err)
	}
	return n, nil
}

// Close returns the inflater to its pack; the stream must not be used
// after.
func (s *packStream) Close() error {
	if s.in != nil {
		s.in.buf.Reset(nil)
		s.p.inflaters.Put(s.in)
		s.in = nil
	}
	return nil
}
