package scanner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// indexEntry is one entry of git's index: a path at one merge stage.
type indexEntry struct {
	path        string
	mode        filemode.FileMode
	hash        plumbing.Hash
	stage       int  // 0 merged; 1 base, 2 ours, 3 theirs during a conflicted merge
	intentToAdd bool // `git add -N`: the path is recorded, its content is not staged
}

// sparseDir reports whether e is a sparse-index directory entry: a whole
// tree outside the sparse-checkout cone, named with a trailing slash.
func (e *indexEntry) sparseDir() bool { return e.mode == filemode.Dir }

// cacheTree is one node of the index's cache-tree extension (TREE): the
// tree object that the index entries below a directory would write, when
// git still knows it. git invalidates the nodes on the path of every entry
// it changes, so for a valid node whose hash equals HEAD's tree at the same
// directory, nothing below it is staged.
type cacheTree struct {
	name     string // path component; "" for the root
	count    int    // index entries below this directory; -1 when invalidated
	hash     plumbing.Hash
	children []*cacheTree
}

func (c *cacheTree) child(name string) *cacheTree {
	if c == nil {
		return nil
	}
	for _, ch := range c.children {
		if ch.name == name {
			return ch
		}
	}
	return nil
}

// gitIndex is an index file as the staged scan needs it: the entries, in
// the index's order (by path, then stage), and the cache tree.
type gitIndex struct {
	entries []indexEntry
	tree    *cacheTree // nil when the index has no TREE extension
}

// readIndex reads the index file at path. A missing file is an empty
// index, as in a repository where nothing was ever added.
//
// go-git's index decoder drops the invalidated nodes of the cache tree
// together with their subtree counts, which leaves the valid nodes without
// their place in the tree, so this reader parses the format itself
// (versions 2 to 4, Documentation/gitformat-index.txt).
func readIndex(path string) (*gitIndex, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &gitIndex{}, nil
	}
	if err != nil {
		return nil, err
	}
	idx, err := parseIndex(b)
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", path, err)
	}
	return idx, nil
}

// unmerged returns the paths with a merge conflict: entries at stages 1
// to 3 instead of 0.
func (idx *gitIndex) unmerged() []string {
	var out []string
	for _, e := range idx.entries {
		if e.stage != 0 && (len(out) == 0 || out[len(out)-1] != e.path) {
			out = append(out, e.path)
		}
	}
	return out
}

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

func parseIndex(b []byte) (*gitIndex, error) {
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
	count := int(count64)
	idx := &gitIndex{entries: make([]indexEntry, 0, count)}
	off := 12
	var prev []byte // the previous path, which version 4 names are relative to
	for range count {
		if off+entryFixedLen > end {
			return nil, fmt.Errorf("%w: truncated entry", errBadIndex)
		}
		start := off
		e := indexEntry{mode: filemode.FileMode(binary.BigEndian.Uint32(b[off+24:]))}
		copy(e.hash[:], b[off+40:off+60])
		flags := binary.BigEndian.Uint16(b[off+60:])
		e.stage = int(flags>>flagStageShift) & 3
		off += entryFixedLen
		if flags&flagExtended != 0 {
			// Version 2 has no extended flags, but git reads them in any
			// version, and go-git writes them in version 2.
			if off+2 > end {
				return nil, fmt.Errorf("%w: extended flags", errBadIndex)
			}
			e.intentToAdd = binary.BigEndian.Uint16(b[off:])&xflagIntentToAdd != 0
			off += 2
		}
		var name []byte
		if version == 4 {
			strip, n := indexVarint(b[off:end])
			if n == 0 || strip > uint64(len(prev)) {
				return nil, fmt.Errorf("%w: path prefix", errBadIndex)
			}
			off += n
			nul := bytes.IndexByte(b[off:end], 0)
			if nul < 0 {
				return nil, fmt.Errorf("%w: unterminated path", errBadIndex)
			}
			name = append(prev[:len(prev)-int(strip):len(prev)-int(strip)], b[off:off+nul]...)
			off += nul + 1
		} else {
			nul := bytes.IndexByte(b[off:end], 0)
			if nul < 0 {
				return nil, fmt.Errorf("%w: unterminated path", errBadIndex)
			}
			name = b[off : off+nul]
			// Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
			off = start + (off-start+nul+8)&^7
		}
		if n := int(flags & flagNameMask); n != flagNameMask && n != len(name) {
			return nil, fmt.Errorf("%w: path length", errBadIndex)
		}
		e.path = string(name)
		prev = name
		idx.entries = append(idx.entries, e)
	}
	for off+8 <= end {
		sig := string(b[off : off+4])
		size64 := uint64(binary.BigEndian.Uint32(b[off+4:]))
		off += 8
		if size64 > uint64(end-off) {
			return nil, fmt.Errorf("%w: truncated %s extension", errBadIndex, sig)
		}
		size := int(size64)
		data := b[off : off+size]
		off += size
		switch {
		case sig == "TREE":
			t, err := parseCacheTree(data)
			if err != nil {
				return nil, err
			}
			idx.tree = t
		case sig == "link":
			return nil, errors.New("split index (core.splitIndex) is not supported; run git update-index --no-split-index")
		case sig == "sdir":
			// A sparse index: directory entries stand for whole trees and
			// are expanded when they differ from HEAD.
		case sig[0] < 'A' || sig[0] > 'Z':
			// Lower-case extensions are those a reader must understand.
			return nil, fmt.Errorf("%w: required extension %q is not supported", errBadIndex, sig)
		}
	}
	return idx, nil
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
func parseCacheTree(b []byte) (*cacheTree, error) {
	bad := fmt.Errorf("%w: cache tree", errBadIndex)
	var node func(depth int) (*cacheTree, error)
	node = func(depth int) (*cacheTree, error) {
		nul := bytes.IndexByte(b, 0)
		if nul < 0 || depth > 4096 {
			return nil, bad
		}
		t := &cacheTree{name: string(b[:nul])}
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
		t.count = count
		if count >= 0 {
			if len(b) < indexHashLen {
				return nil, bad
			}
			copy(t.hash[:], b)
			b = b[indexHashLen:]
		}
		for range subtrees {
			c, err := node(depth + 1)
			if err != nil {
				return nil, err
			}
			t.children = append(t.children, c)
		}
		return t, nil
	}
	if len(b) == 0 {
		return nil, nil
	}
	return node(0)
}
