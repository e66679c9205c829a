package scanner

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/envcheck"
	"github.com/clarolint/clarolint/internal/escape"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/internal/odb"
	odbobject "github.com/clarolint/clarolint/internal/odb/object"
	"github.com/clarolint/clarolint/rules"
)

// IndexOptions say what an Index scan reads.
type IndexOptions struct {
	// All scans every blob in the index (--all), not only those that
	// differ from HEAD, and reports every key in them.
	All bool
	// IndexFile is the index to read instead of the repository's own: the
	// value of GIT_INDEX_FILE, through which git hands a pre-commit hook
	// the index that `git commit -a` or `git commit PATH` will commit. A
	// relative path is taken from the top of the work tree, where git runs
	// hooks. It is used only when it lies in the repository's git
	// directory, as git's own temporary indexes do, so that a variable
	// inherited from another repository's hook does not apply here.
	IndexFile string
}

// Index is the Source of what the next commit would add to the git work
// tree that holds the directory repo: the blobs in the index that differ from HEAD's blob at the same path, and
// in them only the keys that HEAD's version of that path does not hold
// (compared by fingerprint), so that editing a file that already holds a
// key does not report it again while a new key on the same line is
// reported. A path that is new in the index is compared with the blobs
// at the paths the index removes, so a renamed or moved file carries its
// keys without reporting them again. The staged content is read, not the
// working copy, and findings are at its lines; paths are relative to the
// top of the work tree.
//
// A staged .env or .env.* file that is not an example is an
// env-file-tracked error saying how to unstage it. With o.All every blob
// in the index is scanned, every key reported, and every tracked .env
// file reported.
//
// Before the first commit everything in the index is new. During a merge
// with conflicts, the two sides of each conflicted path (stages 2 and 3)
// are both scanned, and a warning says that the conflicts must be
// resolved before committing. Submodules (gitlinks) and paths added with
// `git add -N` have no staged content and are passed over. A bare
// repository has no index: that is an error.
//
// Only HEAD's trees on the paths of staged changes are read, using the
// index's cache tree; history is never walked. AllowPaths,
// AllowFingerprints, Disable, MaxFileSize and SkipBinary apply as in
// Tree. emit is never called concurrently; its error ends the scan and is
// returned.
func Index(repo string, o IndexOptions) Source { return indexSource{repo, o} }

// indexSource is a Source of a work tree's index.
type indexSource struct {
	repo string
	o    IndexOptions
}

func (src indexSource) scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error) {
	r, err := gitrepo.WorkTree(src.repo)
	if err != nil {
		return finding.Stats{}, err
	}
	defer r.Close()
	idx, err := gitrepo.ReadIndex(indexFile(r, src.o.IndexFile))
	if err != nil {
		return finding.Stats{}, err
	}
	var st finding.Stats
	if conflicts := idx.Unmerged(); len(conflicts) > 0 {
		more := ""
		if len(conflicts) > 3 {
			conflicts, more = conflicts[:3], fmt.Sprintf(" and %d more", len(conflicts)-3)
		}
		s.warner.Warn(&st, "merge in progress, with conflicts in %s%s: both sides of each were scanned; resolve the conflicts, git add the results and run clarolint staged again", strings.Join(conflicts, ", "), more)
	}
	sc := &stagedScan{s: s, r: r, emit: emit, seen: map[stagedSeen]bool{}}
	if src.o.All {
		sc.all = true
		if sc.blobs, err = allBlobs(r, idx); err != nil {
			return finding.Stats{}, err
		}
	} else {
		head, _, err := r.HeadTree()
		if err != nil {
			return finding.Stats{}, err
		}
		ch, err := r.Diff(idx, head)
		if err != nil {
			return finding.Stats{}, fmt.Errorf("compare the index with HEAD: %w", err)
		}
		sc.blobs, sc.removed = ch.Blobs, ch.Removed
	}
	return st, sc.run(ctx, &st)
}

// indexFile returns the index to read: name, from GIT_INDEX_FILE, when
// it lies in the repository's git directory (see IndexOptions), else the
// repository's own.
func indexFile(r *gitrepo.Repo, name string) string {
	if name != "" {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.Top, p)
		}
		if gitrepo.Within(p, r.GitDir) || gitrepo.Within(p, r.CommonDir) {
			return filepath.Clean(p)
		}
	}
	return filepath.Join(r.GitDir, "index")
}

