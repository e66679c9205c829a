package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/clarolint/clarolint/finding"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/clarolint/clarolint/rules"
)

// envMentions are the words whose mention tells that a repository uses
// Claro keys, for the repository-wide env-not-ignored warning: the
// variable the Claro SDK reads (BAYT_API_KEY), and the one projects name
// after the product.
var envMentions = [...]string{"BAYT_API_KEY", "CLARO_API_KEY"}

// envCommonNames are the env files that a repository's committed
// .gitignore must ignore once it uses env files.
var envCommonNames = [...]string{".env", ".env.local", ".env.production"}

// envIgnoreAdvice is what every env finding asks to add to .gitignore.
const envIgnoreAdvice = "add `.env` and `.env.*` to .gitignore (with `!.env.example` to keep the example)"

// Scan scans like Tree and, when roots is a single directory in a git work
// tree, runs the .env checks of SPEC §1 on the files under it, with
// finding paths relative to that directory:
//
//   - env-file-tracked, an error: a .env or .env.* file that is not an
//     example (rules.IsSecretEnvFile) is tracked: it is in the index.
//   - env-not-ignored, an error: such a file is in the work tree,
//     untracked, and the repository's committed ignore rules would not
//     ignore it.
//   - env-not-ignored, a warning, only when the directory is the top of
//     the work tree: the repository has env files (in the index, or in the
//     work tree, ignored or not) or a text file that Tree reads mentions
//     BAYT_API_KEY (see below), and its committed ignore rules would not
//     ignore all of .env, .env.local and .env.production. The finding is
//     at .gitignore, line 1, and names what is missing.
//
// The committed ignore rules are the .gitignore files in the index, as the
// next commit will hold them. .git/info/exclude and the global excludes
// file protect only this clone, so a file that only they ignore is still
// a finding, whose message says so. Env files in nested repositories and
// submodules belong to those and are not checked here. AllowPaths pass
// over env files as over any file. Keys inside env files, examples
// included, are found by the scan itself.
//
// The checks learn what is in the work tree from Tree's own walk (they
// walk only directories that rules local to this clone made Tree skip).
// Tree looks for BAYT_API_KEY only when the answer matters, only in the
// first 256 KiB of each text file, and only until it finds it. A problem
// reading the index or the committed .gitignore files is a warning, and
// the checks that need them do not run.
func (s *Scanner) Scan(ctx context.Context, roots []string, emit func(finding.Finding) error) (finding.Stats, error) {
	start := time.Now()
	var pre finding.Stats
	var chk *envCheck
	if len(roots) == 1 && (s.enabled(rules.EnvFileTracked) || s.enabled(rules.EnvNotIgnored)) {
		chk = s.newEnvCheck(&pre, roots[0])
	}
	var probe *envProbe
	if chk != nil {
		defer chk.r.close()
		probe = chk.probe
	}
	st, err := s.tree(ctx, roots, probe, emit)
	st.Add(pre)
	if err != nil {
		return st, err
	}
	if chk != nil {
		err = chk.run(&st, emit)
	} else {
		err = s.envFileRoots(&st, roots, emit)
	}
	st.Duration = time.Since(start)
	return st, err
}

// envFileRoots runs the .env checks on the roots that are secret env
// files in a git work tree, as the pre-commit hook passes them: one in the
// index (tracked, or staged to be) is env-file-tracked; one that is not,
// and that the committed ignore rules do not ignore, is env-not-ignored.
// Paths are the roots as given.
func (s *Scanner) envFileRoots(st *finding.Stats, roots []string, emit func(finding.Finding) error) error {
	checks := map[string]*envCheck{} // by the work tree's top
	var out []finding.Finding
	for _, r := range roots {
		rel := filepath.ToSlash(filepath.Clean(r))
		if !rules.IsSecretEnvFile(rel) || s.allowedPath(rel) {
			continue
		}
		if fi, err := os.Stat(r); err != nil || fi.IsDir() {
			continue
		}
		wt, ok := findWorktree(filepath.Dir(r))
		if !ok {
			continue
		}
		c, seen := checks[wt.root]
		if !seen {
			c = s.newEnvCheck(st, wt.root)
			checks[wt.root] = c
			if c != nil {
				defer c.r.close()
			}
		}
		if c == nil {
			continue
		}
		abs, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		repoPath, err := filepath.Rel(wt.root, abs)
		if err != nil {
			continue
		}
		if f, ok := c.fileFinding(rel, splitPath(filepath.ToSlash(repoPath))); ok {
			out = append(out, f)
		}
	}
	finding.Sort(out)
	for _, f := range out {
		if err := emit(f); err != nil {
			return err
		}
	}
	return nil
}

