package main

import (
	"context"
	"fmt"
	"os"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/scanner"
)

// runPreCommit is the pre-commit framework's hook (.pre-commit-hooks.yaml).
// At commit time, and under pre-commit run --all-files or --files, it
// scans the files pre-commit passes, in full: pre-commit has stashed what
// is not staged, so a file's working copy is what the commit holds. A
// passed .env file in the index is an error. At the push stage it scans
// the commits being pushed instead, as history --range does.
func runPreCommit(ctx context.Context, e env, args []string) int {
	var (
		o          common
		skipBinary bool
	)
	c := newCommand("pre-commit", "clarolint pre-commit [flags] [FILE...]",
		`The hook that the pre-commit framework runs (see .pre-commit-hooks.yaml):
at commit time it scans the files pre-commit passes, in full, so that
"pre-commit run --all-files" audits every tracked file and "--files F" exactly
F, while a commit of a clean file passes whatever other files hold; a passed
.env file that is tracked or staged is an error. At the push stage
(pre-commit sets PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF, or the older
PRE_COMMIT_ORIGIN and PRE_COMMIT_SOURCE) it scans the commits being pushed,
as clarolint history --range does, and ignores the file names. It runs
--strict: anything it could not scan fails the hook. For a plain git
pre-commit hook without the framework, use clarolint staged
(clarolint install-hook writes one).`,
		"clarolint pre-commit app/config.yaml .env",
		"pre-commit run clarolint --all-files")
	o.register(c)
	c.boolFlag(&skipBinary, "skip-binary", "skip files with a NUL byte in their first 8 KiB (they are scanned as bytes by default)", "--skip-binary")
	files, code, ok := c.parseOrExit(e, args)
	if !ok {
		return code
	}
	if !c.isSet("strict") {
		o.strict = true // a hook fails on what it could not check, unless told --strict=false
	}
	if ho, ok := pushRange(); ok {
		code := scanHistory(ctx, e, &o, ".", ho, historyExtras{skipBinary: skipBinary}, "pre-commit")
		if code == o.exitCode && code != exitClean && !o.quiet {
			fmt.Fprintln(e.stderr, pushAdvice)
		}
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "clarolint pre-commit: no files given; pre-commit passes the files to check (to scan a tree, run clarolint scan)")
		return exitClean
	}
	s, err := o.resolve(e, scanPlace(files))
	if err != nil {
		return fail(e, "pre-commit", err)
	}
	s.opts.SkipBinary = skipBinary
	_, findings, st, err := s.scan(ctx, scanner.Tree(files...))
	if err != nil {
		return fail(e, "pre-commit", err)
	}
	return o.finishCommit(ctx, e, s, findings, st)
}

// finishCommit is finish for the commands a pre-commit hook runs: when
// the findings block the commit, it says how to go on.
func (o *common) finishCommit(ctx context.Context, e env, s *setup, fs []finding.Finding, st finding.Stats) int {
	code := o.finish(ctx, e, s, fs, st)
	if code == o.exitCode && code != exitClean && !o.quiet {
		fmt.Fprintln(e.stderr, commitAdvice)
	}
	return code
}

// commitAdvice says how to go on after a blocked commit.
const commitAdvice = `clarolint: the commit is blocked. Move each key above out of the file, into the environment or a .env file that .gitignore covers, and rotate it if it was ever pushed or shared.
For a false positive: add a clarolint:allow comment on the line (or alone on the line above), allow the path or fingerprint in .clarolint.yaml, or accept it in a baseline (baseline: in .clarolint.yaml).
To commit anyway, once: SKIP=clarolint git commit`

// pushAdvice says how to go on after a blocked push.
const pushAdvice = `clarolint: the push is blocked: the commits above add Claro keys. Rotate each key first (it has left your machine if these commits were ever pushed or shared), then rewrite the commits so that they no longer hold it (git rebase -i, git commit --amend) and push again.`

// pushRange returns what to scan when pre-commit runs the hook at its push
// stage: the commits from PRE_COMMIT_FROM_REF to PRE_COMMIT_TO_REF; with
// only the names older releases set, PRE_COMMIT_ORIGIN and
// PRE_COMMIT_SOURCE, whose meaning swapped between releases, the commits
// on either side but not both, which is the same set for a fast-forward
// push and more for a forced one; for a branch new to the remote down to
// its root commit (pre-commit then names no range), the whole local
// branch. ok is false outside the push stage.
func pushRange() (scanner.HistoryOptions, bool) {
	if from, to := os.Getenv("PRE_COMMIT_FROM_REF"), os.Getenv("PRE_COMMIT_TO_REF"); from != "" && to != "" {
		return scanner.HistoryOptions{Range: from + ".." + to}, true
	}
	if a, b := os.Getenv("PRE_COMMIT_ORIGIN"), os.Getenv("PRE_COMMIT_SOURCE"); a != "" && b != "" {
		return scanner.HistoryOptions{Range: a + "..." + b}, true
	}
	if branch := os.Getenv("PRE_COMMIT_LOCAL_BRANCH"); branch != "" && os.Getenv("PRE_COMMIT_REMOTE_BRANCH") != "" {
		return scanner.HistoryOptions{Branch: branch}, true
	}
	return scanner.HistoryOptions{}, false
}
