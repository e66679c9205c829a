package gitrepo

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/clarolint/clarolint/internal/odb"
	odbobject "github.com/clarolint/clarolint/internal/odb/object"
)

// HeadTree returns the tree of the commit HEAD points to; ok is false when
// HEAD is unborn (before the first commit). Only HEAD and the ref it names
// are read through go-git's storage, which touches no pack for that; the
// commit is read through Objects, which reads pack indexes piecemeal.
func (r *Repo) HeadTree() (plumbing.Hash, bool, error) {
	ref, err := storer.ResolveReference(r.Storage(0), plumbing.HEAD)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("resolve HEAD: %w", err)
	}
	b, err := r.ReadObject(ref.Hash(), plumbing.CommitObject)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read HEAD commit: %w", err)
	}
	var c object.Commit
	if err := c.Decode(memoryObject(plumbing.CommitObject, b)); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read HEAD commit %s: %w", ref.Hash(), err)
	}
	return c.TreeHash, true, nil
}

// Peel follows annotated tags from object id, read from Objects (so from
// a pre-receive hook's quarantine too), to the object they tag, and
// returns it and its type; a chain of tags longer than maxTagChain is an
// error.
func (r *Repo) Peel(id plumbing.Hash) (plumbing.Hash, plumbing.ObjectType, error) {
	s, err := r.Objects()
	if err != nil {
		return id, 0, err
	}
	return peelIn(s, id)
}

// peelIn follows annotated tags from id in store s to the object they
// tag, and returns it and its type; a chain of tags longer than
// maxTagChain, which only a hostile repository makes, is an error.
func peelIn(s *odb.Store, id plumbing.Hash) (plumbing.Hash, plumbing.ObjectType, error) {
	for range maxTagChain {
		typ, data, err := s.Read(id)
		if err != nil || typ != plumbing.TagObject {
			return id, typ, err
		}
		target, err := odbobject.TagTarget(data)
		if err != nil {
			return id, 0, fmt.Errorf("tag %s: %w", id, err)
		}
		id = target
	}
	return id, 0, fmt.Errorf("a chain of more than %d tags", maxTagChain)
}

// Tree reads and decodes tree h.
func (r *Repo) Tree(h plumbing.Hash) (*object.Tree, error) {
	b, err := r.ReadObject(h, plumbing.TreeObject)
	if err != nil {
		return nil, fmt.Errorf("read tree: %w", err)
	}
	var t object.Tree
	if err := t.Decode(memoryObject(plumbing.TreeObject, b)); err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return &t, nil
}

func memoryObject(typ plumbing.ObjectType, b []byte) *plumbing.MemoryObject {
	o := &plumbing.MemoryObject{}
	o.SetType(typ)
	o.Write(b)
	return o
}

// CompareEntries orders tree entries as git sorts them: by name, with a
// directory's name compared as if it ended in "/". Equal means the same
// name and both directories or both not.
func CompareEntries(a, b *object.TreeEntry) int {
	n := min(len(a.Name), len(b.Name))
	if c := strings.Compare(a.Name[:n], b.Name[:n]); c != 0 {
		return c
	}
	// One name is a prefix of the other: compare the byte after it.
	after := func(e *object.TreeEntry) int {
		switch {
		case len(e.Name) > n:
			return int(e.Name[n])
		case e.Mode == filemode.Dir:
			return '/'
		}
		return -1
	}
	return after(a) - after(b)
}