// fileFinding is the env finding for one secret env file, reported at
// rel, whose path from the top of the work tree is parts: in the index, it
// is env-file-tracked; else, unless the committed rules ignore it,
// env-not-ignored. ok is false when neither applies or the rule is off.
func (c *envCheck) fileFinding(rel string, parts []string) (finding.Finding, bool) {
	repoPath := strings.Join(parts, "/")
	switch {
	case c.tracked[repoPath]:
		if !c.s.enabled(rules.EnvFileTracked) {
			return finding.Finding{}, false
		}
		return envFileFinding(rules.EnvFileTracked, rules.Error, rel, fmt.Sprintf(
			"secret env file %s is in the index (tracked, or staged to be): every clone would carry it; take it out with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held if it was ever committed",
			repoPath, shellQuote(repoPath), envIgnoreAdvice)), true
	case !ignoredBy(c.ignore, parts, false) && c.s.enabled(rules.EnvNotIgnored):
		return envFileFinding(rules.EnvNotIgnored, rules.Error, rel, fmt.Sprintf(
			"%s is not ignored by the repository's committed .gitignore, so `git add .` would commit it; %s", repoPath, c.localAdvice(parts))), true
	}
	return finding.Finding{}, false
}

// envCheck is the state of the .env checks of one Scan.
type envCheck struct {
	s       *Scanner
	root    string // the scan root, as given
	rootRel string // the scan root relative to the top of the work tree; "" at the top
	r       *indexRepo
	idx     *gitIndex
	tracked map[string]bool
	// indexHasEnv says whether the index holds an env file, example or
	// not, and indexEnvFile names the first.
	indexHasEnv  bool
	indexEnvFile string
	ignore       gitignore.Matcher // the committed rules
	// missing lists which of envCommonNames the committed rules do not
	// ignore, when the repository-wide warning applies.
	missing []string
	probe   *envProbe
	// nested caches, per directory relative to the root, whether it is
	// outside this repository for git: a nested repository or a symbolic
	// link (git does not follow links), or below one.
	nested map[string]bool
}

// newEnvCheck prepares the checks for root, or returns nil when root is
// not a directory in a git work tree or its index cannot be read.
func (s *Scanner) newEnvCheck(st *finding.Stats, root string) *envCheck {
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil // Tree reports it
	}
	wt, ok := findWorktree(root)
	if !ok {
		return nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil
	}
	rel, err := filepath.Rel(wt.root, abs)
	if err != nil {
		return nil
	}
	if err := sha1Only(wt.commonDir); err != nil {
		s.warn(st, "%v; .env files are not checked", err)
		return nil
	}
	c := &envCheck{
		s:       s,
		root:    root,
		rootRel: path.Clean(filepath.ToSlash(rel)),
		r:       newIndexRepo(wt.root, wt.gitDir, wt.commonDir),
		tracked: map[string]bool{},
		probe:   &envProbe{},
		nested:  map[string]bool{},
	}
	if c.rootRel == "." {
		c.rootRel = ""
	}
	if c.idx, err = readIndex(c.r.index); err != nil {
		s.warn(st, "%v; .env files are not checked", err)
		c.r.close()
		return nil
	}
	for _, e := range c.idx.entries {
		c.tracked[e.path] = true
		if !c.indexHasEnv && rules.IsEnvFile(e.path) {
			c.indexHasEnv, c.indexEnvFile = true, e.path
		}
	}
	c.ignore = c.committedRules(st)
	if c.rootRel == "" && s.enabled(rules.EnvNotIgnored) {
		for _, n := range envCommonNames {
			if !c.ignore.Match([]string{n}, false) {
				c.missing = append(c.missing, n)
			}
		}
		if len(c.missing) > 0 && !c.indexHasEnv {
			c.probe.mention = newMention(envMentions[:]...)
		}
	}
	return c
}

// committedRules returns a matcher of the .gitignore files in the index,
// parents before children so that deeper files take precedence. During a
// conflicted merge our side (stage 2) counts.
func (c *envCheck) committedRules(st *finding.Stats) gitignore.Matcher {
	type file struct {
		dir  []string
		hash plumbing.Hash
	}
	var files []file
	for _, e := range c.idx.entries {
		if path.Base(e.path) != ".gitignore" || (e.stage != 0 && e.stage != 2) || e.intentToAdd || !stagedIsBlob(e.mode) {
			continue
		}
		files = append(files, file{splitPath(path.Dir(e.path)), e.hash})
	}
	slices.SortStableFunc(files, func(a, b file) int { return len(a.dir) - len(b.dir) })
	var ps []gitignore.Pattern
	for _, f := range files {
		b, err := c.r.objects.read(f.hash, plumbing.BlobObject)
		if err != nil {
			c.s.warn(st, "%s: %v; its committed ignore rules are not applied", path.Join(path.Join(f.dir...), ".gitignore"), err)
			continue
		}
		ps = append(ps, parseIgnore(b, f.dir)...)
	}
	return gitignore.NewMatcher(ps)
}

