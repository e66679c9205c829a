package gitrepo

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clarolint/clarolint/internal/odb"
	odbobject "github.com/clarolint/clarolint/internal/odb/object"
)

// Shallow returns the commits whose parents a shallow clone lacks.
func (r *Repo) Shallow() (map[plumbing.Hash]bool, error) {
	g, err := r.GoGit()
	if err != nil {
		return nil, err
	}
	hs, err := g.Storer.Shallow()
	if err != nil {
		return nil, fmt.Errorf("read shallow file: %w", err)
	}
	m := make(map[plumbing.Hash]bool, len(hs))
	for _, h := range hs {
		m[h] = true
	}
	return m, nil
}

// Selection is what a history scan walks: the commits reachable from
// tips and not from exclude, plus trees and blobs that refs name directly.
type Selection struct {
	Tips, Exclude []plumbing.Hash
	Loose         []LooseRoot
	// With every ref: the stash entries, and the commits that refs
	// other than refs/stash point at.
	Stashes []plumbing.Hash
	RefTips map[plumbing.Hash]bool
}

// LooseRoot is a ref that peels to a tree or a blob, not a commit
// (git's own repository tags a blob): its content is scanned under the
// ref's name.
type LooseRoot struct {
	Name string
	Hash plumbing.Hash
	Tree bool
}

// SelectOptions name the commits a history scan walks. The zero value is
// every commit reachable from every ref. Range is git log's "A..B" or
// "A...B" (an empty side means HEAD) and leaves Branch and Since unused;
// Branch is one revision instead of every ref; Since leaves out what a
// revision reaches, as git log --all ^Since.
type SelectOptions struct {
	Range, Branch, Since string
}

// Select resolves o into the commits to walk. Errors name the revision
// that did not resolve; a ref that cannot be read is a warning, and the
// other refs are still selected.
func (r *Repo) Select(o SelectOptions, warn func(format string, args ...any)) (Selection, error) {
	var sel Selection
	if o.Range != "" {
		return r.rangeSelection(o.Range)
	}
	if o.Branch != "" {
		h, err := r.Resolve(o.Branch)
		if err != nil {
			return sel, err
		}
		sel.Tips = []plumbing.Hash{h}
	} else {
		var err error
		if sel, err = r.allRefs(warn); err != nil {
			return sel, err
		}
	}
	if o.Since != "" {
		h, err := r.Resolve(o.Since)
		if err != nil {
			return sel, err
		}
		sel.Exclude = []plumbing.Hash{h}
	}
	return sel, nil
}

// rangeSelection parses git's A..B (reachable from B, not from A) and
// A...B (from either, not from both); an empty side means HEAD.
func (r *Repo) rangeSelection(rng string) (Selection, error) {
	var sel Selection
	a, b, sym := strings.Cut(rng, "...")
	if !sym {
		var ok bool
		if a, b, ok = strings.Cut(rng, ".."); !ok {
			return sel, fmt.Errorf("range %q: want A..B or A...B", rng)
		}
	}
	var hs [2]plumbing.Hash
	for i, rev := range []string{a, b} {
		if rev == "" {
			rev = "HEAD"
		}
		h, err := r.Resolve(rev)
		if err != nil {
			return sel, err
		}
		hs[i] = h
	}
	if !sym {
		return Selection{Tips: hs[1:], Exclude: hs[:1]}, nil
	}
	g, err := r.GoGit()
	if err != nil {
		return sel, err
	}
	ca, err := object.GetCommit(g.Storer, hs[0])
	if err != nil {
		return sel, fmt.Errorf("range %q: %w", rng, err)
	}
	cb, err := object.GetCommit(g.Storer, hs[1])
	if err != nil {
		return sel, fmt.Errorf("range %q: %w", rng, err)
	}
	bases, err := ca.MergeBase(cb)
	if err != nil {
		return sel, fmt.Errorf("range %q: merge base: %w", rng, err)
	}
	sel.Tips = hs[:]
	for _, c := range bases {
		sel.Exclude = append(sel.Exclude, c.Hash)
	}
	return sel, nil
}

// Resolve returns the commit that rev names: a branch, tag, remote
// branch, hash or hash prefix, with ~ and ^ suffixes.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	g, err := r.GoGit()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := g.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("unknown revision %q: %w", rev, err)
	}
	return *h, nil
}

