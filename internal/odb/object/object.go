package object

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Commit is what ParseCommit reads of a commit: the header lines that a
// history walk needs.
type Commit struct {
	Tree    plumbing.Hash
	Parents []plumbing.Hash
	// Author is the author line's value, "Name <email> 1700000000
	// +0100", aliasing the data parsed: see ParseSignature.
	Author []byte
	// Committer is the committer line's value, likewise.
	Committer []byte
}

// ParseCommit parses the header of commit data into c, reusing
// c.Parents' storage, as git's parse_commit_buffer does: a first line
// naming the tree, then the parents, one a line (a parent line after any
// other line is not a parent); the author and committer are the first
// lines of their kind. It stops at the first blank line: the message
// and any signature are not read. Replace refs and grafts are not
// consulted, here or anywhere in this package: the parents are those the
// commit names, so that a repository cannot hide commits from a scan.
func ParseCommit(data []byte, c *Commit) error {
	c.Parents, c.Author, c.Committer = c.Parents[:0], nil, nil
	line, data := nextLine(data)
	val, ok := bytes.CutPrefix(line, []byte("tree "))
	if !ok || parseHex(val, &c.Tree) != nil {
		return errors.New("parse commit: no tree line first")
	}
	parents := true // parent lines follow the tree line, and end at the first other line
	for len(data) > 0 {
		line, data = nextLine(data)
		if len(line) == 0 {
			break
		}
		val, ok := bytes.CutPrefix(line, []byte("parent "))
		parents = parents && ok
		if parents {
			var p plumbing.Hash
			if parseHex(val, &p) != nil {
				return errors.New("parse commit: bad parent line")
			}
			c.Parents = append(c.Parents, p)
			continue
		}
		if val, ok := bytes.CutPrefix(line, []byte("author ")); ok && c.Author == nil {
			c.Author = val
		} else if val, ok := bytes.CutPrefix(line, []byte("committer ")); ok && c.Committer == nil {
			c.Committer = val
		}
	}
	return nil
}

// TagTarget returns the object an annotated tag names: its first line,
// "object " and a hex name, as git's parse_tag_buffer reads it.
func TagTarget(data []byte) (plumbing.Hash, error) {
	var id plumbing.Hash
	line, _ := nextLine(data)
	val, ok := bytes.CutPrefix(line, []byte("object "))
	if !ok || parseHex(val, &id) != nil {
		return plumbing.ZeroHash, errors.New("parse tag: no object line first")
	}
	return id, nil
}

// nextLine splits data after its first line.
func nextLine(data []byte) (line, rest []byte) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return data[:i], data[i+1:]
	}
	return data, nil
}

// hashLen is the length of a SHA-1 object name.
const hashLen = 20

// parseHex parses 40 hexadecimal digits into id.
func parseHex(b []byte, id *plumbing.Hash) error {
	if len(b) != 2*hashLen {
		return errors.New("bad object name")
	}
	_, err := hex.Decode(id[:], b)
	return err
}

// ParseSignature splits an author or committer line's value, "Name
// <email> seconds zone", as git writes it. A malformed date gives the
// zero time and no error: git accepts such commits, and so must a
// scanner.
func ParseSignature(b []byte) (name, email string, when time.Time) {
	lt, gt := bytes.IndexByte(b, '<'), bytes.LastIndexByte(b, '>')
	if lt < 0 || gt < lt {
		return string(bytes.TrimSpace(b)), "", time.Time{}
	}
	name, email = string(bytes.TrimSpace(b[:lt])), string(b[lt+1:gt])
	fields := bytes.Fields(b[gt+1:])
	if len(fields) == 0 {
		return name, email, time.Time{}
	}
	sec, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil {
		return name, email, time.Time{}
	}
	when = time.Unix(sec, 0).UTC()
	if len(fields) > 1 && len(fields[1]) == 5 && (fields[1][0] == '+' || fields[1][0] == '-') {
		if hm, err := strconv.Atoi(string(fields[1][1:])); err == nil {
			off := (hm/100*60 + hm%100) * 60
			if fields[1][0] == '-' {
				off = -off
			}
			when = when.In(time.FixedZone("", off))
		}
	}
	return name, email, when
}

