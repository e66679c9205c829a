package gitrepo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Entry is one entry of git's index: a path at one merge stage.
type Entry struct {
	Path        string
	Mode        filemode.FileMode
	Hash        plumbing.Hash
	Stage       int  // 0 merged; 1 base, 2 ours, 3 theirs during a conflicted merge
	IntentToAdd bool // `git add -N`: the path is recorded, its content is not staged
}

// SparseDir reports whether e is a sparse-index directory entry: a whole
// tree outside the sparse-checkout cone, named with a trailing slash.
func (e *Entry) SparseDir() bool { return e.Mode == filemode.Dir }

// CacheTree is one node of the index's cache-tree extension (TREE): the
// tree object that the index entries below a directory would write, when
// git still knows it. git invalidates the nodes on the path of every entry
// it changes, so for a valid node whose hash equals HEAD's tree at the same
// directory, nothing below it is staged.
type CacheTree struct {
	Name     string // path component; "" for the root
	Count    int    // index entries below this directory; -1 when invalidated
	Hash     plumbing.Hash
	Children []*CacheTree
}

// Child returns the node of the subdirectory name, nil when there is none
// (or c is nil).
func (c *CacheTree) Child(name string) *CacheTree {
	if c == nil {
		return nil
	}
	for _, ch := range c.Children {
		if ch.Name == name {
			return ch
		}
	}
	return nil
}

// Index is an index file as the staged scan needs it: the entries, in
// the index's order (by path, then stage), and the cache tree.
type Index struct {
	Entries []Entry
	Tree    *CacheTree // nil when the index has no TREE extension
}

// ReadIndex reads the index file at path. A missing file is an empty
// index, as in a repository where nothing was ever added.
//
// go-git's index decoder drops the invalidated nodes of the cache tree
// together with their subtree counts, which leaves the valid nodes without
// their place in the tree, so this reader parses the format itself
// (versions 2 to 4, Documentation/gitformat-index.txt).
func ReadIndex(path string) (*Index, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Index{}, nil
	}
	if err != nil {
		return nil, err
	}
	idx, err := ParseIndex(b)
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", path, err)
	}
	return idx, nil
}

// Unmerged returns the paths with a merge conflict: entries at stages 1
// to 3 instead of 0.
func (idx *Index) Unmerged() []string {
	var out []string
	for _, e := range idx.Entries {
		if e.Stage != 0 && (len(out) == 0 || out[len(out)-1] != e.Path) {
			out = append(out, e.Path)
		}
	}
	return out
}

// errBadIndex is wrapped by the errors about an index file's content.
var errBadIndex = errors.New("malformed index")

// Flags of an index entry.
const (
	flagExtended     = 0x4000
	flagStageShift   = 12
	flagNameMask     = 0xfff
	xflagIntentToAdd = 1 << 13
	indexHashLen     = 20 // SHA-1: the trailing checksum and each object name
	entryFixedLen    = 62 // stat data, mode, object name and flags
)

// ParseIndex parses the content of an index file; see ReadIndex.
func ParseIndex(b []byte) (*Index, error) {
	if len(b) < 12+indexHashLen || string(b[:4]) != "DIRC" {
		return nil, fmt.Errorf("%w: no DIRC header", errBadIndex)
	}
	version := binary.BigEndian.Uint32(b[4:])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("%w: version %d (clarolint reads 2 to 4)", errBadIndex, version)
	}
	// Lengths are compared as uint64 so that a huge count cannot turn
	// negative where int has 32 bits.
	count64 := uint64(binary.BigEndian.Uint32(b[8:]))
	end := len(b) - indexHashLen
	if count64 > uint64(end/entryFixedLen) {
		return nil, fmt.Errorf("%w: %d entries in %d bytes", errBadIndex, count64, len(b))
	}
	p := indexParser{b: b[:end], version: version, off: 12}
	idx := &Index{Entries: make([]Entry, 0, int(count64))}
	for range int(count64) {
		e, err := p.entry()
		if err != nil {
			return nil, err
		}
		idx.Entries = append(idx.Entries, e)
	}
	return idx, p.extensions(idx)
}

// indexParser reads an index file's entries and extensions in b, which
// ends before the trailing checksum.
type indexParser struct {
	b       []byte
	version uint32
	off     int
	prev    []byte // the previous path, which version 4 names are relative to
}

// entry reads the entry at p.off.
func (p *indexParser) entry() (Entry, error) {
	b, end, off := p.b, len(p.b), p.off
	if off+entryFixedLen > end {
		return Entry{}, fmt.Errorf("%w: truncated entry", errBadIndex)
	}
	start := off
	e := Entry{Mode: filemode.FileMode(binary.BigEndian.Uint32(b[off+24:]))}
	copy(e.Hash[:], b[off+40:off+60])
	flags := binary.BigEndian.Uint16(b[off+60:])
	e.Stage = int(flags>>flagStageShift) & 3
	off += entryFixedLen
	if flags&flagExtended != 0 {
		// Version 2 has no extended flags, but git reads them in any
		// version, and go-git writes them in version 2.
		if off+2 > end {
			return Entry{}, fmt.Errorf("%w: extended flags", errBadIndex)
		}
		e.IntentToAdd = binary.BigEndian.Uint16(b[off:])&xflagIntentToAdd != 0
		off += 2
	}
	var name []byte
	if p.version == 4 {
		strip, n := indexVarint(b[off:end])
		if n == 0 || strip > uint64(len(p.prev)) {
			return Entry{}, fmt.Errorf("%w: path prefix", errBadIndex)
		}
		off += n
		nul := bytes.IndexByte(b[off:end], 0)
		if nul < 0 {
			return Entry{}, fmt.Errorf("%w: unterminated path", errBadIndex)
		}
		keep := len(p.prev) - int(strip)
		name = append(p.prev[:keep:keep], b[off:off+nul]...)
		off += nul + 1
	} else {
		nul := bytes.IndexByte(b[off:end], 0)
		if nul < 0 {
			return Entry{}, fmt.Errorf("%w: unterminated path", errBadIndex)
		}
		name = b[off : off+nul]
		// Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
		off = start + (off-start+nul+8)&^7
	}
	if n := int(flags & flagNameMask); n != flagNameMask && n != len(name) {
		return Entry{}, fmt.Errorf("%w: path length", errBadIndex)
	}
	e.Path = string(name)
	p.prev, p.off = name, off
	return e, nil
}

