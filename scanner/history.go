package scanner

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/odb/object"
	"github.com/clarolint/clarolint/internal/odb/provenance"
)

// HistoryOptions says which commits History scans and how. The zero value
// scans every commit reachable from every ref.
type HistoryOptions struct {
	// Range limits the scan to the commits of a git log range: "A..B" is
	// the commits reachable from B and not from A, "A...B" those
	// reachable from either and not from both; an empty side means HEAD.
	// It cannot be combined with Branch or Since.
	Range string
	// Branch scans the commits reachable from this revision (a branch,
	// tag, remote branch or commit) instead of from every ref.
	Branch string
	// Since leaves out the commits reachable from this revision, as
	// `git log --all ^Since` (or `git log Branch ^Since`) does.
	Since string
	// Progress, when set, is called with running counts as the scan goes,
	// never concurrently and often (the caller throttles its display),
	// and once more at the end with the final counts.
	Progress func(HistoryProgress)
}

// HistoryProgress counts what a History scan has done so far.
type HistoryProgress struct {
	Commits int64 // commits selected, once they are known
	Blobs   int64 // unique blobs read and scanned
	Bytes   int64 // bytes of blob content scanned
}

// History is the Source of the history of repo: every blob that a
// selected commit put at a path where none of its parents had that blob.
//
// A key is introduced at a path by a commit when the commit's blob at
// that path holds it and the blob at that path in each parent does not
// (a root commit, or a shallow clone's oldest commits, have no parents).
// There is one finding per key, path and introducing commit, at the line
// and column of the key's first occurrence in the introducing commit's
// blob: editing a file that holds a key does not introduce it again, a
// merge introduces only what its resolution added, a rename introduces
// the key at the new path, and a key removed and added back later is
// introduced twice. With a range, only the commits in the range introduce
// keys, so a key already in the range's base is not reported. Refs that
// name a tree or a blob directly (git's own repository tags a blob) are
// scanned too; their findings have no commit and the path "ref:path" (or
// the ref's name for a blob).
//
// Findings carry the commit, its author, email and author date; InHead,
// whether the same key (by fingerprint) is anywhere in the HEAD tree, on
// a line without a clarolint:allow marker; and StashOnly, whether only
// the stash reaches the commit. Paths matching Options.AllowPaths yield
// no findings (counted in Stats.AllowedPaths, once per finding dropped);
// MaxFileSize, SkipBinary, AllowFingerprints and Disable apply to blobs
// as to files.
//
// Without a range, branch or since revision, every blob of the
// repository's object store is read once, in pack order, on every core
// (odb.Store.Walk), and the commits are diffed afterwards only down to
// the blobs that hold a key (provenance.Changes with hits). Blobs that no
// ref reaches (left by a rewritten or deleted branch) are read too, and
// those holding a key are named in a warning: they have no commit or
// path to report. With one, the selected commits are diffed first, and
// their blobs read one by one.
// No git binary is run; grafts and replace refs are never applied.
//
// Unreadable objects (a damaged pack, a missing blob) are warnings
// counted in Stats.NotScanned, after another copy of the object, if the
// store has one, was tried; a shallow clone and submodules are warnings;
// a partial clone (git clone --filter) is counted as not scanned, since
// the blobs it never fetched cannot be read; a revision in o that does
// not resolve is an error. Findings are emitted
// after the whole history has been read, in finding.Sort's order.
func History(repo *Repository, o HistoryOptions) Source { return historySource{repo, o} }

// historySource is a Source of a repository's history.
type historySource struct {
	repo *Repository
	o    HistoryOptions
}

func (src historySource) scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error) {
	o := src.o
	if o.Range != "" && (o.Branch != "" || o.Since != "") {
		return finding.Stats{}, errors.New("a range cannot be combined with a branch or a since revision")
	}
	h, err := newHistory(s, src.repo.r, o)
	if err != nil {
		return finding.Stats{}, err
	}
	sel, err := h.repo.Select(gitrepo.SelectOptions{Range: o.Range, Branch: o.Branch, Since: o.Since}, h.warnf)
	if err != nil {
		return finding.Stats{}, err
	}
	if h.shallow, err = h.repo.Shallow(); err != nil {
		return finding.Stats{}, err
	}
	if len(h.shallow) > 0 {
		h.warnf("shallow clone: the parents of %d commits are missing, so older history is not scanned and keys already there are reported as introduced by those commits; run git fetch --unshallow to scan all of it", len(h.shallow))
	}
	if p := h.repo.PartialClone(); p != "" {
		h.st.SkippedUnreadable++
		h.s.warner.NotScanned(&h.st, "partial clone (promisor remote %s): the blobs it did not fetch are not in the repository and are not scanned; scan a full clone", p)
	}
	if o.Range == "" && o.Branch == "" && o.Since == "" {
		err = h.everything(ctx, sel)
	} else {
		err = h.selected(ctx, sel)
	}
	if err != nil {
		return h.total(), err
	}
	if h.gitlinks > 0 {
		h.warnf("%s is a submodule (%d gitlink entries in history): submodule commits are not scanned; scan each submodule's own repository, for example with git submodule foreach clarolint history", h.firstGitlink, h.gitlinks)
	}
	fs := h.introductions()
	if len(fs) > 0 {
		if err := h.setInHead(ctx, fs); err != nil {
			return h.total(), err
		}
		h.setAuthors(fs)
		if len(sel.Stashes) > 0 {
			only := h.repo.StashOnly(sel)
			for i := range fs {
				fs[i].StashOnly = only[plumbing.NewHash(fs[i].Commit)]
			}
		}
	}
	return h.emitAll(fs, emit)
}