// allBlobs returns every blob in the index, as --all scans it.
func allBlobs(r *gitrepo.Repo, idx *gitrepo.Index) ([]gitrepo.Staged, error) {
	var out []gitrepo.Staged
	for _, e := range idx.Entries {
		if e.SparseDir() {
			err := r.WalkTree(e.Hash, e.Path, func(p string, x object.TreeEntry) error {
				if odbobject.IsBlob(x.Mode) {
					out = append(out, gitrepo.Staged{Path: p, Hash: x.Hash})
				}
				return nil
			}, func(_ string, err error) error { return err })
			if err != nil {
				return nil, err
			}
			continue
		}
		if e.Stage != 1 && !e.IntentToAdd && odbobject.IsBlob(e.Mode) {
			out = append(out, gitrepo.Staged{Path: e.Path, Hash: e.Hash, Stage: e.Stage})
		}
	}
	return out, nil
}

// stagedScan is the state of one Staged call.
type stagedScan struct {
	s       *Scanner
	r       *gitrepo.Repo
	all     bool
	blobs   []gitrepo.Staged
	removed []gitrepo.Removed

	next atomic.Int64 // the next blob for a worker to take

	emitMu sync.Mutex
	emit   func(finding.Finding) error
	seen   map[stagedSeen]bool // findings emitted: the two sides of a conflict often share them

	movedOnce sync.Once
	moved     map[string]bool // fingerprints of the keys in the removed blobs
}

// stagedSeen identifies a finding in a path, whichever side of a
// conflict it came from.
type stagedSeen struct {
	rule         rules.RuleID
	path, fp     string
	line, column int
}

