package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/gitrepo"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
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
	// NoGit reads the repository with go-git only. Without it, History
	// uses the git binary when one is on PATH: `git log` lists what each
	// commit changed and `git cat-file --batch` reads blobs, several times
	// faster than go-git's decoding. The findings are the same.
	NoGit bool
	// Progress, when set, is called with running counts as the scan goes,
	// never concurrently and often (the caller throttles its display),
	// and once more at the end with the final counts.
	Progress func(HistoryProgress)
}

// HistoryProgress counts what a History scan has done so far.
type HistoryProgress struct {
	Commits int64 // commits whose changes were listed
	Blobs   int64 // unique blobs read and scanned
	Bytes   int64 // bytes of blob content scanned
}

// History scans the history of repo: every blob that a selected commit
// put at a path where none of its parents had that blob. Each unique
// blob is read and scanned once, in parallel; only for the blobs that
// hold a key is provenance worked out.
//
// A key is introduced at a path by a commit when the commit's blob at
// that path holds it and the blob at that path in each parent does not
// (a root commit, or a shallow clone's oldest commits, have no parents).
// There is one finding per key, path and introducing commit, at the
// line and column of the key's first occurrence in the introducing
// commit's blob: editing a file that holds a key does not introduce it
// again, a merge introduces only what its resolution added, a rename
// introduces the key at the new path, and a key removed and added back
// later is introduced twice. With a range, only the commits in the range
// introduce keys, so a key already in the range's base is not reported.
// Refs that name a tree or a blob directly (git's own repository tags a
// blob) are scanned too; their findings have no commit and the path
// "ref:path" (or the ref's name for a blob).
//
// Findings carry the commit, its author, email and author date, and
// InHead: whether the same key (by fingerprint) is anywhere in the HEAD
// tree, at any path, on a line without a clarolint:allow marker. Paths
// matching Options.AllowPaths yield no findings (counted in
// Stats.AllowedPaths, once per finding dropped); MaxFileSize, SkipBinary,
// AllowFingerprints and Disable apply to blobs as to files.
//
// Unreadable objects, a shallow clone and submodules are warnings; a
// revision in o that does not resolve is an error. emit is called from
// one goroutine, after the whole history has been read, in Sort's order;
// its error ends the scan and is returned.
func History(repo *Repository, o HistoryOptions) Source { return historySource{repo, o} }

// historySource is a Source of a repository's history.
type historySource struct {
	repo *Repository
	o    HistoryOptions
}

func (src historySource) scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error) {
	start := time.Now()
	o, repo := src.o, src.repo.r
	if o.Range != "" && (o.Branch != "" || o.Since != "") {
		return finding.Stats{}, errors.New("a range cannot be combined with a branch or a since revision")
	}
	gg, err := repo.GoGit()
	if err != nil {
		return finding.Stats{}, err
	}
	h := &history{
		s:       s,
		repo:    repo,
		gg:      gg,
		o:       o,
		pathIdx: make(map[string]int32),
		blobIdx: make(map[plumbing.Hash]int32),
		keys:    make(map[int32][]finding.Finding),
		commitc: make(map[plumbing.Hash]histCommit),
		workers: make([]finding.Stats, s.opts.Workers),
	}
	sel, err := repo.Select(gitrepo.SelectOptions{Range: o.Range, Branch: o.Branch, Since: o.Since}, h.warnf)
	if err != nil {
		return finding.Stats{}, err
	}
	if h.shallow, err = repo.Shallow(); err != nil {
		return finding.Stats{}, err
	}
	if len(h.shallow) > 0 {
		h.warnf("shallow clone: the parents of %d commits are missing, so older history is not scanned and keys already there are reported as introduced by those commits; run git fetch --unshallow to scan all of it", len(h.shallow))
	}
	if !o.NoGit {
		h.useGit(ctx)
	}

	// Pass 1: list what each commit changed, scanning new blobs meanwhile.
	err = h.pass(ctx, func(ctx context.Context) error {
		if err := h.list(ctx, sel); err != nil {
			return err
		}
		return h.listLoose(ctx, sel.Loose)
	})
	if err != nil {
		return h.total(start), err
	}
	if h.gitlinks > 0 {
		h.warnf("%s is a submodule (%d gitlink entries in history): submodule commits are not scanned; scan each submodule's own repository, for example with git submodule foreach clarolint history", h.firstGitlink, h.gitlinks)
	}
	// Pass 2: the parents' blobs at the paths where a blob holds a key,
	// which a range or a shallow clone may not have listed.
	var more []histJob
	for _, c := range h.changes {
		if len(h.keys[c.blob]) > 0 {
			for _, p := range c.parents {
				more = h.queue(more, p, c.path)
			}
		}
	}
	if err := h.scanMore(ctx, more); err != nil {
		return h.total(start), err
	}

	fs := h.introductions()
	if len(fs) > 0 {
		if err := h.setInHead(ctx, fs); err != nil {
			return h.total(start), err
		}
		h.setAuthors(fs)
		if len(sel.Stashes) > 0 {
			only := repo.StashOnly(sel)
			for i := range fs {
				fs[i].StashOnly = only[plumbing.NewHash(fs[i].Commit)]
			}
		}
	}
	h.progress(true)
	st := h.total(start)
	finding.Sort(fs)
	for _, f := range fs {
		if err := emit(f); err != nil {
			return st, err
		}
	}
	return st, nil
}

