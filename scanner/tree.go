package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clarolint/clarolint/finding"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Tree scans the files under roots, each a file or a directory. Inside a
// git work tree it skips what the work tree's ignore rules skip (nested
// .gitignore files, .git/info/exclude, the global excludes file), unless
// Options.NoIgnore; outside one it scans every regular file. .git
// directories are never scanned: history is History's job.
//
// Finding paths are relative to the root when a single directory is
// given; otherwise each starts with its root as given. emit is never
// called concurrently. Tree returns emit's first error, or an error when a
// root cannot be read at all; anything wrong below a root is a warning.
//
// Directories are walked in parallel: each worker takes a directory from
// a shared stack, queues its subdirectories, and scans its files itself
// (handing batches of a large directory's files to the other workers), so
// no file passes through a channel.
func (s *Scanner) Tree(ctx context.Context, roots []string, emit func(finding.Finding) error) (finding.Stats, error) {
	return s.tree(ctx, roots, nil, emit)
}

// tree is Tree, telling probe (when not nil) what the .env checks need
// to know from the walk.
func (s *Scanner) tree(ctx context.Context, roots []string, probe *envProbe, emit func(finding.Finding) error) (finding.Stats, error) {
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		emitMu  sync.Mutex
		emitErr error // once emit fails, no worker may call it again
	)
	w := &walker{s: s, ctx: ctx, probe: probe, emit: func(f finding.Finding) error {
		emitMu.Lock()
		defer emitMu.Unlock()
		if emitErr == nil {
			emitErr = emit(f)
		}
		return emitErr
	}}
	w.cond = sync.NewCond(&w.mu)

	var rootStats finding.Stats
	for _, r := range roots {
		fi, err := os.Stat(r)
		if err != nil {
			return finding.Stats{}, fmt.Errorf("%s: %w", r, unwrapPath(err))
		}
		rel := ""
		if len(roots) > 1 || !fi.IsDir() {
			rel = filepath.ToSlash(filepath.Clean(r))
		}
		if !fi.IsDir() {
			if w.s.allowedPath(rel) {
				rootStats.AllowedPaths++
				continue
			}
			// A file named explicitly is read whatever it is: a FIFO,
			// /dev/stdin or a device holds bytes someone asked about.
			w.push(task{files: []fileJob{{path: r, rel: rel, stream: !fi.Mode().IsRegular()}}})
			continue
		}
		d := &dir{path: r, rel: rel}
		if !s.opts.NoIgnore {
			d.worktreeAt(w, &rootStats, r)
		}
		if s.opts.FollowSymlinks {
			d.ancestors = []fs.FileInfo{fi}
		}
		w.push(task{dir: d})
	}

	stats := make([]finding.Stats, s.opts.Workers)
	var wg sync.WaitGroup
	for i := range s.opts.Workers {
		wg.Go(func() { w.work(&stats[i], cancel) })
	}
	stop := context.AfterFunc(ctx, w.abort)
	wg.Wait()
	stop()

	total := rootStats
	for _, st := range stats {
		total.Add(st)
	}
	total.Duration = time.Since(start)
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return total, err
	}
	return total, ctx.Err()
}

// fileJob is one file to scan.
type fileJob struct {
	path string // on disk
	rel  string // as reported
	// stream is set for a file named explicitly that is not a regular
	// file (a FIFO, /dev/stdin): it is opened blocking, to wait for its
	// writer, and read to its end.
	stream bool
}

// task is a directory to read, or a batch of files to scan.
type task struct {
	dir   *dir
	files []fileJob
}

// fileBatch is how many files of one directory a worker scans before it
// offers the rest to idle workers.
const fileBatch = 32

// walker is the shared state of one Tree call: a stack of tasks that
// workers take from and add to, and a count of tasks in progress, so that
// the workers know when the walk is over.
type walker struct {
	s     *Scanner
	ctx   context.Context
	emit  func(finding.Finding) error
	probe *envProbe

	mu      sync.Mutex
	cond    *sync.Cond
	tasks   []task
	running int  // tasks taken and not finished
	over    bool // no task left and none running, or aborted
}

func (w *walker) push(t task) {
	w.mu.Lock()
	w.tasks = append(w.tasks, t)
	w.mu.Unlock()
	w.cond.Signal()
}

// take returns the next task, waiting while other workers may still add
// one; false means the walk is over.
func (w *walker) take() (task, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.tasks) == 0 && !w.over {
		if w.running == 0 {
			w.over = true
			w.cond.Broadcast()
			break
		}
		w.cond.Wait()
	}
	if w.over {
		return task{}, false
	}
	t := w.tasks[len(w.tasks)-1]
	w.tasks = w.tasks[:len(w.tasks)-1]
	w.running++
	return t, true
}

