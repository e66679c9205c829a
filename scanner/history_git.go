package scanner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// gitCommand returns a git command run on the repository, with settings
// that could change its output pinned and the caller's GIT_* variables
// (a hook's GIT_DIR or GIT_INDEX_FILE, say) left out. The repository's
// own settings must never change what is scanned: diff.relative (with
// core.worktree putting the git directory inside the work tree) limited
// git log to paths under .git/, so that nothing was scanned; grafts,
// replace refs and a commit-graph file can hide commits or rewrite
// parents. Those are pinned off here; go-git applies none of them.
func (h *history) gitCommand(ctx context.Context, args ...string) *exec.Cmd {
	pinned := []string{
		"--git-dir=" + h.repo.GitDir,
		"-c", "core.quotePath=false",
		"-c", "log.showSignature=false",
		"-c", "diff.relative=false",
		"-c", "core.useReplaceRefs=false",
		"-c", "core.commitGraph=false",
	}
	cmd := exec.CommandContext(ctx, h.git, append(pinned, args...)...)
	cmd.Dir = h.repo.GitDir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "GIT_EXEC_PATH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// go-git does not apply replace refs either; a partial clone's missing
	// blobs are not fetched (git 2.45 and later honour GIT_NO_LAZY_FETCH),
	// and nothing prompts for credentials.
	cmd.Env = append(cmd.Env, "GIT_NO_REPLACE_OBJECTS=1", "GIT_GRAFT_FILE="+os.DevNull, "GIT_NO_LAZY_FETCH=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	return cmd
}

// histStderr keeps the start of a command's standard error, for the
// warning when it fails.
type histStderr struct{ b []byte }

func (w *histStderr) Write(p []byte) (int, error) {
	w.b = append(w.b, p[:min(len(p), max(0, 4096-len(w.b)))]...)
	return len(p), nil
}

// listGit lists the selected commits' changes with one `git log --raw -c`:
// for each commit, the paths whose blob differs from every parent's (a
// combined diff for merges, against the empty tree for root commits),
// with the parents' blobs. That is what listGoGit computes, in C.
func (h *history) listGit(ctx context.Context, sel gitrepo.Selection) error {
	if len(sel.Tips) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := h.gitCommand(ctx, "log", "--stdin", "--raw", "-c", "-z", "--no-abbrev", "--no-renames", "--no-relative",
		"--root", "--no-color", "--no-ext-diff", "--ignore-submodules=none", "--format=%x01%H")
	var revs strings.Builder
	for _, t := range sel.Tips {
		fmt.Fprintf(&revs, "%s\n", t)
	}
	for _, x := range sel.Exclude {
		fmt.Fprintf(&revs, "^%s\n", x)
	}
	cmd.Stdin = strings.NewReader(revs.String())
	var stderr histStderr
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	err = h.parseLog(ctx, bufio.NewReaderSize(out, 1<<16))
	if err != nil {
		cancel() // the output is not read any more: stop git
	}
	if werr := cmd.Wait(); err == nil && werr != nil {
		err = errors.New(histFirstLine(stderr.b, werr))
	}
	return err
}

// parseLog reads the output of listGit's git log: NUL-separated fields,
// where "\x01" and a hash start a commit, and a raw diff entry
// ":modes hashes status" (one colon per parent) is followed by its path.
func (h *history) parseLog(ctx context.Context, r *bufio.Reader) error {
	commit := int32(-1)
	var entry []byte
	for {
		tok, err := r.ReadBytes(0)
		if err == io.EOF && len(tok) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		tok = bytes.TrimSuffix(tok, []byte{0})
		if entry != nil { // tok is the entry's path
			if err := h.parseEntry(ctx, commit, entry, string(tok)); err != nil {
				return err
			}
			entry = nil
			continue
		}
		tok = bytes.TrimLeft(tok, "\n")
		switch {
		case len(tok) == 0:
		case tok[0] == 1 && plumbing.IsHash(string(tok[1:])):
			commit = h.addCommit(plumbing.NewHash(string(tok[1:])))
		case tok[0] == ':' && commit >= 0:
			entry = tok
		default:
			return fmt.Errorf("unexpected output %q", tok[:min(len(tok), 60)])
		}
	}
}

// parseEntry records one raw diff entry of commit: for n parents, n
// colons, n+1 modes, n+1 hashes and a status, the commit's own last.
func (h *history) parseEntry(ctx context.Context, commit int32, entry []byte, path string) error {
	n := len(entry) - len(bytes.TrimLeft(entry, ":"))
	fields := strings.Fields(string(entry[n:]))
	if len(fields) != 2*(n+1)+1 {
		return fmt.Errorf("unexpected diff entry %q", entry)
	}
	modes, hashes := fields[:n+1], fields[n+1:2*(n+1)]
	mode, err := histParseMode(modes[n])
	if err != nil {
		return err
	}
	switch {
	case mode == filemode.Submodule:
		h.addGitlink(path)
		return nil
	case !gitrepo.IsBlob(mode): // deleted
		return nil
	}
	parents := make([]plumbing.Hash, n)
	for i := range n {
		m, err := histParseMode(modes[i])
		if err != nil {
			return err
		}
		if gitrepo.IsBlob(m) {
			parents[i] = plumbing.NewHash(hashes[i])
		}
	}
	return h.addChange(ctx, commit, path, plumbing.NewHash(hashes[n]), parents)
}

func histParseMode(s string) (filemode.FileMode, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("unexpected file mode %q", s)
	}
	return filemode.FileMode(m), nil
}

// catFileInflight is how many blob ids a worker has sent to its cat-file
// process ahead of the one it is reading: enough to keep git busy.
const catFileInflight = 64