// history is the state of one History call. The lister fills the
// interned tables from one goroutine while workers scan blobs; the
// provenance steps read them once the workers are done.
type history struct {
	s       *Scanner
	repo    *gitrepo.Repo
	gg      *git.Repository // go-git's view, for the lister's goroutine only
	o       HistoryOptions
	git     string // the git binary for the fast path; "" to use go-git
	shallow map[plumbing.Hash]bool
	st      finding.Stats // counts of the lister and the provenance steps

	commits      []plumbing.Hash
	paths        []string
	pathIdx      map[string]int32
	blobs        []histBlob
	blobIdx      map[plumbing.Hash]int32
	changes      []histChange
	gitlinks     int
	firstGitlink string
	commitc      map[plumbing.Hash]histCommit // go-git lister: commits read so far
	trees        histTreeCache                // go-git lister: trees read lately

	jobs    []chan histJob // to each worker, during a pass
	mu      sync.Mutex
	keys    map[int32][]finding.Finding // blob index → its keys, one per fingerprint
	workers []finding.Stats

	nCommits, nBlobs, nBytes atomic.Int64
	progressMu               sync.Mutex
}

// histBlob is one interned blob.
type histBlob struct {
	id     plumbing.Hash
	queued bool // sent to the workers (scanned, or unreadable and warned about)
}

// histChange records that a commit put a blob at a path where none of
// its parents had that blob.
type histChange struct {
	commit  int32   // index in commits; -1 for a ref that names a tree or blob
	path    int32   // index in paths
	blob    int32   // index in blobs
	parents []int32 // the blob at path in each parent; -1 where there is none
}

// histJob is a blob for a worker to scan; path is one of its paths, for
// warnings.
type histJob struct {
	blob int32
	id   plumbing.Hash
	path string
}

// name is how warnings refer to the job's blob.
func (j histJob) name() string { return fmt.Sprintf("%s (blob %.12s)", j.path, j.id) }

// histBlobFunc receives one blob read by a worker: its size and content,
// or the error that kept it from being read.
type histBlobFunc func(j histJob, size int64, r io.Reader, err error) error

// useGit turns the fast path on when a git binary is on PATH and can read
// the repository (it may refuse one owned by another user, for example).
func (h *history) useGit(ctx context.Context) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return
	}
	h.git = bin
	if out, err := h.gitCommand(ctx, "rev-parse", "--git-dir").CombinedOutput(); err != nil {
		h.git = ""
		h.warnf("git cannot read this repository (%s); reading it with go-git, which is slower", histFirstLine(out, err))
	}
}

// list lists the selected commits' changes: with git log on the fast
// path, falling back to go-git if git fails (a corrupt object makes it
// stop); the blobs already queued are not read again.
func (h *history) list(ctx context.Context, sel gitrepo.Selection) error {
	if h.git != "" {
		err := h.listGit(ctx, sel)
		if err == nil || ctx.Err() != nil {
			return err
		}
		h.warnf("git log: %v; listing history with go-git instead", err)
		h.commits, h.changes, h.gitlinks, h.firstGitlink = nil, nil, 0, ""
		h.nCommits.Store(0)
	}
	return h.listGoGit(ctx, sel)
}