// emitAll sorts the findings of the scan and emits them.
func (h *history) emitAll(fs []finding.Finding, emit func(finding.Finding) error) (finding.Stats, error) {
	h.progress(true)
	st := h.total()
	finding.Sort(fs)
	for _, f := range fs {
		if err := emit(f); err != nil {
			return st, err
		}
	}
	return st, nil
}

// history is the state of one History scan. Workers scan blobs and record
// the keys they hold; the changes that put those blobs at paths are
// listed afterwards (or before, for a range), and the findings worked out
// from both.
type history struct {
	s       *Scanner
	repo    *gitrepo.Repo
	store   *odb.Store
	o       HistoryOptions
	shallow map[plumbing.Hash]bool
	known   func(plumbing.Hash) bool // commits a push's repository had; see provenance.Options.Known
	st      finding.Stats            // counts of the engine's own work: listing, provenance

	workers []historyWorker

	mu      sync.Mutex
	keys    map[plumbing.Hash][]content.Hit // a blob's keys, one per fingerprint; Path is "" or "!inner"
	scanned map[plumbing.Hash]bool          // blobs read and scanned, or warned about

	commits      *provenance.Commits // read ahead by the walk of everything; nil: the listing reads them
	changes      []provenance.Change // Commit is zero for a ref that names a tree or blob
	listErrs     int                 // commits and trees the listing could not read
	gitlinks     int
	firstGitlink string

	nCommits, nBlobs, nBytes atomic.Int64
	progressMu               sync.Mutex
}

func newHistory(s *Scanner, repo *gitrepo.Repo, o HistoryOptions) (*history, error) {
	store, err := repo.Objects()
	if err != nil {
		return nil, err
	}
	// One worker slot more than the workers: the walk's error handler
	// reads the objects it recovers with the last.
	h := &history{
		s: s, repo: repo, store: store, o: o,
		workers: make([]historyWorker, s.opts.Workers+1),
		keys:    make(map[plumbing.Hash][]content.Hit),
		scanned: make(map[plumbing.Hash]bool),
	}
	for i := range h.workers {
		h.workers[i].rd = s.reader()
	}
	return h, nil
}

// historyWorker is one worker's state: what it counted, and its reader.
type historyWorker struct {
	st finding.Stats
	rd *content.Reader
}

// change records a change a listing found: a gitlink is counted, a blob's
// change kept.
func (h *history) change(c provenance.Change) error {
	if c.Gitlink {
		if h.gitlinks == 0 {
			h.firstGitlink = c.Path
		}
		h.gitlinks++
		return nil
	}
	h.changes = append(h.changes, c)
	return nil
}

// changesOf lists the changes of the selected commits with provenance;
// hits, when not nil, limits the listing to the blobs in it.
func (h *history) changesOf(ctx context.Context, sel gitrepo.Selection, hits map[plumbing.Hash]bool) error {
	return provenance.Changes(ctx, h.store, provenance.Options{
		Tips:    sel.Tips,
		Exclude: sel.Exclude,
		Known:   h.known,
		Shallow: h.shallow,
		Hits:    hits,
		Workers: h.s.opts.Workers,
		OnError: func(err error) {
			h.listErrs++
			h.st.SkippedUnreadable++
			h.s.warner.NotScanned(&h.st, "%v; the changes there are not scanned", err)
		},
		Listed:  func(n int) { h.nCommits.Store(int64(n)); h.progress(false) },
		Commits: h.commits,
	}, h.change)
}