// readBlobsGit reads the blobs of jobs with `git cat-file --batch`. A
// missing object is passed to fn as an error. If git exits while reading
// a blob (a corrupt object can make it), that blob is passed to fn with
// the error and a new process reads the rest.
func (h *history) readBlobsGit(ctx context.Context, jobs <-chan histJob, fn histBlobFunc) error {
	var resend []histJob
	for {
		rest, err := h.catFile(ctx, resend, jobs, fn)
		if err != nil || rest == nil {
			return err
		}
		resend = rest
	}
}

// catFile runs one cat-file process over resend and then jobs. When the
// process dies it returns the jobs sent and not read (non-nil, maybe
// empty); otherwise nil, or fn's error.
func (h *history) catFile(parent context.Context, resend []histJob, jobs <-chan histJob, fn histBlobFunc) ([]histJob, error) {
	ctx, cancel := context.WithCancel(parent)
	// Each process keeps its own cache of delta bases (git's
	// core.deltaBaseCacheLimit, 96 MiB by default). With many workers,
	// 512 MiB is shared out among them instead, so that many cores do not
	// mean many gigabytes.
	args := []string{"cat-file", "--batch"}
	if share := 512 << 20 / len(h.workers); share < 96<<20 {
		args = append([]string{"-c", fmt.Sprintf("core.deltaBaseCacheLimit=%d", share)}, args...)
	}
	cmd := h.gitCommand(ctx, args...)
	var stderr histStderr
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	stop, written := make(chan struct{}), make(chan struct{})
	halt := sync.OnceFunc(func() {
		close(stop)
		cancel() // git may be blocked writing output no one reads
	})
	waited := false
	defer func() {
		halt()
		if !waited {
			cmd.Wait()
		}
	}()

	// The writer sends ids and hands each job to the reader through
	// inflight; a job it holds when stopped goes to held. It writes ids
	// in batches, flushing only before it would wait, to spare git and
	// itself a system call per blob.
	inflight := make(chan histJob, catFileInflight)
	var held []histJob
	go func() {
		defer close(written)
		defer close(inflight)
		defer stdin.Close()
		w := bufio.NewWriter(stdin)
		send := func(j histJob) bool {
			select {
			case inflight <- j:
			default:
				w.Flush()
				select {
				case inflight <- j:
				case <-stop:
					held = append(held, j)
					return false
				}
			}
			w.WriteString(j.id.String())
			return w.WriteByte('\n') == nil
		}
		for _, j := range resend {
			if !send(j) {
				return
			}
		}
		for {
			var j histJob
			ok := true
			select {
			case j, ok = <-jobs:
			case <-stop:
				return
			default:
				if w.Flush() != nil {
					return
				}
				select {
				case j, ok = <-jobs:
				case <-stop:
					return
				}
			}
			if !ok {
				w.Flush()
				return
			}
			if !send(j) {
				return
			}
		}
	}()
	// died returns the jobs not read once git has failed on j, after
	// passing j to fn with the error unless fn has read part of it.
	died := func(j histJob, err error, partly bool) ([]histJob, error) {
		if err := parent.Err(); err != nil {
			return nil, err
		}
		halt()
		rest := []histJob{}
		for j := range inflight {
			rest = append(rest, j)
		}
		<-written
		rest = append(rest, held...)
		waited = true
		cmd.Wait() // so that all of stderr has been read
		if !partly {
			if err := fn(j, 0, nil, fmt.Errorf("git cat-file: %s", histFirstLine(stderr.b, err))); err != nil {
				return nil, err
			}
		}
		return rest, nil
	}

	if f, ok := stdout.(*os.File); ok {
		histGrowPipe(f)
	}
	br := bufio.NewReaderSize(stdout, 1<<20)
	for j := range inflight {
		typ, size, err := readCatFileHeader(br, j.id)
		if err != nil && !errors.Is(err, errCatFileMissing) {
			return died(j, err, false)
		}
		body := &catFileBody{r: br, n: size}
		switch {
		case err != nil:
			err = fn(j, 0, nil, err)
		case typ != "blob":
			err = fn(j, 0, nil, fmt.Errorf("a %s, not a blob", typ))
		default:
			err = fn(j, size, body, nil)
		}
		if err != nil {
			return nil, err
		}
		if typ != "" {
			if _, err := io.Copy(io.Discard, body); err != nil {
				return died(j, err, true)
			}
			if b, err := br.ReadByte(); err != nil || b != '\n' {
				return died(j, errors.New("no newline after the object"), true)
			}
		}
	}
	return nil, nil
}

var errCatFileMissing = errors.New("object missing")

// readCatFileHeader reads "<id> <type> <size>\n" or "<id> missing\n".
func readCatFileHeader(r *bufio.Reader, id plumbing.Hash) (typ string, size int64, err error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", 0, err
	}
	fields := strings.Fields(line)
	switch {
	case len(fields) == 2 && fields[1] == "missing" && fields[0] == id.String():
		return "", 0, errCatFileMissing
	case len(fields) != 3 || fields[0] != id.String():
		return "", 0, fmt.Errorf("unexpected header %q", line)
	}
	size, err = strconv.ParseInt(fields[2], 10, 64)
	return fields[1], size, err
}

// catFileBody reads the n bytes of one object; an early end of the
// output (git died) is io.ErrUnexpectedEOF, so that the scan reports the
// blob as read only in part.
type catFileBody struct {
	r *bufio.Reader
	n int64
}

func (b *catFileBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	n, err := b.r.Read(p[:min(int64(len(p)), b.n)])
	b.n -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