// parseIgnore parses the lines of a gitignore-format file whose patterns
// apply below domain, as readIgnoreFile does for a file on disk.
func parseIgnore(b []byte, domain []string) []gitignore.Pattern {
	var ps []gitignore.Pattern
	for line := range bytes.Lines(b) {
		s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(s, domain))
	}
	return ps
}

// ignoredBy reports whether m ignores the path parts: the path itself or a
// directory above it, since git never looks inside an ignored directory
// (a later !pattern cannot bring a file in it back).
func ignoredBy(m gitignore.Matcher, parts []string, dir bool) bool {
	for i := 1; i < len(parts); i++ {
		if m.Match(parts[:i], true) {
			return true
		}
	}
	return m.Match(parts, dir)
}

// repoParts returns the path components, from the top of the work tree,
// of rel, a path relative to the scan root.
func (c *envCheck) repoParts(rel string) []string {
	return splitPath(path.Join(c.rootRel, rel))
}

// run runs the checks once Tree is done, and emits their findings.
func (c *envCheck) run(st *finding.Stats, emit func(finding.Finding) error) error {
	var out []finding.Finding
	if c.s.enabled(rules.EnvFileTracked) {
		out = c.trackedFiles(out)
	}
	if c.s.enabled(rules.EnvNotIgnored) {
		files := c.workFiles(st)
		out = c.unignoredFiles(out, files)
		out = c.repositoryWarning(out, files)
	}
	finding.Sort(out)
	for _, f := range out {
		if err := emit(f); err != nil {
			return err
		}
	}
	return nil
}

// trackedFiles adds an env-file-tracked error for each secret env file in
// the index under the root.
func (c *envCheck) trackedFiles(out []finding.Finding) []finding.Finding {
	prev := ""
	for _, e := range c.idx.entries {
		rel, ok := c.underRoot(e.path)
		if e.path == prev || !ok || !rules.IsSecretEnvFile(e.path) || c.s.allowedPath(rel) {
			continue
		}
		prev = e.path // once for the stages of a conflicted path
		out = append(out, envFileFinding(rules.EnvFileTracked, rules.Error, rel, fmt.Sprintf(
			"secret env file %s is tracked by git: every clone carries it; stop tracking it with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held: they stay in history",
			e.path, shellQuote(e.path), envIgnoreAdvice)))
	}
	return out
}

// unignoredFiles adds an env-not-ignored error for each secret env file of
// the work tree that is neither tracked nor ignored by the committed rules.
func (c *envCheck) unignoredFiles(out []finding.Finding, files []string) []finding.Finding {
	for _, rel := range files {
		parts := c.repoParts(rel)
		if !rules.IsSecretEnvFile(rel) || c.tracked[strings.Join(parts, "/")] || c.s.allowedPath(rel) {
			continue // tracked files are trackedFiles' to report
		}
		if f, ok := c.fileFinding(rel, parts); ok {
			out = append(out, f)
		}
	}
	return out
}

// repositoryWarning adds the env-not-ignored warning about .gitignore when
// it applies (see Scan); workHasEnv says whether the work tree has env
// files.
func (c *envCheck) repositoryWarning(out []finding.Finding, workFiles []string) []finding.Finding {
	if len(c.missing) == 0 || c.s.allowedPath(".gitignore") {
		return out
	}
	// Why the warning applies, and the files that show it.
	var signal string
	var shown []string
	switch {
	case len(workFiles) > 0 || c.indexHasEnv:
		signal, shown = "the project uses env files", append(workFiles, c.indexEnvFile)
	case c.probe.mention != nil && c.probe.mention.found.Load() != nil:
		hit := c.probe.mention.found.Load()
		signal, shown = fmt.Sprintf("the project mentions %s (in %s)", hit.word, hit.path), []string{hit.path}
	default:
		return out
	}
	if !c.tracked[".gitignore"] && !fileExists(filepath.Join(c.root, ".gitignore")) {
		// No .gitignore to point at: the finding is at a file that shows
		// the need (one that allow.paths does not pass over), and names
		// the file to create.
		i := slices.IndexFunc(shown, func(p string) bool { return p != "" && !c.s.allowedPath(p) })
		if i < 0 {
			return out
		}
		return append(out, envFileFinding(rules.EnvNotIgnored, rules.Warning, shown[i], fmt.Sprintf(
			"%s, but the repository has no .gitignore, so `git add .` would commit %s; create .gitignore at the top of the work tree with `.env` and `.env.*` (and `!.env.example` to keep the example), and commit it",
			signal, strings.Join(c.missing, ", "))))
	}
	what := "the committed .gitignore does not ignore "
	if !c.tracked[".gitignore"] {
		what = "no committed .gitignore ignores "
	}
	return append(out, envFileFinding(rules.EnvNotIgnored, rules.Warning, ".gitignore", fmt.Sprintf(
		"%s, but %s%s, so `git add .` would commit them; %s and commit it", signal, what, strings.Join(c.missing, ", "), envIgnoreAdvice)))
}

