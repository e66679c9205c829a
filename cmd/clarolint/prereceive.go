package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/clarolint/clarolint/config"
	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/escape"
	"github.com/clarolint/clarolint/internal/push"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/scanner"
)

// preReceive holds the pre-receive flags beyond the common ones.
type preReceive struct {
	o                                       common
	timeout                                 time.Duration
	failOpen, allowSkip, gitlab, skipBinary bool
}

// skipOption is the push option that asks the hook to let a push through
// unchecked: git push -o clarolint.skip=REASON.
const skipOption = "clarolint.skip"

func runPreReceive(ctx context.Context, e env, args []string) int {
	var p preReceive
	c := newCommand("pre-receive", "clarolint pre-receive [flags]",
		`A server's pre-receive hook (hooks/pre-receive, or a script in Gitea's or
GitLab's pre-receive.d): it reads git's "old new ref" lines on standard input
and rejects the push (exit 1) when a commit it adds, that no existing ref
reaches, introduces a Claro key or starts tracking a secret .env file, even
when a later commit of the push removes it again. Keys the repository already
had are not news. The pushed objects are read from git's quarantine, only
those the repository lacks; settings come from .clarolint.yaml as of each
pushed commit, unless --config names a file on the server. Everything goes to
standard error, which git shows the pusher as "remote:" lines; the last line
says what was checked and how long it took. It runs --strict.`,
		`printf '%s %s refs/heads/main\n' "$OLD" "$NEW" | clarolint pre-receive   # what git does`,
		"exec clarolint pre-receive --timeout 30s --allow-skip   # in hooks/pre-receive")
	p.o.register(c)
	c.durationFlag(&p.timeout, "timeout", "DURATION", time.Minute, "the most the check may take; past it the push is rejected (fail closed), or accepted with a warning under --fail-open", "--timeout 2m")
	c.boolFlag(&p.failOpen, "fail-open", "accept a push the check could not finish within --timeout, with a loud warning, instead of rejecting it", "--fail-open")
	c.boolFlag(&p.allowSkip, "allow-skip", "let a pusher skip the check with a push option and a reason, git push -o "+skipOption+"=REASON (the repository needs receive.advertisePushOptions=true); the skip is logged with the reason. Off by default: the option is refused and the push checked", "--allow-skip")
	c.boolFlag(&p.gitlab, "gitlab", "prefix each line of a rejection with GL-HOOK-ERR: so that GitLab shows it in its web UI; on by default when GL_ID and GL_PROTOCOL are set, as GitLab sets them for its server hooks", "--gitlab")
	c.boolFlag(&p.skipBinary, "skip-binary", "skip blobs with a NUL byte in their first 8 KiB (they are scanned as bytes by default)", "--skip-binary")
	pos, code, ok := c.parseOrExit(e, args)
	if !ok {
		return code
	}
	if !c.isSet("strict") {
		p.o.strict = true // a hook fails on what it could not check, unless told --strict=false
	}
	if !c.isSet("gitlab") {
		p.gitlab = os.Getenv("GL_ID") != "" && os.Getenv("GL_PROTOCOL") != ""
	}
	out := e.stderr
	var buf bytes.Buffer
	if p.gitlab {
		out = &buf // prefixed or not once the outcome is known
	}
	hook := env{stdin: e.stdin, stdout: out, stderr: out}
	if len(pos) > 0 {
		code = fail(hook, "pre-receive", errors.New("it takes no arguments: git gives it the pushed refs on standard input, and runs it in the repository"))
	} else {
		code = p.run(ctx, hook)
	}
	if p.gitlab {
		writeGitLab(e.stderr, buf.Bytes(), code != exitClean)
	}
	return code
}

// writeGitLab writes the hook's output, each line prefixed with
// GL-HOOK-ERR: when the push is rejected: GitLab shows those lines in its
// web UI, and no others.
func writeGitLab(w io.Writer, b []byte, rejected bool) {
	if !rejected {
		w.Write(b)
		return
	}
	for line := range strings.Lines(string(b)) {
		fmt.Fprintf(w, "GL-HOOK-ERR: %s", line)
	}
}

