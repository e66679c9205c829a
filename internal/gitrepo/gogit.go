package gitrepo

import (
	"fmt"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// GoGit returns go-git's view of the repository, opened on first use: refs,
// revisions, commits and trees. Unlike the Repo, what it returns is not
// safe for concurrent use; a goroutine that reads objects at the same time
// opens Storage of its own.
func (r *Repo) GoGit() (*git.Repository, error) {
	r.gogitOnce.Do(func() {
		r.gogit, r.gogitErr = git.Open(r.Storage(32*cache.MiByte), nil)
		if r.gogitErr != nil {
			r.gogitErr = fmt.Errorf("open repository %s: %w", r.GitDir, r.gogitErr)
		}
	})
	return r.gogit, r.gogitErr
}

// Storage opens go-git's object and ref storage of the repository, with
// an object cache of cacheSize bytes. It is not safe for concurrent use.
func (r *Repo) Storage(cacheSize cache.FileSize) *filesystem.Storage {
	dot := osfs.New(r.GitDir)
	if r.CommonDir != r.GitDir {
		dot = dotgit.NewRepositoryFilesystem(dot, osfs.New(r.CommonDir))
	}
	return filesystem.NewStorage(dot, cache.NewObjectLRU(cacheSize))
}