func (w *walker) done() {
	w.mu.Lock()
	w.running--
	if w.running == 0 && len(w.tasks) == 0 {
		w.cond.Broadcast()
	}
	w.mu.Unlock()
}

// abort ends the walk early: the context was cancelled.
func (w *walker) abort() {
	w.mu.Lock()
	w.over = true
	w.mu.Unlock()
	w.cond.Broadcast()
}

// work runs tasks until the walk is over; emit's error cancels the walk.
func (w *walker) work(st *finding.Stats, cancel context.CancelCauseFunc) {
	sm := newStream(&w.s.opts.Matcher, w.s.opts.DecodeDepth, w.s.chunkSize)
	if w.probe != nil {
		sm.mention = w.probe.mention
	}
	for {
		t, ok := w.take()
		if !ok {
			return
		}
		files := t.files
		if t.dir != nil {
			files = w.readDir(t.dir, st)
		}
		if len(files) > fileBatch { // let an idle worker have the rest
			w.push(task{files: files[fileBatch:]})
			files = files[:fileBatch]
		}
		for _, j := range files {
			if w.ctx.Err() != nil {
				break
			}
			if err := w.s.scanFile(sm, j, st, w.emit); err != nil {
				cancel(err)
				break
			}
		}
		w.done()
	}
}

// scanFile scans one file; only emit's error is returned.
func (s *Scanner) scanFile(st *stream, j fileJob, stats *finding.Stats, emit func(finding.Finding) error) error {
	if j.stream {
		f, err := os.Open(j.path)
		if err != nil {
			stats.SkippedUnreadable++
			s.notScanned(stats, "%s: %v; not scanned", j.rel, unwrapPath(err))
			return nil
		}
		defer f.Close()
		return s.scanReader(st, source{path: j.rel, label: j.rel}, f, stats, emit)
	}
	f, err := openFile(j.path)
	if err != nil {
		stats.SkippedUnreadable++
		s.notScanned(stats, "%s: %v; not scanned", j.rel, unwrapPath(err))
		return nil
	}
	defer f.Close()
	if s.opts.MaxFileSize > 0 {
		if size, err := f.size(); err == nil && size > s.opts.MaxFileSize {
			stats.SkippedTooLarge++
			return nil
		}
	}
	return s.scanReader(st, source{path: j.rel, label: j.rel}, f, stats, emit)
}

// scanReader scans one file or blob, src, read from r, counting it in
// stats, and the files inside it if it is an archive and
// Options.ArchiveDepth says to look. A read error is a warning; only emit's
// error is returned.
func (s *Scanner) scanReader(st *stream, src source, r io.Reader, stats *finding.Stats, emit func(finding.Finding) error) error {
	return s.scanReaderAt(st, src, r, s.opts.ArchiveDepth, nil, stats, emit)
}

// scanReaderAt is scanReader looking depth archives deep, inside an
// archive whose budget is b (nil for a file that is in none).
func (s *Scanner) scanReaderAt(st *stream, src source, r io.Reader, depth int, b *expandBudget, stats *finding.Stats, emit func(finding.Finding) error) error {
	if depth == 0 && b != nil {
		// An archive in an archive at the depth limit is scanned as
		// bytes; its files are not, and the scan says so.
		head, kind, _, err := st.sniff(r)
		if kind != "" {
			s.notScanned(stats, "%s: a %s archive nested deeper than --archive-depth %d; its files are not scanned, only its bytes", src.label, kind, s.opts.ArchiveDepth)
		}
		r = rejoin(head, r, err)
	}
	if depth > 0 {
		var kind archiveKind
		var data []byte
		if r, kind, data = s.openArchive(st, src, r, stats); kind != "" {
			if b == nil {
				b = &expandBudget{left: s.expand}
			}
			opened, err := s.scanArchive(st, src, kind, data, depth-1, b, stats, emit)
			if opened {
				stats.FilesScanned++
				stats.BytesScanned += int64(len(data))
				return err
			}
		}
	}
	var emitErr error
	st.name = src.path
	res, err := st.scan(r, s.opts.SkipBinary, func(h hit) error {
		if fd, ok := s.keyFinding(stats, src.path, h); ok {
			emitErr = emit(fd)
		}
		return emitErr
	})
	stats.Suppressed += res.allowed
	if res.binary {
		stats.BinaryFiles++
		if s.opts.SkipBinary {
			stats.SkippedBinary++
			return nil
		}
	}
	if emitErr != nil {
		return emitErr
	}
	stats.BytesScanned += res.bytes
	if err != nil {
		stats.SkippedUnreadable++
		s.notScanned(stats, "%s: read: %v; scanned the first %d bytes only", src.label, unwrapPath(err), res.bytes)
		return nil
	}
	stats.FilesScanned++
	return nil
}

