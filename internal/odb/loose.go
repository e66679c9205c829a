package odb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// loosePath returns where object id would be stored loose in dir.
func loosePath(dir string, id plumbing.Hash) string {
	hex := id.String()
	return filepath.Join(dir, hex[:2], hex[2:])
}

// looseObject is an open loose object: its header read, its content
// next in the inflated stream.
type looseObject struct {
	f    *os.File
	in   inflater
	typ  plumbing.ObjectType
	size int64
	left int64
}

// openLoose opens the loose object at path and reads its header, "type
// size\x00". It returns an error satisfying errors.Is(err,
// os.ErrNotExist) when there is no such file.
func openLoose(path string) (*looseObject, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	o := &looseObject{f: f}
	o.in.buf = bufio.NewReaderSize(f, 16<<10)
	err = o.readHeader()
	if fi, serr := f.Stat(); err == nil && serr == nil {
		err = checkSize(o.size, fi.Size())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

func (o *looseObject) readHeader() error {
	if err := o.in.reset(o.in.buf); err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	var head [32]byte
	n := 0
	for {
		if n == len(head) {
			return errors.New("malformed loose object header")
		}
		if _, err := io.ReadFull(o.in.z, head[n:n+1]); err != nil {
			return fmt.Errorf("inflate: %w", err)
		}
		if head[n] == 0 {
			break
		}
		n++
	}
	t, s, ok := bytes.Cut(head[:n], []byte{' '})
	typ, err := plumbing.ParseObjectType(string(t))
	size, serr := strconv.ParseInt(string(s), 10, 64)
	if !ok || err != nil || serr != nil || size < 0 || !isWhole(typ) {
		return fmt.Errorf("malformed loose object header %q", head[:n])
	}
	o.typ, o.size, o.left = typ, size, size
	return nil
}

// isWhole reports whether t is the type of an object (not of a delta).
func isWhole(t plumbing.ObjectType) bool {
	return t >= plumbing.CommitObject && t <= plumbing.TagObject
}

func (o *looseObject) Read(b []byte) (int, error) { return o.in.readSized(b, &o.left) }

func (o *looseObject) Close() error { return o.f.Close() }

// readAll reads the whole content into dst's storage when large enough.
func (o *looseObject) readAll(dst []byte) ([]byte, error) {
	if o.size > maxObjectSize {
		return nil, fmt.Errorf("size %d out of range", o.size)
	}
	if int64(cap(dst)) < o.size {
		dst = make([]byte, o.size)
	}
	dst = dst[:o.size]
	o.left = 0
	return dst, o.in.readExact(dst)
}

// listLoose returns the names of the loose objects in dir, in order.
func listLoose(dir string) ([]plumbing.Hash, error) {
	var ids []plumbing.Hash
	for i := range 256 {
		sub := fmt.Sprintf("%02x", i)
		names, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return ids, fmt.Errorf("list loose objects: %w", err)
		}
		for _, n := range names {
			if len(n.Name()) == 2*hashLen-2 && plumbing.IsHash(sub+n.Name()) {
				ids = append(ids, plumbing.NewHash(sub+n.Name()))
			}
		}
	}
	return ids, nil
}
