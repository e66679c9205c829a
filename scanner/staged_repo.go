package scanner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// indexRepo reads a work tree's index, HEAD and objects for the staged
// scan and the .env checks. It reads objects through an objectStore, not
// go-git's storage, whose first lookup in a pack costs more than a staged
// scan may take. It is safe for concurrent use; close releases its files.
type indexRepo struct {
	root      string // the top of the work tree
	gitDir    string
	commonDir string
	index     string // the index file
	objects   *objectStore
}

// WorkTreeRoot returns the top directory of the git work tree that holds
// the directory path, looking for .git in path and its parents as git
// does (a .git file, in a linked worktree or a submodule, counts). A bare
// repository has no work tree and no index: that is an error, and so is a
// path outside any repository.
func WorkTreeRoot(path string) (string, error) {
	wt, err := stagedWorktree(path)
	if err != nil {
		return "", err
	}
	return wt.root, nil
}

// stagedWorktree finds the work tree holding path, for WorkTreeRoot.
func stagedWorktree(path string) (*worktree, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", path)
	}
	if wt, ok := findWorktree(path); ok {
		return wt, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if isBareGitDir(d) {
			return nil, fmt.Errorf("%s is a bare repository: it has no index, so nothing is staged (scan its commits with clarolint history)", d)
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("%s is not inside a git work tree", path)
		}
	}
}

// openIndexRepo prepares to read the index of the work tree holding path:
// indexFile when it is set and lies in the repository's git directory
// (see StagedOptions), else the repository's own.
func openIndexRepo(path, indexFile string) (*indexRepo, error) {
	wt, err := stagedWorktree(path)
	if err != nil {
		return nil, err
	}
	if err := sha1Only(wt.commonDir); err != nil {
		return nil, err
	}
	r := newIndexRepo(wt.root, wt.gitDir, wt.commonDir)
	if indexFile != "" {
		p := indexFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.root, p)
		}
		if within(p, r.gitDir) || within(p, r.commonDir) {
			r.index = filepath.Clean(p)
		}
	}
	return r, nil
}

// newIndexRepo prepares to read the index of the work tree at root, whose
// git directory and common directory are given.
func newIndexRepo(root, gitDir, commonDir string) *indexRepo {
	return &indexRepo{
		root:      root,
		gitDir:    gitDir,
		commonDir: commonDir,
		index:     filepath.Join(gitDir, "index"),
		objects:   newObjectStore(filepath.Join(commonDir, "objects")),
	}
}

func (r *indexRepo) close() error { return r.objects.Close() }

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// headTree returns the tree of the commit HEAD points to, or the zero hash
// when HEAD is unborn: before the first commit, everything in the index is
// new.
// Only HEAD and the ref it names are read through go-git's storage, which
// touches no pack for that.
func (r *indexRepo) headTree() (plumbing.Hash, error) {
	fs := dotgit.NewRepositoryFilesystem(osfs.New(r.gitDir), nil)
	if r.commonDir != r.gitDir {
		fs = dotgit.NewRepositoryFilesystem(osfs.New(r.gitDir), osfs.New(r.commonDir))
	}
	ref, err := storer.ResolveReference(filesystem.NewStorage(fs, cache.NewObjectLRU(0)), plumbing.HEAD)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolve HEAD: %w", err)
	}
	b, err := r.objects.read(ref.Hash(), plumbing.CommitObject)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read HEAD commit: %w", err)
	}
	var c object.Commit
	if err := c.Decode(memoryObject(plumbing.CommitObject, b)); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read HEAD commit %s: %w", ref.Hash(), err)
	}
	return c.TreeHash, nil
}

// tree reads and decodes tree h.
func (r *indexRepo) tree(h plumbing.Hash) (*object.Tree, error) {
	b, err := r.objects.read(h, plumbing.TreeObject)
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