// unwrapPath drops the operation and path from an *fs.PathError, which the
// warning already names in its own form.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// dir is a directory to walk, with what applies inside it. Tasks share
// dirs read-only; slices are copied before they are extended.
type dir struct {
	path string // on disk
	rel  string // as reported; "" for a single root
	// In a git work tree: the path from the tree's top, and the ignore
	// patterns in force here, lowest priority first.
	wt       *worktree
	repoRel  []string
	patterns []gitignore.Pattern
	// ignored is set for an ignored directory that is walked because it
	// holds tracked files: in it, only tracked paths are scanned.
	ignored   bool
	ancestors []fs.FileInfo // with FollowSymlinks: the directories above, to stop loops
}

// worktreeAt sets up ignore rules for a walk starting at p: the work tree
// holding p, its local excludes, and the .gitignore files from the tree's
// top down to p's parent (p's own is read when it is walked).
func (d *dir) worktreeAt(w *walker, st *finding.Stats, p string) {
	wt, ok := findWorktree(p)
	if !ok {
		return
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return
	}
	rel, err := filepath.Rel(wt.root, abs)
	if err != nil {
		return
	}
	d.wt = wt
	d.repoRel = splitPath(filepath.ToSlash(rel))
	d.patterns = w.localPatterns(wt, st)
	for i := range d.repoRel {
		ps, err := readIgnoreFile(filepath.Join(wt.root, filepath.Join(d.repoRel[:i]...), ".gitignore"), d.repoRel[:i])
		if err != nil {
			w.s.warn(st, "%v; its ignore rules are not applied", err)
		}
		d.patterns = append(d.patterns, ps...)
	}
}

// localPatterns loads a work tree's global and info/exclude patterns,
// warning about files it cannot read.
func (w *walker) localPatterns(wt *worktree, st *finding.Stats) []gitignore.Pattern {
	ps, err := wt.localPatterns()
	if err != nil {
		w.s.warn(st, "%v; its ignore rules are not applied", err)
	}
	return ps
}

// readDir reads d, queues its subdirectories and returns its regular
// files to scan, counting and warning about everything else.
func (w *walker) readDir(d *dir, st *finding.Stats) []fileJob {
	entries, err := readDir(d.path)
	if err != nil {
		st.SkippedUnreadable++
		w.s.notScanned(st, "%s: %v; its contents are not scanned", displayDir(d.rel), unwrapPath(err))
		// ReadDir returns what it read before the error; walk that.
	}
	if !w.s.opts.NoIgnore {
		w.enterRepo(d, entries, st)
	}
	var m gitignore.Matcher
	if d.wt != nil && len(d.patterns) > 0 {
		m = gitignore.NewMatcher(d.patterns)
	}
	var files []fileJob
	for _, e := range entries {
		name := e.Name()
		if name == ".git" {
			continue
		}
		enterIgnored := false
		rel := path.Join(d.rel, name)
		typ := e.Type()
		ignored := d.ignored || m != nil && m.Match(append(d.repoRel[:len(d.repoRel):len(d.repoRel)], name), e.IsDir())
		if ignored && w.tracked(d, name, e.IsDir(), st) {
			// git ignores untracked files only: a tracked file is
			// scanned, and so is what a directory holding one tracks.
			ignored = false
			if e.IsDir() {
				enterIgnored = true
			}
		}
		if w.probe != nil {
			w.probe.entry(rel, e.IsDir(), ignored)
		}
		if ignored {
			st.Ignored++
			continue
		}
		full := filepath.Join(d.path, name)
		var fi fs.FileInfo // the link's target, when following one
		if typ&fs.ModeSymlink != 0 {
			if fi, err = os.Stat(full); err != nil {
				st.SkippedUnreadable++
				w.s.warn(st, "%s: broken symbolic link: %v", rel, unwrapPath(err))
				continue
			}
			if !w.s.opts.FollowSymlinks {
				st.Symlinks++
				continue
			}
			typ = fi.Mode().Type()
		}
		switch {
		case typ.IsDir():
			sub := &dir{path: full, rel: rel, wt: d.wt, patterns: d.patterns, ignored: enterIgnored}
			if d.wt != nil {
				sub.repoRel = append(d.repoRel[:len(d.repoRel):len(d.repoRel)], name)
			}
			if w.s.opts.FollowSymlinks {
				if fi == nil {
					if fi, err = os.Stat(full); err != nil {
						st.SkippedUnreadable++
						w.s.notScanned(st, "%s: %v; its contents are not scanned", rel, unwrapPath(err))
						continue
					}
				}
				if slices.ContainsFunc(d.ancestors, func(a fs.FileInfo) bool { return os.SameFile(a, fi) }) {
					w.s.warn(st, "%s: symbolic link loop to a directory above it; not followed", rel)
					continue
				}
				sub.ancestors = append(d.ancestors[:len(d.ancestors):len(d.ancestors)], fi)
			}
			w.push(task{dir: sub})
		case typ.IsRegular():
			if w.s.allowedPath(rel) {
				st.AllowedPaths++
				continue
			}
			files = append(files, fileJob{path: full, rel: rel})
		default:
			st.SkippedUnreadable++
			w.s.warn(st, "%s: not a regular file (%v); skipped", rel, typ)
		}
	}
	return files
}

