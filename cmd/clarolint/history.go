package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/scanner"
)

func runHistory(ctx context.Context, e env, args []string) int {
	var (
		o                             common
		rng, since, branch, configRev string
		skipBinary, progress          bool
	)
	c := newCommand("history", "clarolint history [flags] [REPO]",
		`Scan the history of the git repository holding REPO (default "."), bare or
not: every commit reachable from every ref (branches, tags, remote branches,
stashes, HEAD), reading each unique blob once. Each finding names the commit
that introduced the key at that path, its author and date, and whether the
key is still in HEAD. A key that lives only in history is still leaked:
removing it from HEAD does not un-leak it; rotate it. clarolint reads the
object store itself, on every core; it never runs git. Settings come from .clarolint.yaml at the top of the work tree (in a
bare repository, its own directory).`,
		"clarolint history",
		"clarolint history --range origin/main..HEAD --format github   # what a pull request adds",
		"clarolint history --format sarif --output history.sarif /srv/git/app.git",
		"clarolint history --branch main --since v2.0.0")
	o.register(c)
	c.stringFlag(&rng, "range", "A..B", "", "scan only the commits reachable from B and not from A, as git log A..B: keys those commits introduced, not keys already in A (A...B: reachable from either, not both)", "--range origin/main..HEAD")
	c.stringFlag(&since, "since", "REF", "", "leave out the commits reachable from REF, as git log --all ^REF", "--since v2.0.0")
	c.stringFlag(&branch, "branch", "NAME", "", "scan the commits reachable from NAME (a branch, tag or commit) instead of every ref", "--branch main")
	c.stringFlag(&configRev, "config-rev", "REV", "", "read .clarolint.yaml, and the baseline it names, from the commit REV instead of the work tree: for a pull request, its base, so that the change under review cannot allow its own key; a change that widens those settings (new allowed paths or fingerprints, disabled rules, a higher entropy threshold, new baseline entries) is reported as a config-widened warning", "--range \"$BASE..$HEAD\" --config-rev \"$BASE\"")
	c.boolFlag(&skipBinary, "skip-binary", "skip blobs with a NUL byte in their first 8 KiB (they are scanned as bytes by default)", "--skip-binary")
	c.boolFlag(&progress, "progress", "show progress on standard error when it is not a terminal too (a CI log): one line at most every 10 s; on by default on a terminal and when CI is set", "--progress")
	path, code, ok := c.parseRepoOrExit(e, args)
	if !ok {
		return code
	}
	ho := scanner.HistoryOptions{Range: rng, Since: since, Branch: branch}
	return scanHistory(ctx, e, &o, path, ho, historyExtras{skipBinary: skipBinary, progress: progress, configRev: configRev}, "history")
}

// historyExtras are the history flags beyond the common ones and the
// commits to scan.
type historyExtras struct {
	skipBinary, progress bool
	configRev            string // --config-rev
}

// scanHistory runs a history scan of the repository holding path with
// the resolved options, for the history command and the pre-commit
// hook's push stage (cmd names the command in errors).
func scanHistory(ctx context.Context, e env, o *common, path string, ho scanner.HistoryOptions, x historyExtras, cmd string) int {
	repo, err := scanner.OpenRepository(path)
	if err != nil {
		return fail(e, cmd, err)
	}
	s, err := o.resolve(e, place{top: repo.Root(), root: repo.Root(), repo: repo, rev: x.configRev})
	if err != nil {
		return fail(e, cmd, err)
	}
	s.opts.SkipBinary = x.skipBinary

	p := newProgressLine(e.stderr, !o.quiet && (x.progress || isTerminal(e.stderr) || os.Getenv("CI") != ""), isTerminal(e.stderr))
	if p.on {
		s.opts.Warnings = p // so that a warning does not land inside the progress line
	}
	ho.Progress = p.update
	_, findings, st, err := s.scan(ctx, scanner.History(repo, ho))
	p.clear()
	if err != nil {
		return fail(e, cmd, err)
	}
	if o.verbose {
		fmt.Fprintf(e.stderr, "history: %s, %s\n", plural64(p.last.Commits, "commit"), plural64(p.last.Blobs, "unique blob"))
	}
	if x.configRev != "" && !slices.Contains(s.opts.Disable, rules.ConfigWidened) {
		head := "HEAD"
		switch {
		case ho.Range != "":
			head = rangeTip(ho.Range)
		case ho.Branch != "":
			head = ho.Branch
		}
		f, ok, err := widening(repo, s, x.configRev, head)
		if err != nil {
			return fail(e, cmd, fmt.Errorf("compare the settings of %s with %s: %w", head, x.configRev, err))
		}
		if ok {
			findings = append(findings, f)
		}
	}
	return o.finish(ctx, e, s, findings, st)
}

// progressLine shows a history scan's progress on standard error. On a
// terminal it is one line, rewritten in place at most every 100 ms and
// cleared at the end. Elsewhere (a CI log), with --progress or when CI is
// set, it is a plain line at most every 10 s, so that a long run shows it
// is alive without flooding the log. Warnings written through it clear a
// terminal's line first.
type progressLine struct {
	w     io.Writer
	on    bool // progress is shown
	tty   bool // in place, on a terminal
	every time.Duration
	start time.Time

	mu     sync.Mutex
	last   scanner.HistoryProgress // the latest counts, shown or not
	shown  time.Time               // when the line was last drawn
	onShow bool                    // the terminal's line is on the screen
}

// Progress is redrawn at most this often on a terminal, and printed at
// most this often elsewhere.
const (
	progressEvery      = 100 * time.Millisecond
	progressEveryPlain = 10 * time.Second
)

func newProgressLine(w io.Writer, on, tty bool) *progressLine {
	p := &progressLine{w: w, on: on, tty: tty, every: progressEvery, start: time.Now()}
	if !tty {
		p.every = progressEveryPlain
		p.shown = p.start // the first plain line comes after 10 s
	}
	return p
}

func (p *progressLine) update(hp scanner.HistoryProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = hp
	if !p.on || time.Since(p.shown) < p.every {
		return
	}
	p.shown = time.Now()
	elapsed := time.Since(p.start)
	mb := float64(hp.Bytes) / 1e6
	line := fmt.Sprintf("clarolint history: %s, %s scanned, %.0f MB, %.0f MB/s, %s elapsed",
		plural64(hp.Commits, "commit"), plural64(hp.Blobs, "object"), mb, mb/max(elapsed.Seconds(), 1e-3), report.Duration(elapsed))
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K"+line)
		p.onShow = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// Write writes a warning on a line of its own.
func (p *progressLine) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	return p.w.Write(b)
}

// clear removes the progress line once the scan is over.
func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
}

func (p *progressLine) erase() {
	if p.onShow {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.onShow = false
	}
}