// allRefs returns every ref's commit as a tip: branches, tags (annotated
// ones peeled), remote branches, notes, refs/stash and the older stash
// entries in its reflog, and HEAD, detached or not. A ref whose object
// cannot be read is a warning.
func (r *Repo) allRefs(warn func(format string, args ...any)) (Selection, error) {
	g, err := r.GoGit()
	if err != nil {
		return Selection{}, err
	}
	st, err := r.Objects()
	if err != nil {
		return Selection{}, err
	}
	sel := Selection{RefTips: make(map[plumbing.Hash]bool)}
	peeled := make(map[plumbing.Hash]peeledRef) // each object a ref names, peeled once
	tips := make(map[plumbing.Hash]bool)
	add := func(name string, h plumbing.Hash) {
		p, done := peeled[h]
		if !done {
			p = peel(st, name, h, warn)
			peeled[h] = p
		}
		switch {
		case p.typ == plumbing.CommitObject:
			if !tips[p.hash] {
				tips[p.hash] = true
				sel.Tips = append(sel.Tips, p.hash)
			}
			if name != "refs/stash" {
				sel.RefTips[p.hash] = true
			}
		case !done && (p.typ == plumbing.TreeObject || p.typ == plumbing.BlobObject):
			sel.Loose = append(sel.Loose, LooseRoot{Name: name, Hash: p.hash, Tree: p.typ == plumbing.TreeObject})
		}
	}
	names, hashes, err := r.refNames(warn)
	if err != nil {
		return sel, fmt.Errorf("list refs: %w", err)
	}
	names = append(names, plumbing.HEAD)
	for _, n := range names {
		if h, ok := hashes[n]; ok {
			add(n.String(), h)
			continue
		}
		// A symbolic ref, or HEAD: go-git follows it.
		ref, err := g.Reference(n, true)
		switch {
		case errors.Is(err, plumbing.ErrReferenceNotFound):
			continue // an unborn HEAD, or a symbolic ref to a missing branch
		case err != nil:
			warn("%s: %v; not scanned", n, err)
		default:
			add(n.String(), ref.Hash())
		}
	}
	stash, err := r.stashReflog()
	if err != nil {
		warn("%v; older stash entries are not scanned", err)
	}
	if len(stash) == 0 {
		if h, ok := hashes["refs/stash"]; ok {
			stash = []plumbing.Hash{h} // a stash without its reflog
		}
	}
	for _, h := range stash {
		add("refs/stash", h)
	}
	sel.Stashes = stash
	return sel, nil
}

// peeledRef is what a ref's object comes to once annotated tags are
// followed: a commit, tree or blob, or no type when it cannot be read.
type peeledRef struct {
	hash plumbing.Hash
	typ  plumbing.ObjectType
}

// peel follows the tags from h, which the ref name points at, to the
// object they tag; an object that cannot be read is a warning. It reads
// through the object store, as the scan does: go-git would build its own
// in-memory index of every pack for the few objects refs name.
func peel(st *odb.Store, name string, h plumbing.Hash, warn func(format string, args ...any)) peeledRef {
	id, typ, err := peelIn(st, h)
	if err != nil {
		warn("%s: %v; not scanned", name, err)
		return peeledRef{}
	}
	return peeledRef{hash: id, typ: typ}
}

// maxTagChain bounds the tags of tags followed, so that a hostile
// repository cannot make a loop of them.
const maxTagChain = 64

// StashOnly returns the commits that only the stash entries reach: each
// entry's own commit, which holds the work tree, and its second and third
// parents, which hold the index and the untracked files, unless another
// ref points at one of them. (The first parent is the commit the stash
// was made on, which a branch reaches.)
func (r *Repo) StashOnly(sel Selection) map[plumbing.Hash]bool {
	only := make(map[plumbing.Hash]bool)
	g, err := r.GoGit()
	if err != nil {
		return only
	}
	for _, w := range sel.Stashes {
		c, err := object.GetCommit(g.Storer, w)
		if err != nil {
			continue // its commits were warned about while they were listed
		}
		for _, h := range append([]plumbing.Hash{w}, c.ParentHashes[min(1, len(c.ParentHashes)):]...) {
			if !sel.RefTips[h] {
				only[h] = true
			}
		}
	}
	return only
}