// tracked reports whether the ignored entry name of d is tracked in d's
// work tree, or a directory holding tracked files. When the index cannot
// be read, every path may be tracked: it says so once, and nothing is
// ignored there rather than a tracked key missed.
func (w *walker) tracked(d *dir, name string, isDir bool, st *finding.Stats) bool {
	if d.wt == nil {
		return false
	}
	ts, err := d.wt.trackedFiles()
	if err != nil {
		d.wt.warnOnce.Do(func() {
			w.s.warn(st, "%v; files that .gitignore ignores are scanned too, since any of them may be tracked", err)
		})
		return true
	}
	return ts.holds(path.Join(path.Join(d.repoRel...), name), isDir)
}

// enterRepo updates the ignore rules in force in d from its entries: a
// nested repository (a submodule, or a clone inside the tree) follows its
// own rules, not its parent's; a .gitignore adds to them.
func (w *walker) enterRepo(d *dir, entries []fs.DirEntry, st *finding.Stats) {
	has := func(name string) bool {
		_, found := slices.BinarySearchFunc(entries, name, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) })
		return found
	}
	if has(".git") && (d.wt == nil || len(d.repoRel) > 0) {
		if wt, ok := openWorktree(d.path); ok {
			d.wt, d.repoRel, d.patterns, d.ignored = wt, nil, w.localPatterns(wt, st), false
		}
	}
	if d.wt != nil && has(".gitignore") {
		ps, err := readIgnoreFile(filepath.Join(d.path, ".gitignore"), d.repoRel)
		if err != nil {
			w.s.warn(st, "%s: %v; its ignore rules are not applied", path.Join(d.rel, ".gitignore"), unwrapPath(err))
		}
		d.patterns = append(d.patterns[:len(d.patterns):len(d.patterns)], ps...)
	}
}

// allowedPath reports whether an allow.paths glob matches rel, a finding
// path, taken from PathBase.
func (s *Scanner) allowedPath(rel string) bool {
	if s.opts.PathBase != "" {
		rel = path.Join(s.opts.PathBase, rel)
	}
	for _, g := range s.opts.AllowPaths {
		// The globs were validated in config.Load, so the unvalidated
		// matcher cannot meet a bad pattern.
		if doublestar.MatchUnvalidated(g, rel) {
			return true
		}
	}
	return false
}

func displayDir(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// ScanReader scans r to its end as one file called name, which findings
// and warnings carry ("-" for standard input): keys as themselves and
// encoded, and with ArchiveDepth the files of an archive. AllowPaths do
// not apply, since name is no path in a tree; the rest of Options does.
// A read error is a warning counted in Stats.NotScanned, and the keys
// before it are still emitted. It returns emit's first error, or the
// context's when it ends before r does.
func (s *Scanner) ScanReader(ctx context.Context, name string, r io.Reader, emit func(finding.Finding) error) (finding.Stats, error) {
	start := time.Now()
	var st finding.Stats
	sm := newStream(&s.opts.Matcher, s.opts.DecodeDepth, s.chunkSize)
	err := s.scanReader(sm, source{path: name, label: name}, ctxReader{ctx, r}, &st, emit)
	st.Duration = time.Since(start)
	if err == nil {
		err = ctx.Err()
	}
	return st, err
}

// ctxReader reads r until ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
