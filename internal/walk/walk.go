package walk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/clarolint/clarolint/finding"
)

// Options say what a walk skips and follows, and where its warnings go.
type Options struct {
	// NoIgnore walks what .gitignore would skip.
	NoIgnore bool
	// FollowSymlinks follows symbolic links to files and directories;
	// directories already above are skipped, so loops end.
	FollowSymlinks bool
	// Workers is how many directories are read at once; 0 means
	// GOMAXPROCS.
	Workers int
	// Allowed reports whether a file, by its reported path, is passed over
	// unread (allow.paths); nil allows nothing.
	Allowed func(rel string) bool
	// Keep reports whether the walk is to list a file, by its reported
	// path, in Result.Kept, ignored or not (the .env checks keep env
	// files); nil keeps nothing.
	Keep func(rel string) bool
	// Warner receives the walk's warnings.
	Warner *finding.Warner
}

// A File is a file to scan.
type File struct {
	Path string // on disk
	Rel  string // as reported
	// Stream is set for a file named explicitly that is not a regular
	// file (a FIFO, /dev/stdin): Open waits for its writer.
	Stream bool

	at   *dirFD // its directory, open, when the walk keeps it so
	name string // its name there
}

// Result is what a walk saw besides the files it handed to the visitor.
type Result struct {
	finding.Stats
	// Kept lists the files that Options.Keep kept, ignored or not, and
	// Skipped the directories not entered because the ignore rules
	// ignore them (and nothing tracked is below them).
	Kept, Skipped []string
}

// Walk walks roots, each a file or a directory, and calls visit for each
// file to scan, from Options.Workers goroutines at once, each passing its
// own index (0 to Workers-1) and Stats, which Walk adds up into the
// Result. Paths are reported relative to the root when a single directory
// is given, else starting with the root as given. A root that does not
// exist is an error; anything wrong below a root is a warning. visit's
// error ends the walk, and Walk returns it, as it returns ctx's.
func Walk(ctx context.Context, roots []string, o Options, visit func(worker int, f File, st *finding.Stats) error) (Result, error) {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := &walker{o: o, ctx: ctx, visit: visit}
	w.cond = sync.NewCond(&w.mu)
	var res Result
	for _, r := range roots {
		if err := w.root(r, len(roots) > 1, &res.Stats); err != nil {
			return Result{}, err
		}
	}
	stats := make([]finding.Stats, o.Workers)
	var wg sync.WaitGroup
	for i := range o.Workers {
		wg.Go(func() { w.work(i, &stats[i], cancel) })
	}
	stop := context.AfterFunc(ctx, w.abort)
	wg.Wait()
	stop()
	for _, t := range w.tasks { // left by a walk that was cut short
		t.at.release()
	}
	for _, st := range stats {
		res.Add(st)
	}
	res.Kept, res.Skipped = w.kept, w.skipped
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, ctx.Err()
}

// root queues one root; several says whether there are several.
func (w *walker) root(r string, several bool, st *finding.Stats) error {
	fi, err := os.Stat(r)
	if err != nil {
		return fmt.Errorf("%s: %w", r, Cause(err))
	}
	rel := ""
	if several || !fi.IsDir() {
		rel = filepath.ToSlash(filepath.Clean(r))
	}
	if !fi.IsDir() {
		if w.allowed(rel) {
			st.AllowedPaths++
			return nil
		}
		// A file named explicitly is read whatever it is: a FIFO,
		// /dev/stdin or a device holds bytes someone asked about.
		w.push(task{files: []File{{Path: r, Rel: rel, Stream: !fi.Mode().IsRegular()}}})
		return nil
	}
	d := &dir{path: filepath.Clean(r), rel: rel}
	if !w.o.NoIgnore {
		d.worktreeAt(w, st, r)
	}
	if w.o.FollowSymlinks {
		d.ancestors = []fs.FileInfo{fi}
	}
	w.push(task{dir: d})
	return nil
}

// task is a directory to read, or a batch of files to scan. at, when
// not nil, is held by the task: the open directory the files are in, or
// the one the directory to read is in.
type task struct {
	dir   *dir
	files []File
	at    *dirFD
}

// fileBatch is how many files of one directory a worker scans before it
// offers the rest to idle workers.
const fileBatch = 32

// walker is the shared state of one Walk: a stack of tasks that workers
// take from and add to, and a count of tasks in progress, so that the
// workers know when the walk is over.
type walker struct {
	o     Options
	ctx   context.Context
	visit func(worker int, f File, st *finding.Stats) error

	mu      sync.Mutex
	cond    *sync.Cond
	tasks   []task
	running int  // tasks taken and not finished
	over    bool // no task left and none running, or aborted
	kept    []string
	skipped []string
	// untracked lists the git directories whose index could not be read,
	// warned about once each.
	untracked []string
	openDirs  atomic.Int32 // dirFDs not yet closed
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

// note records a kept file or a skipped directory.
func (w *walker) note(list *[]string, rel string) {
	w.mu.Lock()
	*list = append(*list, rel)
	w.mu.Unlock()
}

// work runs tasks until the walk is over; visit's error cancels the walk.
func (w *walker) work(worker int, st *finding.Stats, cancel context.CancelCauseFunc) {
	for {
		t, ok := w.take()
		if !ok {
			return
		}
		files, at := t.files, t.at
		if t.dir != nil {
			files, at = w.readDir(t.dir, t.at, st)
		}
		if len(files) > fileBatch { // let an idle worker have the rest
			w.push(task{files: files[fileBatch:], at: at.hold()})
			files = files[:fileBatch]
		}
		for _, f := range files {
			if w.ctx.Err() != nil {
				break
			}
			if err := w.visit(worker, f, st); err != nil {
				cancel(err)
				break
			}
		}
		at.release()
		w.done()
	}
}

func (w *walker) allowed(rel string) bool { return w.o.Allowed != nil && w.o.Allowed(rel) }

// Cause drops the operation and path from an *fs.PathError, which a
// warning names in its own form, and returns any other error as it is.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Reader reads a file that File.Open opened.
type Reader interface {
	io.ReadCloser
	// Size returns the file's size in bytes.
	Size() (int64, error)
}

// Open opens the file for reading: a regular file with plain system
// calls, which cost a scan of many small files far less than os.Open, and
// with O_NONBLOCK, so that a FIFO that replaced the file after its
// directory was read cannot block the walk; a file named explicitly that
// is not regular (Stream) with os.Open, which waits for its writer.
func (f File) Open() (Reader, error) {
	if f.Stream {
		file, err := os.Open(f.Path)
		if err != nil {
			return nil, err
		}
		return osFile{file}, nil
	}
	if f.at != nil {
		return openFileAt(f.at, f.name, f.Path)
	}
	return openFile(f.Path)
}

// osFile is an *os.File as a Reader.
type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