// addCommit interns a commit about to be listed and returns its index.
func (h *history) addCommit(c plumbing.Hash) int32 {
	h.commits = append(h.commits, c)
	h.nCommits.Add(1)
	h.progress(false)
	return int32(len(h.commits) - 1)
}

// addChange records a change and sends its blob to the workers if it is
// new. parents holds the blob at path in each parent, ZeroHash where
// there is none; a change whose blob is one of them is no change.
func (h *history) addChange(ctx context.Context, commit int32, path string, blob plumbing.Hash, parents []plumbing.Hash) error {
	if slices.Contains(parents, blob) {
		return nil
	}
	p, ok := h.pathIdx[path]
	if !ok {
		p = int32(len(h.paths))
		h.paths = append(h.paths, path)
		h.pathIdx[path] = p
	}
	c := histChange{commit: commit, path: p, blob: h.intern(blob)}
	if len(parents) > 0 {
		c.parents = make([]int32, len(parents))
		for i, pb := range parents {
			c.parents[i] = -1
			if !pb.IsZero() {
				c.parents[i] = h.intern(pb)
			}
		}
	}
	h.changes = append(h.changes, c)
	if h.blobs[c.blob].queued {
		return nil
	}
	h.blobs[c.blob].queued = true
	return h.send(ctx, histJob{blob: c.blob, id: blob, path: path})
}