// SignatureTime returns the seconds since 1970 of an author or committer
// line's value, or 0 when it has none: what ParseSignature's time says,
// without allocating.
func SignatureTime(b []byte) int64 {
	gt := bytes.LastIndexByte(b, '>')
	if gt < 0 {
		return 0
	}
	b = bytes.TrimLeft(b[gt+1:], " ")
	var sec int64
	for i, c := range b {
		if c < '0' || c > '9' || i > 18 {
			break
		}
		sec = sec*10 + int64(c-'0')
	}
	return sec
}

// TreeEntry is one entry of a tree.
type TreeEntry struct {
	Mode filemode.FileMode
	// Name aliases the tree's data.
	Name []byte
	ID   plumbing.Hash
}

// IsTree reports whether the entry is a subtree.
func (e *TreeEntry) IsTree() bool { return e.Mode == filemode.Dir }

// IsBlob reports whether the entry is a blob (see IsBlob).
func (e *TreeEntry) IsBlob() bool { return IsBlob(e.Mode) }

// IsBlob reports whether a tree or index entry of mode m holds a blob: a
// regular or executable file (any 100xxx mode old git wrote) or a
// symbolic link, whose target is its content. Trees and gitlinks (a
// submodule's commit) are not blobs.
func IsBlob(m filemode.FileMode) bool {
	return m&0o170000 == 0o100000 || m == filemode.Symlink
}

// TreeIter reads the entries of a tree in the tree's order without
// allocating: Names alias the tree's data.
type TreeIter struct {
	data []byte
	err  error
}

// NewTreeIter returns an iterator over the entries of tree data.
func NewTreeIter(data []byte) TreeIter { return TreeIter{data: data} }

// Next sets e to the next entry and reports whether there was one; at
// the end, or at a malformed entry, it returns false and Err says which.
func (it *TreeIter) Next(e *TreeEntry) bool {
	data := it.data
	if len(data) == 0 || it.err != nil {
		return false
	}
	sp := bytes.IndexByte(data, ' ')
	if sp <= 0 || sp > 7 {
		it.err = errors.New("parse tree: bad mode")
		return false
	}
	var mode uint32
	for _, c := range data[:sp] {
		if c < '0' || c > '7' {
			it.err = errors.New("parse tree: bad mode")
			return false
		}
		mode = mode<<3 | uint32(c-'0')
	}
	nul := bytes.IndexByte(data[sp+1:], 0)
	end := sp + 1 + nul + 1 + hashLen
	if nul <= 0 || end > len(data) {
		it.err = errors.New("parse tree: truncated entry")
		return false
	}
	e.Mode, e.Name = filemode.FileMode(mode), data[sp+1:sp+1+nul]
	copy(e.ID[:], data[end-hashLen:end])
	it.data = data[end:]
	return true
}

// Err returns the error that ended the iteration, or nil at the end of
// a well-formed tree.
func (it *TreeIter) Err() error { return it.err }

// ParseTree appends the entries of tree data to dst, in the tree's
// order, and returns the extended slice. Names alias data.
func ParseTree(data []byte, dst []TreeEntry) ([]TreeEntry, error) {
	it := NewTreeIter(data)
	var e TreeEntry
	for it.Next(&e) {
		dst = append(dst, e)
	}
	return dst, it.Err()
}

// CompareEntries orders tree entries as git sorts them: by name, a
// subtree's name compared as if it ended in "/". Zero means the same name
// and both subtrees or both not, which is how a path is matched across
// the trees of a commit and its parents.
func CompareEntries(a, b *TreeEntry) int {
	n := min(len(a.Name), len(b.Name))
	if c := bytes.Compare(a.Name[:n], b.Name[:n]); c != 0 {
		return c
	}
	after := func(e *TreeEntry) int {
		switch {
		case len(e.Name) > n:
			return int(e.Name[n])
		case e.IsTree():
			return '/'
		}
		return -1
	}
	return after(a) - after(b)
}