// refNames returns the names of the repository's refs, loose and packed,
// and the hash of each that names an object rather than another ref (a
// loose ref's file wins over its line in packed-refs). It reads them itself
// because go-git's listing stops at the first ref file that it cannot
// parse, such as an empty one that a crash or a full disk left behind. git
// warns that such a ref is broken and ignores it, and so does this: the
// other refs are still scanned. A broken line of packed-refs, which git
// cannot get past, is a warning too; go-git then reads no packed ref at
// all, but the other lines were read here.
func (r *Repo) refNames(warn func(format string, args ...any)) ([]plumbing.ReferenceName, map[plumbing.ReferenceName]plumbing.Hash, error) {
	seen := make(map[plumbing.ReferenceName]bool)
	hashes := make(map[plumbing.ReferenceName]plumbing.Hash)
	var names []plumbing.ReferenceName
	add := func(n plumbing.ReferenceName, hash string) {
		if seen[n] {
			return
		}
		seen[n] = true
		names = append(names, n)
		if hash != "" {
			hashes[n] = plumbing.NewHash(hash)
		}
	}
	// A linked worktree keeps a few refs of its own (refs/bisect, for
	// one) beside those of the repository.
	dirs := []string{r.CommonDir}
	if r.GitDir != r.CommonDir {
		dirs = append(dirs, r.GitDir)
	}
	for _, dir := range dirs {
		top := filepath.Join(dir, "refs")
		err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil && path == top && errors.Is(err, fs.ErrNotExist):
				return nil
			case err != nil:
				return err
			case d.IsDir():
				return nil
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			name := plumbing.ReferenceName(filepath.ToSlash(rel))
			if strings.HasSuffix(rel, ".lock") {
				return nil // a ref being written, not a ref: git skips it too
			}
			b, err := os.ReadFile(path)
			if err != nil {
				warn("%s: %v; not scanned", name, err)
				return nil
			}
			switch content := strings.TrimSpace(string(b)); {
			case plumbing.IsHash(content):
				add(name, content)
			case strings.HasPrefix(content, "ref: "):
				add(name, "")
			case content == "":
				warn("%s: broken ref (an empty file); ignored, as git ignores it", name)
			default:
				warn("%s: broken ref (neither a commit hash nor a symbolic ref); ignored, as git ignores it", name)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	b, err := os.ReadFile(filepath.Join(r.CommonDir, "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	n := 0
	for line := range strings.Lines(string(b)) {
		n++
		if line[0] == '#' || line[0] == '^' { // the header, and the peeled tags' targets
			continue
		}
		hash, name, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || !plumbing.IsHash(hash) {
			warn("packed-refs: line %d is not a commit hash and a ref name; ignored", n)
			continue
		}
		add(plumbing.ReferenceName(name), hash)
	}
	return names, hashes, nil
}

// stashReflog returns the commits of every stash entry, the newest being
// refs/stash itself. go-git does not read reflogs, so the file is parsed
// here: each line is "old new name <email> time zone\tmessage".
func (r *Repo) stashReflog() ([]plumbing.Hash, error) {
	f, err := os.Open(filepath.Join(r.CommonDir, "logs", "refs", "stash"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read stash reflog: %w", err)
	}
	defer f.Close()
	var hs []plumbing.Hash
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && plumbing.IsHash(fields[1]) {
			hs = append(hs, plumbing.NewHash(fields[1]))
		}
	}
	if err := sc.Err(); err != nil {
		return hs, fmt.Errorf("read stash reflog: %w", err)
	}
	return hs, nil
}

// ReadFile returns the content of the file at path (slash-separated, from
// the top of the tree) in the commit that rev names, and false when that
// commit has no such file. rev is a revision, or an object name in full
// hex, which need not be in go-git's view of the repository (a commit in
// a pre-receive hook's quarantine); an annotated tag is peeled, a tree is
// read as a commit's, and a blob has no files. A revision that does not resolve, or an
// object that cannot be read, is an error.
func (r *Repo) ReadFile(rev, path string) ([]byte, bool, error) {
	h := plumbing.NewHash(rev)
	if !plumbing.IsHash(rev) {
		var err error
		if h, err = r.Resolve(rev); err != nil {
			return nil, false, err
		}
	}
	h, typ, err := r.Peel(h)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", rev, err)
	}
	if typ == plumbing.CommitObject {
		b, err := r.ReadObject(h, plumbing.CommitObject)
		var c odbobject.Commit
		if err == nil {
			err = odbobject.ParseCommit(b, &c)
		}
		if err != nil {
			return nil, false, fmt.Errorf("commit %s: %w", rev, err)
		}
		h, typ = c.Tree, plumbing.TreeObject
	}
	switch typ {
	case plumbing.BlobObject:
		return nil, false, nil // a tag of a blob: a file, but no tree of files
	case plumbing.TreeObject:
	default:
		return nil, false, fmt.Errorf("%s names a %s, not a commit", rev, typ)
	}
	parts := strings.Split(path, "/")
	for i, name := range parts {
		t, err := r.ReadObject(h, plumbing.TreeObject)
		if err != nil {
			return nil, false, fmt.Errorf("%s:%s: %w", rev, path, err)
		}
		it := odbobject.NewTreeIter(t)
		var e odbobject.TreeEntry
		found := false
		for !found && it.Next(&e) {
			found = string(e.Name) == name
		}
		switch {
		case it.Err() != nil && !found:
			return nil, false, fmt.Errorf("%s:%s: tree %s: %w", rev, path, h, it.Err())
		case !found, i < len(parts)-1 && !e.IsTree(), i == len(parts)-1 && !e.IsBlob():
			return nil, false, nil
		}
		h = e.ID
	}
	b, err := r.ReadObject(h, plumbing.BlobObject)
	if err != nil {
		return nil, false, fmt.Errorf("%s:%s: %w", rev, path, err)
	}
	return b, true, nil
}