// run scans the blobs with the scanner's workers.
func (sc *stagedScan) run(ctx context.Context, st *finding.Stats) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := min(sc.s.opts.Workers, len(sc.blobs))
	stats := make([]finding.Stats, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			rd := sc.s.reader()
			for {
				n := int(sc.next.Add(1)) - 1
				if n >= len(sc.blobs) || ctx.Err() != nil {
					return
				}
				if err := sc.scanBlob(rd, &stats[i], &sc.blobs[n]); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, x := range stats {
		st.Add(x)
	}
	return context.Cause(ctx)
}

// scanBlob scans one staged blob and emits what it adds; only emit's error
// is returned.
func (sc *stagedScan) scanBlob(rd *content.Reader, st *finding.Stats, b *gitrepo.Staged) error {
	s := sc.s
	if s.allowedPath(b.Path) {
		st.AllowedPaths++
		return nil
	}
	var found []finding.Finding
	if rules.IsSecretEnvFile(b.Path) && s.enabled(rules.EnvFileTracked) {
		found = append(found, sc.envFinding(b))
	}
	if err := sc.readBlob(rd, st, b, func(f finding.Finding) error {
		found = append(found, f)
		return nil
	}); err != nil {
		return err
	}
	var inHead map[string]bool
	if !sc.all && slices.ContainsFunc(found, func(f finding.Finding) bool { return f.Fingerprint != "" }) {
		inHead = sc.headKeys(rd, st, b)
	}
	sc.emitMu.Lock()
	defer sc.emitMu.Unlock()
	for _, f := range found {
		id := stagedSeen{f.RuleID, f.Path, f.Fingerprint, f.Line, f.Column}
		if (f.Fingerprint != "" && inHead[f.Fingerprint]) || sc.seen[id] {
			continue
		}
		sc.seen[id] = true
		if err := sc.emit(f); err != nil {
			return err
		}
	}
	return nil
}

// readBlob reads the staged blob b and passes its key findings to emit; an
// unreadable blob is a warning, counted as not scanned.
func (sc *stagedScan) readBlob(rd *content.Reader, st *finding.Stats, b *gitrepo.Staged, emit func(finding.Finding) error) error {
	s := sc.s
	r, err := sc.open(b.Hash)
	switch {
	case err != nil:
		st.SkippedUnreadable++
		s.warner.NotScanned(st, "%s: %v; not scanned", b.Path, err)
		return nil
	case s.opts.MaxFileSize > 0 && r.Size > s.opts.MaxFileSize:
		r.Close()
		st.SkippedTooLarge++
		return nil
	}
	defer r.Close()
	return rd.Read(content.Source{Path: b.Path, Label: b.Path}, r, st, s.keyEmitter(st, emit))
}

// open opens blob h for reading; another type of object is an error.
func (sc *stagedScan) open(h plumbing.Hash) (*odb.Reader, error) {
	s, err := sc.r.Objects()
	if err != nil {
		return nil, err
	}
	r, err := s.Open(h)
	if err != nil {
		return nil, err
	}
	if r.Type != plumbing.BlobObject {
		r.Close()
		return nil, fmt.Errorf("object %s is a %s, not a blob", h, r.Type)
	}
	return r, nil
}

// headKeys returns the fingerprints of the keys already in HEAD for b:
// those in HEAD's blob at b's path or, for a new path, in the blobs at
// the paths the index removes (a rename or a move).
func (sc *stagedScan) headKeys(rd *content.Reader, st *finding.Stats, b *gitrepo.Staged) map[string]bool {
	if !b.Head.IsZero() {
		keys := map[string]bool{}
		sc.keysIn(rd, st, b.Path, b.Head, keys)
		return keys
	}
	sc.movedOnce.Do(func() {
		sc.moved = map[string]bool{}
		m := sc.s.reader()
		for _, rm := range sc.removed {
			if !rm.Tree {
				sc.keysIn(m, st, rm.Path, rm.Hash, sc.moved)
				continue
			}
			err := sc.r.WalkTree(rm.Hash, rm.Path+"/", func(p string, e object.TreeEntry) error {
				if odbobject.IsBlob(e.Mode) {
					sc.keysIn(m, st, p, e.Hash, sc.moved)
				}
				return nil
			}, func(_ string, err error) error { return err })
			if err != nil {
				sc.s.warner.Warn(st, "HEAD's %s: %v; keys moved out of it are reported as new", rm.Path, err)
			}
		}
	})
	return sc.moved
}

// keysIn adds the fingerprints of the keys in blob h, HEAD's at path, to
// keys. A blob that cannot be read adds none: its keys are reported.
// Without archives the keys are read as bytes, whatever --skip-binary
// says, so that skipping binaries cannot hide HEAD's keys; with archives,
// the keys in its files count too.
func (sc *stagedScan) keysIn(rd *content.Reader, st *finding.Stats, path string, h plumbing.Hash, keys map[string]bool) {
	r, err := sc.open(h)
	if err == nil && sc.s.opts.ArchiveDepth > 0 {
		// HEAD's version is not what is being scanned: only its
		// warnings go into st.
		defer r.Close()
		var head finding.Stats
		_ = rd.Read(content.Source{Path: path, Label: "HEAD's " + path}, r, &head, func(x content.Hit) error { // never fails: this emit does not
			keys[rules.Fingerprint(x.Key)] = true
			return nil
		})
		st.Warnings += head.Warnings
		return
	}
	if err == nil {
		defer r.Close()
		err = rd.Keys(r, func(x content.Hit) error {
			keys[rules.Fingerprint(x.Key)] = true
			return nil
		})
	}
	if err != nil {
		sc.s.warner.Warn(st, "HEAD's %s: %v; keys already there are reported as new", path, err)
	}
}

// envFinding is the env-file-tracked error for a staged .env file: how to
// take it out of the commit, and how to keep it out.
func (sc *stagedScan) envFinding(b *gitrepo.Staged) finding.Finding {
	p := escape.Shell(b.Path)
	var msg string
	switch {
	case sc.all || !b.Head.IsZero():
		msg = fmt.Sprintf("secret env file %s is tracked by git: every clone carries it; stop tracking it with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held: they stay in history", b.Path, p, envcheck.IgnoreAdvice)
	default:
		msg = fmt.Sprintf("secret env file %s is staged: the next commit would add it to the repository; unstage it with `git restore --staged %s` (or `git rm --cached %s`), then %s and commit it", b.Path, p, p, envcheck.IgnoreAdvice)
	}
	return envcheck.FileFinding(rules.EnvFileTracked, rules.Error, b.Path, msg)
}