// send hands j to a worker chosen by its path: the versions of a file are
// deltas of each other in a pack, so one worker (one cat-file process,
// with its cache of delta bases) reads them all. Spread at random, each
// worker would rebuild the same bases: on the history that
// scripts/bench-history.sh builds, git then spends half as much CPU again.
func (h *history) send(ctx context.Context, j histJob) error {
	w := uint32(2166136261) // FNV-1a
	for i := range len(j.path) {
		w = (w ^ uint32(j.path[i])) * 16777619
	}
	select {
	case h.jobs[w%uint32(len(h.jobs))] <- j:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// addGitlink notes a submodule commit that is not followed.
func (h *history) addGitlink(path string) {
	if h.gitlinks == 0 {
		h.firstGitlink = path
	}
	h.gitlinks++
}

// intern returns the index of blob, adding it if it is new.
func (h *history) intern(blob plumbing.Hash) int32 {
	i, ok := h.blobIdx[blob]
	if !ok {
		i = int32(len(h.blobs))
		h.blobs = append(h.blobs, histBlob{id: blob})
		h.blobIdx[blob] = i
	}
	return i
}

// queue appends blob b, seen at path p, to jobs unless it was queued.
func (h *history) queue(jobs []histJob, b, p int32) []histJob {
	if b < 0 || h.blobs[b].queued {
		return jobs
	}
	h.blobs[b].queued = true
	return append(jobs, histJob{blob: b, id: h.blobs[b].id, path: h.paths[p]})
}

// pass runs the workers while list sends them jobs (through addChange),
// and waits until both are done.
func (h *history) pass(ctx context.Context, list func(context.Context) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	h.jobs = make([]chan histJob, len(h.workers))
	read := h.readBlobsGoGit
	if h.git != "" {
		read = h.readBlobsGit
	}
	var wg sync.WaitGroup
	for i := range h.workers {
		h.jobs[i] = make(chan histJob, 4096) // a worker may fall behind on a large file
		wg.Go(func() {
			st, rd := &h.workers[i], h.s.reader()
			err := read(ctx, h.jobs[i], func(j histJob, size int64, r io.Reader, err error) error {
				h.scanBlob(rd, st, j, size, r, err)
				return ctx.Err()
			})
			if err != nil {
				cancel(err)
			}
		})
	}
	err := list(ctx)
	for _, ch := range h.jobs {
		close(ch)
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return context.Cause(ctx) // a worker's error, or the caller's cancellation
}

// scanMore scans the blobs of jobs, which were not listed as changes.
func (h *history) scanMore(ctx context.Context, jobs []histJob) error {
	if len(jobs) == 0 {
		return nil
	}
	return h.pass(ctx, func(ctx context.Context) error {
		for _, j := range jobs {
			if err := h.send(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanBlob scans one blob and keeps its keys; an unreadable blob is a
// warning.
func (h *history) scanBlob(rd *content.Reader, st *finding.Stats, j histJob, size int64, r io.Reader, err error) {
	defer h.progress(false)
	if err != nil {
		st.SkippedUnreadable++
		h.s.warner.NotScanned(st, "%s: %v; not scanned", j.name(), err)
		return
	}
	if max := h.s.opts.MaxFileSize; max > 0 && size > max {
		st.SkippedTooLarge++
		return
	}
	var keys []finding.Finding
	before := st.BytesScanned
	rd.Read(content.Source{Path: j.path, Label: j.name()}, r, st, h.s.keyEmitter(st, func(f finding.Finding) error {
		if !slices.ContainsFunc(keys, func(k finding.Finding) bool { return k.Fingerprint == f.Fingerprint }) {
			// The blob may be at several paths: Path keeps only what
			// follows this one, the file inside an archive ("!name").
			f.Path = strings.TrimPrefix(f.Path, j.path)
			keys = append(keys, f)
		}
		return nil // never fails, so Read does not either
	}))
	h.nBlobs.Add(1)
	h.nBytes.Add(st.BytesScanned - before)
	if len(keys) > 0 {
		h.mu.Lock()
		h.keys[j.blob] = keys
		h.mu.Unlock()
	}
}

// introductions returns a finding for each key that a change introduced:
// in the change's blob and in none of its parents' blobs at that path.
func (h *history) introductions() []finding.Finding {
	var fs []finding.Finding
	for _, c := range h.changes {
		keys := h.keys[c.blob]
		if len(keys) == 0 {
			continue
		}
		path := h.paths[c.path]
		for _, k := range keys {
			if slices.ContainsFunc(c.parents, func(p int32) bool { return p >= 0 && h.hasKey(p, k.Fingerprint) }) {
				continue
			}
			if h.s.allowedPath(path) {
				h.st.AllowedPaths++
				continue
			}
			f := k
			f.Path = path + k.Path
			if c.commit >= 0 {
				f.Commit = h.commits[c.commit].String()
			}
			fs = append(fs, f)
		}
	}
	return fs
}

// hasKey reports whether blob b holds the key with fingerprint fp.
func (h *history) hasKey(b int32, fp string) bool {
	return slices.ContainsFunc(h.keys[b], func(k finding.Finding) bool { return k.Fingerprint == fp })
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
		var heads []int32
		var more []histJob
		err := h.listTree(tree, "", func(p string, b plumbing.Hash) error {
			i := h.intern(b)
			heads = append(heads, i)
			if !h.blobs[i].queued {
				h.blobs[i].queued = true
				more = append(more, histJob{blob: i, id: b, path: p})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := h.scanMore(ctx, more); err != nil {
			return err
		}
		for _, b := range heads {
			for _, k := range h.keys[b] {
				inHead[k.Fingerprint] = true
			}
		}
	}
	for i := range fs {
		in := inHead[fs[i].Fingerprint]
		fs[i].InHead = &in
	}
	return nil
}

// setAuthors fills in the author, email and author date of each
// finding's commit.
func (h *history) setAuthors(fs []finding.Finding) {
	authors := make(map[string]object.Signature)
	for i, f := range fs {
		if f.Commit == "" {
			continue
		}
		a, ok := authors[f.Commit]
		if !ok {
			c, err := object.GetCommit(h.gg.Storer, plumbing.NewHash(f.Commit))
			if err != nil {
				h.warnf("commit %s: %v; its author is not reported", f.Commit, err)
			} else {
				a = c.Author
			}
			authors[f.Commit] = a
		}
		fs[i].Author, fs[i].Email, fs[i].Date = a.Name, a.Email, a.When
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

// warnf writes a warning about the repository as a whole or the lister's
// work; workers warn into their own Stats.
func (h *history) warnf(format string, args ...any) { h.s.warner.Warn(&h.st, format, args...) }

// total returns the counts of the whole scan.
func (h *history) total(start time.Time) finding.Stats {
	st := h.st
	for _, w := range h.workers {
		st.Add(w)
	}
	st.Duration = time.Since(start)
	return st
}

// histFirstLine returns the first line of a command's output, or err when
// it printed nothing.
func histFirstLine(out []byte, err error) string {
	if line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n"); line != "" {
		return line
	}
	return err.Error()
}
