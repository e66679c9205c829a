package scanner

import (
	"context"
	"sync"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/envcheck"
	"github.com/clarolint/clarolint/internal/walk"
	"github.com/clarolint/clarolint/rules"
)

// treeSource is a Source of files under roots.
type treeSource struct{ roots []string }

// Tree is the Source of the files under roots, each a file or a directory.
// Inside a git work tree it skips the untracked files that the work
// tree's ignore rules ignore (nested .gitignore files, .git/info/exclude,
// the global excludes file), unless Options.NoIgnore; tracked files are
// always scanned, as git ignores untracked files only. Outside a work tree
// it scans every regular file. .git directories are never scanned. A FIFO
// or device met in the walk is a warning; one given as a root is read to
// its end.
//
// Finding paths are relative to the root when a single directory is
// given; otherwise each starts with its root as given. A root that does
// not exist is an error.
//
// When roots is a single directory in a git work tree, the .env checks run
// on the files under it, after the walk, from what the walk saw:
//
//   - env-file-tracked, an error: a .env or .env.* file that is not an
//     example (rules.IsSecretEnvFile) is tracked: it is in the index.
//   - env-not-ignored, an error: such a file is in the work tree,
//     untracked, and the repository's committed ignore rules would not
//     ignore it.
//   - env-not-ignored, a warning, only when the directory is the top of
//     the work tree: the repository has env files (in the index, or in the
//     work tree, ignored or not) or a text file mentions BAYT_API_KEY or
//     CLARO_API_KEY, and its committed ignore rules would not ignore all
//     of .env, .env.local and .env.production. The finding is at
//     .gitignore, line 1, and names what is missing; without a .gitignore,
//     at a file that shows the need.
//
// Roots that are env files in a work tree (as the pre-commit hook passes
// them) are checked too: in the index, env-file-tracked; else, unless the
// committed rules ignore them, env-not-ignored.
//
// The committed ignore rules are the .gitignore files in the index, as the
// next commit will hold them. .git/info/exclude and the global excludes
// file protect only this clone, so a file that only they ignore is still a
// finding, whose message says so. Env files in nested repositories belong
// to those and are not checked here. A mention of the key variables is
// looked for only when it decides the warning, only in the first 256 KiB
// of each text file, and only until it is found. A problem reading the
// index or the committed .gitignore files is a warning, and the checks
// that need them do not run.
func Tree(roots ...string) Source { return treeSource{roots} }

func (src treeSource) scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error) {
	var pre finding.Stats
	var chk *envcheck.Check
	if len(src.roots) == 1 && (s.enabled(rules.EnvFileTracked) || s.enabled(rules.EnvNotIgnored)) {
		chk = envcheck.New(s.envOptions(), &pre, src.roots[0])
	}
	copts := s.content
	wo := walk.Options{NoIgnore: s.opts.NoIgnore, FollowSymlinks: s.opts.FollowSymlinks, Workers: s.opts.Workers, Allowed: s.allowedPath, Warner: s.warner}
	if chk != nil {
		defer chk.Close()
		copts.Mention = chk.Mention()
		wo.Keep = rules.IsEnvFile
	}
	res, err := s.walk(ctx, src.roots, wo, &copts, emit)
	st := res.Stats
	st.Add(pre)
	if err != nil {
		return st, err
	}
	if chk != nil {
		return st, chk.Run(&st, res, emit)
	}
	return st, envcheck.Roots(s.envOptions(), &st, src.roots, emit)
}

// envOptions are the scanner's settings for the .env checks.
func (s *Scanner) envOptions() envcheck.Options {
	return envcheck.Options{Enabled: s.enabled, Allowed: s.allowedPath, Warner: s.warner}
}

// walk walks roots with wo and scans each file it hands over, each worker
// with a content Reader of copts of its own; emit is called from one
// goroutine at a time.
func (s *Scanner) walk(ctx context.Context, roots []string, wo walk.Options, copts *content.Options, emit func(finding.Finding) error) (walk.Result, error) {
	readers := make([]*content.Reader, wo.Workers)
	for i := range readers {
		readers[i] = content.NewReader(copts)
	}
	var mu sync.Mutex
	var emitErr error // once emit fails, no worker may call it again
	locked := func(f finding.Finding) error {
		mu.Lock()
		defer mu.Unlock()
		if emitErr == nil {
			emitErr = emit(f)
		}
		return emitErr
	}
	return walk.Walk(ctx, roots, wo, func(worker int, f walk.File, st *finding.Stats) error {
		return s.scanFile(readers[worker], f, st, locked)
	})
}

// scanFile scans one file; only emit's error is returned.
func (s *Scanner) scanFile(rd *content.Reader, f walk.File, st *finding.Stats, emit func(finding.Finding) error) error {
	r, err := f.Open()
	if err != nil {
		st.SkippedUnreadable++
		s.warner.NotScanned(st, "%s: %v; not scanned", f.Rel, walk.Cause(err))
		return nil
	}
	defer r.Close()
	if s.opts.MaxFileSize > 0 && !f.Stream {
		if size, err := r.Size(); err == nil && size > s.opts.MaxFileSize {
			st.SkippedTooLarge++
			return nil
		}
	}
	return rd.Read(content.Source{Path: f.Rel, Label: f.Rel}, r, st, s.keyEmitter(st, emit))
}