// run checks the push whose ref updates are on e.stdin.
func (p *preReceive) run(ctx context.Context, e env) int {
	updates, err := push.ParseUpdates(e.stdin)
	if err != nil {
		return fail(e, "pre-receive", err)
	}
	git, err := push.ReadEnv(os.Getenv)
	if err != nil {
		return fail(e, "pre-receive", err)
	}
	if p.skip(e, git.Options, updates) {
		return exitClean
	}
	var refs []scanner.PushedRef
	for _, u := range updates {
		if !u.IsDelete() {
			refs = append(refs, scanner.PushedRef{Name: u.Ref, New: u.New.String()})
		}
	}
	if len(refs) == 0 {
		fmt.Fprintf(e.stderr, "clarolint pre-receive: nothing to check: %s deleted, no new commits\n", plural(len(updates), "ref"))
		return exitClean
	}
	gitDir := os.Getenv("GIT_DIR")
	if gitDir == "" {
		gitDir = "."
	}
	repo, err := scanner.OpenPushRepository(gitDir, os.Getenv)
	if err != nil {
		return fail(e, "pre-receive", err)
	}
	defer repo.Close()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var counted pushCounts
	s, fs, st, err := p.scan(ctx, e, repo, refs, &counted)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return p.timedOut(e, &counted)
	case err != nil:
		return fail(e, "pre-receive", err)
	}
	code := p.o.finish(ctx, e, s, fs, st)
	if code != exitClean && code == p.o.exitCode {
		fmt.Fprintln(e.stderr, p.advice())
	}
	fmt.Fprintf(e.stderr, "clarolint pre-receive: %s\n", counted.line(time.Since(p.o.start)))
	return code
}

// skip reports whether the pusher asked to skip the check with the push
// option and may: --allow-skip and a reason. Either way a request is
// logged, with the reason, the refs and, where the server names one, the
// pusher; a refused one says why, and the push is checked.
func (p *preReceive) skip(e env, options []string, updates []push.Update) bool {
	reason, asked := "", false
	for _, opt := range options {
		if name, value, _ := strings.Cut(opt, "="); name == skipOption {
			reason, asked = strings.TrimSpace(value), true
		}
	}
	switch {
	case !asked:
		return false
	case !p.allowSkip:
		fmt.Fprintf(e.stderr, "clarolint pre-receive: push option %s refused: this server does not allow skipping the check (its hook runs without --allow-skip); checking the push\n", skipOption)
		return false
	case reason == "":
		fmt.Fprintf(e.stderr, "clarolint pre-receive: push option %s refused: it needs a reason, as in git push -o %s=\"hotfix for incident 42\"; checking the push\n", skipOption, skipOption)
		return false
	}
	who := ""
	for _, v := range []string{"GL_USERNAME", "GITEA_PUSHER_NAME", "REMOTE_USER"} {
		if u := os.Getenv(v); u != "" {
			who = " by " + escape.Text(u)
			break
		}
	}
	fmt.Fprintf(e.stderr, "clarolint pre-receive: CHECK SKIPPED%s with push option %s, allowed by --allow-skip; reason: %s\n", who, skipOption, escape.Text(reason))
	for i, u := range updates {
		if i == 20 {
			fmt.Fprintf(e.stderr, "  and %d more refs\n", len(updates)-i)
			break
		}
		fmt.Fprintf(e.stderr, "  not checked: %s %s..%s\n", escape.Text(u.Ref), u.Old, u.New)
	}
	return true
}

// pushCounts adds up what the scans of a push have read so far.
type pushCounts struct {
	mu          sync.Mutex
	done, going scanner.HistoryProgress // finished scans, and the one under way
}

func (c *pushCounts) update(hp scanner.HistoryProgress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.going = hp
}

// next adds the scan under way to the finished ones.
func (c *pushCounts) next() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done.Commits += c.going.Commits
	c.done.Blobs += c.going.Blobs
	c.going = scanner.HistoryProgress{}
}

// line says what was checked, for the hook's last line.
func (c *pushCounts) line(d time.Duration) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("checked %s and %s in %s", plural64(c.done.Commits+c.going.Commits, "new commit"), plural64(c.done.Blobs+c.going.Blobs, "blob"), report.Duration(d))
}

// timedOut ends a check that --timeout cut short: the push is rejected,
// or with --fail-open accepted with a warning.
func (p *preReceive) timedOut(e env, c *pushCounts) int {
	so := c.line(time.Since(p.o.start))
	if p.failOpen {
		fmt.Fprintf(e.stderr, "clarolint pre-receive: WARNING: the check did not finish within %v (--timeout), and this push is ACCEPTED UNCHECKED because the hook runs with --fail-open; it may hold Claro keys: scan the repository with clarolint history\nclarolint pre-receive: %s before it stopped\n", p.timeout, so)
		return exitClean
	}
	fmt.Fprintf(e.stderr, "clarolint pre-receive: the check did not finish within %v (--timeout), so the push is rejected: push fewer commits at a time, or ask the server's administrators to raise --timeout\nclarolint pre-receive: %s before it stopped\n", p.timeout, so)
	return exitFindings
}