// extensions reads the extensions after the entries into idx.
func (p *indexParser) extensions(idx *Index) error {
	b, end, off := p.b, len(p.b), p.off
	for off+8 <= end {
		sig := string(b[off : off+4])
		size64 := uint64(binary.BigEndian.Uint32(b[off+4:]))
		off += 8
		if size64 > uint64(end-off) {
			return fmt.Errorf("%w: truncated %s extension", errBadIndex, sig)
		}
		data := b[off : off+int(size64)]
		off += int(size64)
		switch {
		case sig == "TREE":
			t, err := parseCacheTree(data)
			if err != nil {
				return err
			}
			idx.Tree = t
		case sig == "link":
			return errors.New("split index (core.splitIndex) is not supported; run git update-index --no-split-index")
		case sig == "sdir":
			// A sparse index: directory entries stand for whole trees and
			// are expanded when they differ from HEAD.
		case sig[0] < 'A' || sig[0] > 'Z':
			// Lower-case extensions are those a reader must understand.
			return fmt.Errorf("%w: required extension %q is not supported", errBadIndex, sig)
		}
	}
	return nil
}

// indexVarint decodes the variable-length integer of index version 4
// (git's varint.c) and returns it with the number of bytes read, 0 when
// b holds no complete one.
func indexVarint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v := uint64(c & 0x7f)
	for i := 1; c&0x80 != 0; i++ {
		if i >= len(b) || v >= 1<<56 {
			return 0, 0
		}
		c = b[i]
		v = (v+1)<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, 1
}

// parseCacheTree parses the TREE extension: nodes in pre-order, each a
// NUL-terminated name, "count subtrees\n" in decimal and, unless count is
// -1 (invalidated), the tree's object name.
func parseCacheTree(b []byte) (*CacheTree, error) {
	bad := fmt.Errorf("%w: cache tree", errBadIndex)
	var node func(depth int) (*CacheTree, error)
	node = func(depth int) (*CacheTree, error) {
		nul := bytes.IndexByte(b, 0)
		if nul < 0 || depth > 4096 {
			return nil, bad
		}
		t := &CacheTree{Name: string(b[:nul])}
		b = b[nul+1:]
		sp := bytes.IndexByte(b, ' ')
		nl := bytes.IndexByte(b, '\n')
		if sp < 0 || nl < sp {
			return nil, bad
		}
		count, err1 := strconv.Atoi(string(b[:sp]))
		subtrees, err2 := strconv.Atoi(string(b[sp+1 : nl]))
		if err1 != nil || err2 != nil || count < -1 || subtrees < 0 || subtrees > len(b) {
			return nil, bad
		}
		b = b[nl+1:]
		t.Count = count
		if count >= 0 {
			if len(b) < indexHashLen {
				return nil, bad
			}
			copy(t.Hash[:], b)
			b = b[indexHashLen:]
		}
		for range subtrees {
			c, err := node(depth + 1)
			if err != nil {
				return nil, err
			}
			t.Children = append(t.Children, c)
		}
		return t, nil
	}
	if len(b) == 0 {
		return nil, nil
	}
	return node(0)
}

// Tracked is what a work tree's index tracks, for deciding ignored paths:
// git's ignore rules apply only to untracked files, so a tracked file is
// scanned whatever .gitignore says, and so is a directory that holds one.
type Tracked struct {
	files  map[string]bool // paths from the top of the work tree
	dirs   map[string]bool // every directory above a tracked file
	sparse map[string]bool // a sparse index's directory entries: all below is tracked
}

// Tracked returns the work tree's tracked paths, reading its index once.
// It returns an error when the index cannot be read: the caller must then
// take any path for possibly tracked.
func (r *Repo) Tracked() (*Tracked, error) {
	r.trackedOnce.Do(func() {
		idx, err := ReadIndex(filepath.Join(r.GitDir, "index"))
		if err != nil {
			r.trackedErr = err
			return
		}
		t := &Tracked{files: make(map[string]bool, len(idx.Entries)), dirs: map[string]bool{}, sparse: map[string]bool{}}
		for _, e := range idx.Entries {
			p := strings.TrimSuffix(e.Path, "/")
			if e.SparseDir() {
				t.sparse[p] = true
			} else {
				t.files[p] = true
			}
			for d := path.Dir(p); d != "." && !t.dirs[d]; d = path.Dir(d) {
				t.dirs[d] = true
			}
		}
		r.tracked = t
	})
	return r.tracked, r.trackedErr
}

// Holds reports whether p (from the top of the work tree) is tracked: a
// tracked file, a directory with a tracked file below it, or anything at
// or below a sparse index's directory entry.
func (t *Tracked) Holds(p string, dir bool) bool {
	if dir && t.dirs[p] || !dir && t.files[p] {
		return true
	}
	for d := p; d != "."; d = path.Dir(d) {
		if t.sparse[d] {
			return true
		}
	}
	return false
}
