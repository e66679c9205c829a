package push

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/odb/object"
	"github.com/clarolint/clarolint/rules"
)

// envPrefix starts every env file's name (rules.IsEnvFile).
var envPrefix = []byte(".env")

// WalkOptions says how Walk reads a quarantine.
type WalkOptions struct {
	// Workers is the number of goroutines that read objects; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// OnError receives each object that cannot be read, as
	// odb.WalkOptions.OnError does, and each new tree that cannot be
	// parsed; calls are never concurrent.
	OnError func(error)
	// Blob is called with each new blob, from up to Workers goroutines
	// at once, as odb.Store.Walk calls its function: worker says which.
	Blob func(worker int, o odb.Object)
}

// New is what Walk found in a quarantine besides its blobs.
type New struct {
	// Commits counts the new commits.
	Commits int
	// EnvBlobs are the blobs of the entries of new trees that are named
	// as secret env files (rules.IsSecretEnvFile), new blobs or not: the
	// push may track a .env file whose content the repository already
	// had.
	EnvBlobs map[plumbing.Hash]bool
}

// Walk reads each object stored in dir, a push's quarantine and one of
// s's directories, that main (the repository before the push) does not
// hold: its loose objects and the objects its packs' indexes list, each
// once. Objects that main holds too, such as the bases git copies into a
// thin pack to complete it, are passed over: the repository had them
// already. New blobs go to o.Blob; new commits are counted and new trees
// searched for secret env files. A lookup in main that fails counts the
// object as new, so that it is read rather than passed over. ctx's error
// ends the walk and is returned.
func Walk(ctx context.Context, s, main *odb.Store, dir string, o WalkOptions) (New, error) {
	var commits atomic.Int64
	var mu sync.Mutex
	env := make(map[plumbing.Hash]bool)
	// OnError is called from the walk and from here, never concurrently.
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if o.OnError != nil {
			o.OnError(err)
		}
	}
	err := s.Walk(ctx, odb.WalkOptions{
		Dirs:    []string{dir},
		Types:   []plumbing.ObjectType{plumbing.BlobObject, plumbing.TreeObject, plumbing.CommitObject},
		Workers: o.Workers,
		OnError: report,
	}, func(worker int, obj odb.Object) error {
		if had, err := main.Has(obj.ID); had && err == nil {
			return nil
		}
		switch obj.Type {
		case plumbing.BlobObject:
			o.Blob(worker, obj)
		case plumbing.CommitObject:
			commits.Add(1)
		case plumbing.TreeObject:
			it := object.NewTreeIter(obj.Data)
			var e object.TreeEntry
			for it.Next(&e) {
				// The prefix first: most names are not env files, and
				// are then not copied into a string.
				if e.IsBlob() && bytes.HasPrefix(e.Name, envPrefix) && rules.IsSecretEnvFile(string(e.Name)) {
					mu.Lock()
					env[e.ID] = true
					mu.Unlock()
				}
			}
			if err := it.Err(); err != nil {
				report(fmt.Errorf("tree %s: %w; the .env files in it are not checked", obj.ID, err))
			}
		}
		return nil
	})
	return New{Commits: int(commits.Load()), EnvBlobs: env}, err
}