// advice says how to go on after a rejected push.
func (p *preReceive) advice() string {
	a := `clarolint: the push is rejected: the commits above add Claro keys or secret .env files. Rotate each key now: it has left the machine that pushed it. Then rewrite the commits so that none of them holds it (git rebase -i, or git commit --amend for the last one) and push again; deleting it in a new commit is not enough, since the commits before still carry it.
For a false positive: add a clarolint:allow comment on the line (or alone on the line above)`
	if p.o.config == "" {
		a += ", or allow the path or fingerprint in .clarolint.yaml (or a baseline it names) in the commits you push"
	} else {
		a += "; this server reads its settings from its own file, so ask its administrators to allow the path or fingerprint"
	}
	if p.allowSkip {
		a += "\nIn an emergency, this server lets you skip the check, logged with your reason: git push -o " + skipOption + "=REASON"
	}
	return a
}

// pushGroup is pushed refs that share their settings.
type pushGroup struct {
	rev  string // the pushed commit whose .clarolint.yaml applies; "" under --config
	refs []scanner.PushedRef
}

// scan scans the push once for each set of settings its refs bring (one,
// unless refs pushed together disagree), each with its own settings and
// baseline: a finding fails the push unless the settings of every ref
// that brings it let it through. The setup returned is for the report;
// its baseline has been applied.
func (p *preReceive) scan(ctx context.Context, e env, repo *scanner.Repository, refs []scanner.PushedRef, counts *pushCounts) (*setup, []finding.Finding, finding.Stats, error) {
	var total finding.Stats
	groups, err := settingsGroups(repo, refs, p.o.config != "")
	if err != nil {
		return nil, nil, total, err
	}
	var s *setup
	var all []finding.Finding
	type findingID struct {
		rule                      rules.RuleID
		path, commit, fingerprint string
		line, column              int
	}
	seen := make(map[findingID]bool)
	for _, g := range groups {
		where := place{top: repo.Root(), root: repo.Root()}
		if g.rev != "" {
			where.repo, where.rev = repo, g.rev
		}
		if s, err = p.o.resolve(e, where); err != nil {
			return nil, nil, total, err
		}
		s.opts.SkipBinary = p.skipBinary
		_, fs, st, err := s.scan(ctx, scanner.Push(repo, scanner.PushOptions{Refs: g.refs, Progress: counts.update}))
		counts.next()
		total.Add(st)
		if err != nil {
			return s, nil, total, err
		}
		for _, f := range fs {
			id := findingID{f.RuleID, f.Path, f.Commit, f.Fingerprint, f.Line, f.Column}
			switch {
			case s.inBaseline(f):
				total.Suppressed++
			case !seen[id]:
				seen[id] = true
				all = append(all, f)
			}
		}
	}
	s.baseline = nil // applied above, each group's own
	return s, all, total, nil
}

// settingsGroups groups refs by the settings of the commit each is to
// name: its .clarolint.yaml and the baseline that names. With fixed
// (--config) they all share the server's.
func settingsGroups(repo *scanner.Repository, refs []scanner.PushedRef, fixed bool) ([]pushGroup, error) {
	if fixed {
		return []pushGroup{{refs: refs}}, nil
	}
	var groups []pushGroup
	index := make(map[[sha256.Size]byte]int)
	for _, r := range refs {
		key, err := settingsKey(repo, r.New)
		if err != nil {
			return nil, err
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, pushGroup{rev: r.New})
		}
		groups[i].refs = append(groups[i].refs, r)
	}
	return groups, nil
}

// settingsKey identifies the settings at rev by the bytes of its
// .clarolint.yaml and of the baseline that names.
func settingsKey(repo *scanner.Repository, rev string) ([sha256.Size]byte, error) {
	h := sha256.New()
	b, ok, err := repo.ReadFile(rev, configFile)
	if err != nil || !ok {
		return [sha256.Size]byte{}, err
	}
	h.Write(b)
	cfg, err := config.Parse(rev+":"+configFile, b)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	if cfg.Baseline != "" {
		base, _, err := repo.ReadFile(rev, path.Clean(cfg.Baseline))
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		h.Write([]byte{0})
		h.Write(base)
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}
