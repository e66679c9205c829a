package main

import (
	"context"
	"fmt"
	"os"

	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/scanner"
)

func runStaged(ctx context.Context, e env, args []string) int {
	var (
		o               common
		all, skipBinary bool
	)
	c := newCommand("staged", "clarolint staged [flags] [REPO]",
		`Scan what the next commit would add to the git repository holding REPO
(default "."): the staged version of each file that differs from HEAD, not the
working copy, and in it only the keys HEAD's version of the file does not
already hold. Line numbers are those of the staged content. A staged .env file
is an error that says how to unstage it. This is what the pre-commit hook runs;
it reads the index git hands the hook (GIT_INDEX_FILE), so "git commit -a" is
covered. Paths are relative to the top of the work tree, where .clarolint.yaml
is read. The pre-commit framework runs clarolint pre-commit instead, which
scans the files it passes.`,
		"clarolint staged",
		"clarolint staged --verbose       # say how many files and bytes were scanned",
		"clarolint staged --all           # every file in the index, every key",
		"clarolint staged --format json path/to/repo")
	o.register(c)
	c.boolFlag(&all, "all", "scan every file in the index, not only what differs from HEAD, and report every key and tracked .env file", "--all")
	c.boolFlag(&skipBinary, "skip-binary", "skip files with a NUL byte in their first 8 KiB (they are scanned as bytes by default)", "--skip-binary")
	repo, code, ok := c.parseRepoOrExit(e, args)
	if !ok {
		return code
	}
	wt, err := gitrepo.WorkTree(repo)
	if err != nil {
		return fail(e, "staged", err)
	}
	root := wt.Top
	s, err := o.resolve(e, place{top: root, root: root})
	if err != nil {
		return fail(e, "staged", err)
	}
	s.opts.SkipBinary = skipBinary
	so := scanner.IndexOptions{All: all, IndexFile: os.Getenv("GIT_INDEX_FILE")}
	if o.verbose {
		what := "the index compared with HEAD"
		if all {
			what = "the whole index"
		}
		fmt.Fprintf(e.stderr, "repository: %s; scanning %s\n", root, what)
	}
	_, findings, st, err := s.scan(ctx, scanner.Index(root, so))
	if err != nil {
		return fail(e, "staged", err)
	}
	return o.finishCommit(ctx, e, s, findings, st)
}