// fileExists reports whether p exists.
func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// underRoot returns the path of p, relative to the top of the work tree,
// relative to the scan root instead; false when p is not under it.
func (c *envCheck) underRoot(p string) (string, bool) {
	if c.rootRel == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, c.rootRel+"/")
	return rest, ok
}

// workFiles returns the env files in the work tree under the root, ignored
// or not, that belong to this repository: those Tree passed, and those in
// the directories Tree skipped that the committed rules do not ignore.
func (c *envCheck) workFiles(st *finding.Stats) []string {
	var out []string
	for _, rel := range c.probe.files {
		if !c.outside(path.Dir(rel)) {
			out = append(out, rel)
		}
	}
	for _, dir := range c.probe.skipped {
		if !c.outside(dir) && !ignoredBy(c.ignore, c.repoParts(dir), true) {
			out = c.walk(st, dir, out)
		}
	}
	slices.Sort(out)
	return out
}

// outside reports whether the directory dir, relative to the root, is
// outside this repository for git; see envCheck.nested.
func (c *envCheck) outside(dir string) bool {
	if dir == "." || dir == "" {
		return false
	}
	if v, ok := c.nested[dir]; ok {
		return v
	}
	full := filepath.Join(c.root, filepath.FromSlash(dir))
	v := c.outside(path.Dir(dir))
	if !v {
		fi, err := os.Lstat(full)
		v = err != nil || fi.Mode()&os.ModeSymlink != 0
	}
	if !v {
		_, err := os.Lstat(filepath.Join(full, ".git"))
		v = err == nil
	}
	c.nested[dir] = v
	return v
}

// walk adds the env files under dir (relative to the root) to out,
// skipping what the committed rules ignore, nested repositories and
// symbolic links.
func (c *envCheck) walk(st *finding.Stats, dir string, out []string) []string {
	entries, err := readDir(filepath.Join(c.root, filepath.FromSlash(dir)))
	if err != nil {
		c.s.warn(st, "%s: %v; .env files in it are not checked", dir, unwrapPath(err))
	}
	for _, e := range entries {
		rel := path.Join(dir, e.Name())
		switch {
		case e.Name() == ".git":
		case e.IsDir():
			if !c.outside(rel) && !ignoredBy(c.ignore, c.repoParts(rel), true) {
				out = c.walk(st, rel, out)
			}
		case rules.IsEnvFile(rel):
			out = append(out, rel)
		}
	}
	return out
}

// localAdvice says what to do about the path parts, which the committed
// rules do not ignore: commit the work tree's .gitignore when it ignores
// them (a change not committed yet), else add patterns to it, saying so
// when rules that protect only this clone ignore them.
func (c *envCheck) localAdvice(parts []string) string {
	var ps []gitignore.Pattern
	for i := range parts {
		p, _ := readIgnoreFile(filepath.Join(c.r.root, filepath.Join(parts[:i]...), ".gitignore"), parts[:i])
		ps = append(ps, p...)
	}
	if ignoredBy(gitignore.NewMatcher(ps), parts, false) {
		return "the .gitignore in the work tree ignores it, but that change is not committed yet: commit .gitignore"
	}
	advice := envIgnoreAdvice + " and commit it"
	exclude := filepath.Join(c.r.commonDir, "info", "exclude")
	if p, _ := readIgnoreFile(exclude, nil); ignoredBy(gitignore.NewMatcher(p), parts, false) {
		return ".git/info/exclude ignores it, but that protects only this clone; " + advice
	}
	if f := excludesFile(c.r.commonDir); f != "" {
		if p, _ := readIgnoreFile(f, nil); ignoredBy(gitignore.NewMatcher(p), parts, false) {
			return fmt.Sprintf("your global excludes file (%s) ignores it, but that protects only your own clones; %s", f, advice)
		}
	}
	return advice
}

// envFileFinding is a finding about a whole file: line 1, column 1, with
// an empty span.
func envFileFinding(id rules.RuleID, sev rules.Severity, path, msg string) finding.Finding {
	return finding.Finding{RuleID: id, Severity: sev, Path: path, Line: 1, Column: 1, EndColumn: 1, Message: msg}
}

// shellQuote quotes p for a POSIX shell when it holds anything but
// letters, digits and ./_-+@%=:,, so that a git command in a message can
// be pasted.
func shellQuote(p string) string {
	safe := p != "" && !strings.ContainsFunc(p, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("./_-+@%=:,", r))
	})
	if safe {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
