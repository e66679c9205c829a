// Package scanner finds Claro API keys in working trees, in the staged
// index and in git history, and checks that .env files are kept out of
// git. It is clarolint's library API; the clarolint command is a thin
// layer over it.
//
// A Claro key is sk_live_ or sk_test_ followed by 42 base62 characters.
// Package rules decides what is a key, a test key, a Stripe key or a
// placeholder; this package reads sources and turns what rules matches
// into finding.Finding values.
//
// # Scanning
//
// New checks an Options and returns a Scanner; Scanner.Scan reads one
// Source and calls emit for each finding:
//
//   - Tree(roots...): files and directories, walked in parallel, with
//     git's ignore rules for untracked files, and the .env checks
//     (env-file-tracked, env-not-ignored) when the root is in a work tree.
//   - Index(repo, IndexOptions): what the next commit would add, read
//     from the staged index, for a pre-commit hook.
//   - History(repo, HistoryOptions): every commit of a repository, or a
//     range of them; a finding is reported at the commit that introduced
//     the key at its path. The object store is read directly (no git
//     binary), every blob once.
//   - Push(repo, PushOptions): what a push adds, for a server's
//     pre-receive hook: the commits no existing ref reaches, read from
//     git's quarantine (open repo with OpenPushRepository).
//   - Reader(name, r), or Scanner.ScanReader: one input, such as
//     standard input.
//
// Options add what the defaults leave out: decoding base64,
// percent-encoding, JSON escapes and UTF-16 (DecodeDepth), opening zip,
// gzip and tar archives (ArchiveDepth), allow lists of paths and key
// fingerprints, disabled rules, a size limit.
//
// # Findings, warnings and completeness
//
// A finding holds the key only in its Secret field, which prints
// redacted; report formats never print a whole key unless asked to.
// The scanner never prints: findings go to emit and warnings, one line
// each with paths escaped, to Options.Warnings. Bad input (an unreadable
// file, a symbolic-link loop, a damaged git object, an archive past its
// size budget) is a warning counted in the returned finding.Stats, never
// a reason to stop; content that could not be scanned is counted in
// Stats.NotScanned, so that a caller can tell a clean scan from an
// incomplete one. An error is returned only when a source cannot be read
// at all, or when emit returns one.
//
// # Layout
//
// The package stands on internal packages: internal/walk walks trees,
// internal/content reads a file's bytes, archives and encodings into
// key hits, internal/gitrepo is the one model of a repository (discovery,
// refs, index, trees, ignore rules) and internal/odb reads git objects.
// docs/architecture.md in the repository draws the whole.
package scanner
