package scanner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clarolint/clarolint/finding"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/rules"
)

// StagedOptions says what Staged reads.
type StagedOptions struct {
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

// Staged scans what the next commit would add (SPEC §3) to the git work
// tree that holds the directory repo, found as WorkTreeRoot finds it: the
// blobs in the index that differ from HEAD's blob at the same path, and
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
func (s *Scanner) Staged(ctx context.Context, repo string, o StagedOptions, emit func(finding.Finding) error) (finding.Stats, error) {
	start := time.Now()
	r, err := openIndexRepo(repo, o.IndexFile)
	if err != nil {
		return finding.Stats{}, err
	}
	defer r.close()
	idx, err := readIndex(r.index)
	if err != nil {
		return finding.Stats{}, err
	}
	var st finding.Stats
	if conflicts := idx.unmerged(); len(conflicts) > 0 {
		more := ""
		if len(conflicts) > 3 {
			conflicts, more = conflicts[:3], fmt.Sprintf(" and %d more", len(conflicts)-3)
		}
		s.warn(&st, "merge in progress, with conflicts in %s%s: both sides of each were scanned; resolve the conflicts, git add the results and run clarolint staged again", strings.Join(conflicts, ", "), more)
	}
	sc := &stagedScan{s: s, r: r, emit: emit, seen: map[stagedSeen]bool{}}
	if o.All {
		sc.all = true
		if sc.blobs, err = r.allBlobs(idx); err != nil {
			return finding.Stats{}, err
		}
	} else {
		head, err := r.headTree()
		if err != nil {
			return finding.Stats{}, err
		}
		ch, err := r.diff(idx, head)
		if err != nil {
			return finding.Stats{}, fmt.Errorf("compare the index with HEAD: %w", err)
		}
		sc.blobs, sc.removed = ch.blobs, ch.removed
	}
	err = sc.run(ctx, &st)
	st.Duration = time.Since(start)
	return st, err
}

// allBlobs returns every blob in the index, as --all scans it.
func (r *indexRepo) allBlobs(idx *gitIndex) ([]stagedBlob, error) {
	var out []stagedBlob
	for _, e := range idx.entries {
		if e.sparseDir() {
			sub, err := r.listTree(e.path, e.hash)
			if err != nil {
				return nil, err
			}
			for _, x := range sub {
				if stagedIsBlob(x.mode) {
					out = append(out, stagedBlob{path: x.path, hash: x.hash})
				}
			}
			continue
		}
		if e.stage != 1 && !e.intentToAdd && stagedIsBlob(e.mode) {
			out = append(out, stagedBlob{path: e.path, hash: e.hash, stage: e.stage})
		}
	}
	return out, nil
}

// stagedScan is the state of one Staged call.
type stagedScan struct {
	s       *Scanner
	r       *indexRepo
	all     bool
	blobs   []stagedBlob
	removed []stagedRemoved

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
			sm := newStream(&sc.s.opts.Matcher, sc.s.opts.DecodeDepth, sc.s.chunkSize)
			for {
				n := int(sc.next.Add(1)) - 1
				if n >= len(sc.blobs) || ctx.Err() != nil {
					return
				}
				if err := sc.scanBlob(sm, &stats[i], &sc.blobs[n]); err != nil {
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
func (sc *stagedScan) scanBlob(sm *stream, st *finding.Stats, b *stagedBlob) error {
	s := sc.s
	if s.allowedPath(b.path) {
		st.AllowedPaths++
		return nil
	}
	var found []finding.Finding
	if rules.IsSecretEnvFile(b.path) && s.enabled(rules.EnvFileTracked) {
		found = append(found, sc.envFinding(b))
	}
	typ, size, rd, err := sc.r.objects.open(b.hash)
	if err == nil && typ != plumbing.BlobObject {
		rd.Close()
		err = fmt.Errorf("object %s is a %s, not a blob", b.hash, typ)
	}
	switch {
	case err != nil:
		st.SkippedUnreadable++
		s.notScanned(st, "%s: %v; not scanned", b.path, err)
	case s.opts.MaxFileSize > 0 && size > s.opts.MaxFileSize:
		rd.Close()
		st.SkippedTooLarge++
	default:
		err := s.scanReader(sm, source{path: b.path, label: b.path}, rd, st, func(f finding.Finding) error {
			found = append(found, f)
			return nil
		})
		rd.Close()
		if err != nil {
			return err
		}
	}
	var inHead map[string]bool
	if !sc.all && slices.ContainsFunc(found, func(f finding.Finding) bool { return f.Fingerprint != "" }) {
		inHead = sc.headKeys(sm, st, b)
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

// headKeys returns the fingerprints of the keys already in HEAD for b:
// those in HEAD's blob at b's path or, for a new path, in the blobs at
// the paths the index removes (a rename or a move).
func (sc *stagedScan) headKeys(sm *stream, st *finding.Stats, b *stagedBlob) map[string]bool {
	if !b.head.IsZero() {
		keys := map[string]bool{}
		sc.keysIn(sm, st, b.path, b.head, keys)
		return keys
	}
	sc.movedOnce.Do(func() {
		sc.moved = map[string]bool{}
		m := newStream(&sc.s.opts.Matcher, sc.s.opts.DecodeDepth, sc.s.chunkSize)
		for _, rm := range sc.removed {
			if !rm.tree {
				sc.keysIn(m, st, rm.path, rm.hash, sc.moved)
				continue
			}
			sub, err := sc.r.listTree(rm.path+"/", rm.hash)
			if err != nil {
				sc.s.warn(st, "HEAD's %s: %v; keys moved out of it are reported as new", rm.path, err)
				continue
			}
			for _, e := range sub {
				if stagedIsBlob(e.mode) {
					sc.keysIn(m, st, e.path, e.hash, sc.moved)
				}
			}
		}
	})
	return sc.moved
}

// keysIn adds the fingerprints of the keys in blob h, HEAD's at path, to
// keys. A blob that cannot be read adds none: its keys are reported.
func (sc *stagedScan) keysIn(sm *stream, st *finding.Stats, path string, h plumbing.Hash, keys map[string]bool) {
	_, _, rd, err := sc.r.objects.open(h)
	if err == nil && sc.s.opts.ArchiveDepth > 0 {
		// The keys in its files count too. HEAD's version is not what
		// is being scanned: only its warnings go into st.
		defer rd.Close()
		var head finding.Stats
		_ = sc.s.scanReader(sm, source{path: path, label: "HEAD's " + path}, rd, &head, func(f finding.Finding) error { // never fails: emit does not
			keys[f.Fingerprint] = true
			return nil
		})
		st.Warnings += head.Warnings
		return
	}
	if err == nil {
		defer rd.Close()
		_, err = sm.scan(rd, false, func(x hit) error {
			keys[rules.Fingerprint(x.key)] = true
			return nil
		})
	}
	if err != nil {
		sc.s.warn(st, "HEAD's %s: %v; keys already there are reported as new", path, err)
	}
}

// envFinding is the env-file-tracked error for a staged .env file: how to
// take it out of the commit, and how to keep it out.
func (sc *stagedScan) envFinding(b *stagedBlob) finding.Finding {
	p := shellQuote(b.path)
	var msg string
	switch {
	case sc.all || !b.head.IsZero():
		msg = fmt.Sprintf("secret env file %s is tracked by git: every clone carries it; stop tracking it with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held: they stay in history", b.path, p, envIgnoreAdvice)
	default:
		msg = fmt.Sprintf("secret env file %s is staged: the next commit would add it to the repository; unstage it with `git restore --staged %s` (or `git rm --cached %s`), then %s and commit it", b.path, p, p, envIgnoreAdvice)
	}
	return envFileFinding(rules.EnvFileTracked, rules.Error, b.path, msg)
}