// looseChanges lists the content of refs that name a tree or a blob as
// changes without a commit, at "ref:path" or the ref's name; keep says
// which blobs matter (nil: all).
func (h *history) looseChanges(loose []gitrepo.LooseRoot, keep func(plumbing.Hash) bool) {
	add := func(p string, b plumbing.Hash) error {
		if keep == nil || keep(b) {
			h.changes = append(h.changes, provenance.Change{Path: p, Blob: b})
		}
		return nil
	}
	for _, l := range loose {
		if !l.Tree {
			add(l.Name, l.Hash)
			continue
		}
		provenance.Blobs(h.store, l.Hash, l.Name+":", add, func(err error) {
			h.listErrs++
			h.st.SkippedUnreadable++
			h.s.warner.NotScanned(&h.st, "%v; not scanned", err)
		})
	}
}

// introductions returns a finding for each key that a change introduced:
// in the change's blob and in none of its parents' blobs at that path.
// The finding's rule is decided at the path, so that a key in a built
// bundle is claro-key-client-exposed there and a live key elsewhere.
func (h *history) introductions() []finding.Finding {
	var fs []finding.Finding
	for _, c := range h.changes {
		for _, k := range h.keys[c.Blob] {
			if slices.ContainsFunc(c.Parents, func(p plumbing.Hash) bool { return h.hasKey(p, k.Key) }) {
				continue
			}
			if h.s.allowedPath(c.Path) {
				h.st.AllowedPaths++
				continue
			}
			hit := k
			hit.Path = content.NameHit(c.Path, k.Path)
			f, ok := h.s.keyFinding(&h.st, hit)
			if !ok {
				continue
			}
			if !c.Commit.IsZero() {
				f.Commit = c.Commit.String()
			}
			fs = append(fs, f)
		}
	}
	return fs
}

// hasKey reports whether blob b holds key.
func (h *history) hasKey(b plumbing.Hash, key []byte) bool {
	return !b.IsZero() && slices.ContainsFunc(h.keys[b], func(k content.Hit) bool { return string(k.Key) == string(key) })
}

// setInHead sets InHead on each finding: whether its key is in a blob of
// the HEAD tree. HEAD's blobs that the scan did not read (outside a
// range, say) are scanned now.
func (h *history) setInHead(ctx context.Context, fs []finding.Finding) error {
	inHead := make(map[string]bool)
	tree, ok, err := h.repo.HeadTree()
	if err != nil {
		h.warnf("%v; in_head is false for every finding", err)
	}
	if ok {
		var heads, more []blobJob
		provenance.Blobs(h.store, tree, "", func(p string, b plumbing.Hash) error {
			heads = append(heads, blobJob{b, p})
			if !h.scanned[b] {
				more = append(more, blobJob{b, p})
			}
			return nil
		}, func(err error) {
			h.warnf("HEAD:%v; in_head may be false for keys that are in HEAD", err)
		})
		if err := h.readBlobs(ctx, more); err != nil {
			return err
		}
		for _, j := range heads {
			for _, k := range h.keys[j.id] {
				inHead[string(k.Key)] = true
			}
		}
	}
	for i := range fs {
		in := inHead[fs[i].Secret.Reveal()]
		fs[i].InHead = &in
	}
	return nil
}

// setAuthors fills in the author, email and author date of each
// finding's commit.
func (h *history) setAuthors(fs []finding.Finding) {
	type author struct {
		name, email string
		when        time.Time
	}
	authors := make(map[string]author)
	for i, f := range fs {
		if f.Commit == "" {
			continue
		}
		a, ok := authors[f.Commit]
		if !ok {
			b, err := h.repo.ReadObject(plumbing.NewHash(f.Commit), plumbing.CommitObject)
			var c object.Commit
			if err == nil {
				err = object.ParseCommit(b, &c)
			}
			if err != nil {
				h.warnf("commit %s: %v; its author is not reported", f.Commit, err)
			} else {
				a.name, a.email, a.when = object.ParseSignature(c.Author)
			}
			authors[f.Commit] = a
		}
		fs[i].Author, fs[i].Email, fs[i].Date = a.name, a.email, a.when
	}
}

// progress calls the Progress option unless another goroutine is doing
// so; final waits its turn, so that the last call has the final counts.
func (h *history) progress(final bool) {
	if h.o.Progress == nil {
		return
	}
	if final {
		h.progressMu.Lock()
	} else if !h.progressMu.TryLock() {
		return
	}
	defer h.progressMu.Unlock()
	h.o.Progress(HistoryProgress{Commits: h.nCommits.Load(), Blobs: h.nBlobs.Load(), Bytes: h.nBytes.Load()})
}

// warnf writes a warning about the repository as a whole or the engine's
// own work; workers warn into their own Stats.
func (h *history) warnf(format string, args ...any) { h.s.warner.Warn(&h.st, format, args...) }

// total returns the counts of the whole scan.
func (h *history) total() finding.Stats {
	st := h.st
	for _, w := range h.workers {
		st.Add(w.st)
	}
	return st
}
