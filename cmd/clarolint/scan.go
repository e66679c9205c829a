package main

import (
	"context"
	"errors"
	"os"
	"slices"

	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/scanner"
)

func runScan(ctx context.Context, e env, args []string) int {
	var (
		o                                   common
		noIgnore, skipBinary, followSymlink bool
	)
	c := newCommand("scan", "clarolint scan [flags] [PATH...]",
		`Scan files for Claro API keys. PATH is a directory or a file (default "."), or
"-" for standard input (reported as "-"); a FIFO or device named explicitly,
such as /dev/stdin, is read to its end. Keys written in base64,
percent-encoding or JSON \u escapes, and keys in UTF-16 files, are found too
(see --decode-depth). Binary files are scanned as bytes; so are archives,
unless --archive-depth opens them to scan the files inside.

Inside a git work tree, untracked files that .gitignore, .git/info/exclude or
the global excludes file ignore are skipped (and counted); tracked files are
always scanned, since git ignores only untracked files. Outside a work tree
every regular file is scanned. Settings come from .clarolint.yaml at the top
of the work tree, wherever in it clarolint runs.

When PATH is one directory in a git work tree, the .env files under it are
also checked: a tracked .env file, and one that the committed .gitignore files
do not ignore, are errors (.git/info/exclude and global excludes protect only
this clone). At the top of the work tree, a committed .gitignore that does not
ignore .env, .env.local and .env.production is a warning when the project
uses env files or mentions BAYT_API_KEY or CLARO_API_KEY.`,
		"clarolint scan",
		"clarolint scan --format sarif --output clarolint.sarif .",
		"kubectl get secret app -o yaml | clarolint scan -",
		"clarolint scan --no-ignore --skip-binary build/ dist/",
		"clarolint scan --format json --output .clarolint-baseline.json --exit-code 0   # accept today's findings",
		"clarolint scan --baseline .clarolint-baseline.json   # report only new ones (or baseline: in .clarolint.yaml)")
	o.register(c)
	c.boolFlag(&noIgnore, "no-ignore", "also scan files that .gitignore ignores", "--no-ignore")
	c.boolFlag(&skipBinary, "skip-binary", "skip files with a NUL byte in their first 8 KiB (they are scanned as bytes by default)", "--skip-binary")
	c.boolFlag(&followSymlink, "follow-symlinks", "follow symbolic links (loops are detected and skipped)", "--follow-symlinks")
	roots, code, ok := c.parseOrExit(e, args)
	if !ok {
		return code
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	stdin := slices.Index(roots, "-")
	if stdin >= 0 {
		if slices.Index(roots[stdin+1:], "-") >= 0 {
			return fail(e, "scan", errors.New(`"-" (standard input) can be given once`))
		}
		roots = slices.Delete(roots, stdin, stdin+1)
	}
	s, err := o.resolve(e, scanPlace(roots))
	if err != nil {
		return fail(e, "scan", err)
	}
	s.opts.NoIgnore, s.opts.SkipBinary, s.opts.FollowSymlinks = noIgnore, skipBinary, followSymlink

	var sources []scanner.Source
	if stdin >= 0 {
		sources = append(sources, scanner.Reader("-", e.stdin))
	}
	if len(roots) > 0 {
		sources = append(sources, scanner.Tree(roots...))
	}
	sc, findings, st, err := s.scan(ctx, sources...)
	if err != nil {
		return fail(e, "scan", err)
	}
	// One key in several environments is a finding about the whole scan.
	findings = append(findings, sc.Reused(findings)...)
	return o.finish(ctx, e, s, findings, st)
}

// scanPlace returns where a scan of roots is, for its config: finding
// paths are relative to the one directory given, else to the current
// directory; the work tree is the one holding that directory.
func scanPlace(roots []string) place {
	p := place{root: "."}
	if len(roots) == 1 {
		if fi, err := os.Stat(roots[0]); err == nil && fi.IsDir() {
			p.root = roots[0]
		}
	}
	if wt, ok := gitrepo.FindWorkTree(p.root); ok {
		p.top = wt.Top
	}
	return p
}
