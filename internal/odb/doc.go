// Package odb reads a git repository's objects without git and without
// go-git's object storage: loose objects, packs (version-2 indexes,
// offsets past 2 GiB), multi-pack-indexes, alternates and a pre-receive
// hook's quarantine. It is the object layer of clarolint's history and
// staged scans, and of its pre-receive hook.
//
// A Store finds objects in object directories and reads them one at a
// time (Has, Read, Open), lazily: a few lookups read a few kilobytes of
// the pack indexes, never a whole index, so a staged scan stays fast on
// a large repository. Store.Walk reads every object of some directories
// once, in bulk and in parallel, from the pack indexes rather than from
// commits: a history scan walks the blobs and searches each once.
// Subpackage object reads the commits and trees a history walk needs,
// without allocating; provenance works out which commits introduced the
// blobs the scan flagged; index and delta read pack indexes and apply
// deltas.
//
// The package never writes to a repository, never runs git, and applies
// no replace refs, grafts or other settings of the repository: what is
// read is the objects as they are stored. Damaged objects (corrupt
// packs, bad deltas, missing bases, truncated indexes) are errors that
// name the object, never panics; a walk reports them to a callback and
// goes on. SHA-1 repositories only.
//
// A history scan:
//
//	s, err := odb.Open(filepath.Join(gitDir, "objects"))
//	…
//	err = s.Walk(ctx, odb.WalkOptions{
//		Types:   []plumbing.ObjectType{plumbing.BlobObject},
//		OnError: warn, // each unreadable object, named
//	}, func(worker int, o odb.Object) error {
//		state[worker].scan(o.ID, o.Data) // o.Data is valid only during the call
//		return nil
//	})
//	// then provenance.Changes with Options.Hits: the blobs with a key.
//
// A pre-receive hook opens the quarantine first and walks only it:
//
//	dirs, _ := cquote.SplitList(os.Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))
//	s, err := odb.Open(append([]string{os.Getenv("GIT_OBJECT_DIRECTORY")}, dirs...)...)
//	err = s.Walk(ctx, odb.WalkOptions{Dirs: []string{os.Getenv("GIT_OBJECT_DIRECTORY")}, …}, scan)
package odb
