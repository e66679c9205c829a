package main

import (
	"context"
	"os"

	"github.com/clarolint/clarolint/scanner"
)

func runScan(ctx context.Context, e env, args []string) int {
	var (
		o                                   common
		noIgnore, skipBinary, followSymlink bool
	)
	c := newCommand("scan", "clarolint scan [flags] [PATH...]",
		`Scan files for Claro API keys. PATH is a directory or a file (default ".").
Keys written in base64, percent-encoding or JSON \u escapes, and keys in
UTF-16 files, are found too (see --decode-depth). Inside a git work tree,
files that .gitignore, .git/info/exclude or the global excludes file ignore
are skipped (and counted); outside one every regular file is scanned. Binary
files are scanned as bytes; so are archives, unless --archive-depth opens
them to scan the files inside. When PATH is one directory in a git work tree,
the .env files under it are also checked: a tracked .env file, and one that
the committed .gitignore files do not ignore, are errors (.git/info/exclude
and global excludes protect only this clone). At the top of the work tree, a
committed .gitignore that does not ignore .env, .env.local and
.env.production is a warning when the project uses env files or mentions
BAYT_API_KEY.`,
		"clarolint scan",
		"clarolint scan --format sarif --output clarolint.sarif .",
		"clarolint scan --no-ignore --skip-binary build/ dist/",
		"clarolint scan --format json --output .clarolint-baseline.json   # accept today's findings",
		"clarolint scan --baseline .clarolint-baseline.json               # report only new ones")
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
	root := "."
	if len(roots) == 1 {
		if fi, err := os.Stat(roots[0]); err == nil && fi.IsDir() {
			root = roots[0]
		}
	}
	s, err := o.resolve(e, root)
	if err != nil {
		return fail(e, "scan", err)
	}
	s.opts.NoIgnore, s.opts.SkipBinary, s.opts.FollowSymlinks = noIgnore, skipBinary, followSymlink

	var findings []scanner.Finding
	sc := scanner.New(s.opts)
	st, err := sc.Scan(ctx, roots, func(f scanner.Finding) error {
		findings = append(findings, f)
		return nil
	})
	if err != nil {
		return fail(e, "scan", err)
	}
	// One key in several environments is a finding about the whole scan.
	findings = append(findings, sc.Reused(findings)...)
	return o.finish(ctx, e, s, findings, st)
}
