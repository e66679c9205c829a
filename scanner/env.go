package scanner

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/internal/walk"

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
		wt, ok := gitrepo.FindWorkTree(filepath.Dir(r))
		if !ok {
			continue
		}
		c, seen := checks[wt.Top]
		if !seen {
			c = s.newEnvCheck(st, wt.Top)
			checks[wt.Top] = c
			if c != nil {
				defer c.r.Close()
			}
		}
		if c == nil {
			continue
		}
		repoPath, ok := wt.PathOf(r)
		if !ok {
			continue
		}
		if f, ok := c.fileFinding(rel, repoPath); ok {
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
	case !c.ignore.Ignores(parts, false) && c.s.enabled(rules.EnvNotIgnored):
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
	r       *gitrepo.Repo
	idx     *gitrepo.Index
	tracked map[string]bool
	// indexHasEnv says whether the index holds an env file, example or
	// not, and indexEnvFile names the first.
	indexHasEnv  bool
	indexEnvFile string
	ignore       gitrepo.Matcher // the committed rules
	// missing lists which of envCommonNames the committed rules do not
	// ignore, when the repository-wide warning applies.
	missing []string
	// mention looks for a mention of the key variables in the tree, when
	// it decides the repository-wide warning; nil when it does not.
	mention *content.Mention
	// walked is what the tree's walk saw: the env files, ignored or not,
	// and the directories it did not enter.
	walked walk.Result
	// nested caches, per directory relative to the root, whether it is
	// outside this repository for git: a nested repository or a symbolic
	// link (git does not follow links), or below one.
	nested map[string]bool
}

// newEnvCheck prepares the checks for root, or returns nil when root is
// not a directory in a git work tree or its index cannot be read.
func (s *Scanner) newEnvCheck(st *finding.Stats, root string) *envCheck {
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil // the walk reports it
	}
	wt, ok := gitrepo.FindWorkTree(root)
	if !ok {
		return nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil
	}
	rel, err := filepath.Rel(wt.Top, abs)
	if err != nil {
		return nil
	}
	if err := wt.CheckFormat(); err != nil {
		s.warner.Warn(st, "%v; .env files are not checked", err)
		return nil
	}
	c := &envCheck{
		s:       s,
		root:    root,
		rootRel: path.Clean(filepath.ToSlash(rel)),
		r:       wt,
		tracked: map[string]bool{},
		nested:  map[string]bool{},
	}
	if c.rootRel == "." {
		c.rootRel = ""
	}
	if c.idx, err = gitrepo.ReadIndex(filepath.Join(wt.GitDir, "index")); err != nil {
		s.warner.Warn(st, "%v; .env files are not checked", err)
		wt.Close()
		return nil
	}
	for _, e := range c.idx.Entries {
		c.tracked[e.Path] = true
		if !c.indexHasEnv && rules.IsEnvFile(e.Path) {
			c.indexHasEnv, c.indexEnvFile = true, e.Path
		}
	}
	c.ignore = wt.CommittedRules(c.idx, func(p string, err error) {
		s.warner.Warn(st, "%s: %v; its committed ignore rules are not applied", p, err)
	}).Matcher()
	if c.rootRel == "" && s.enabled(rules.EnvNotIgnored) {
		for _, n := range envCommonNames {
			if !c.ignore.Match([]string{n}, false) {
				c.missing = append(c.missing, n)
			}
		}
		if len(c.missing) > 0 && !c.indexHasEnv {
			c.mention = content.NewMention(envMentions[:]...)
		}
	}
	return c
}

// repoParts returns the path components, from the top of the work tree,
// of rel, a path relative to the scan root.
func (c *envCheck) repoParts(rel string) []string {
	return gitrepo.SplitPath(path.Join(c.rootRel, rel))
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
	for _, e := range c.idx.Entries {
		rel, ok := c.underRoot(e.Path)
		if e.Path == prev || !ok || !rules.IsSecretEnvFile(e.Path) || c.s.allowedPath(rel) {
			continue
		}
		prev = e.Path // once for the stages of a conflicted path
		out = append(out, envFileFinding(rules.EnvFileTracked, rules.Error, rel, fmt.Sprintf(
			"secret env file %s is tracked by git: every clone carries it; stop tracking it with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held: they stay in history",
			e.Path, shellQuote(e.Path), envIgnoreAdvice)))
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
	case c.mention != nil && c.mention.Found() != nil:
		hit := c.mention.Found()
		signal, shown = fmt.Sprintf("the project mentions %s (in %s)", hit.Word, hit.Path), []string{hit.Path}
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
	for _, rel := range c.walked.Kept {
		if !c.outside(path.Dir(rel)) {
			out = append(out, rel)
		}
	}
	for _, dir := range c.walked.Skipped {
		if !c.outside(dir) && !c.ignore.Ignores(c.repoParts(dir), true) {
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
	entries, err := os.ReadDir(filepath.Join(c.root, filepath.FromSlash(dir)))
	if err != nil {
		c.s.warner.Warn(st, "%s: %v; .env files in it are not checked", dir, unwrapPath(err))
	}
	for _, e := range entries {
		rel := path.Join(dir, e.Name())
		switch {
		case e.Name() == ".git":
		case e.IsDir():
			if !c.outside(rel) && !c.ignore.Ignores(c.repoParts(rel), true) {
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
	var work gitrepo.Rules
	for i := range parts {
		rs, _ := gitrepo.ReadIgnore(filepath.Join(c.r.Top, filepath.Join(parts[:i]...), ".gitignore"), parts[:i])
		work = work.With(rs)
	}
	if work.Matcher().Ignores(parts, false) {
		return "the .gitignore in the work tree ignores it, but that change is not committed yet: commit .gitignore"
	}
	advice := envIgnoreAdvice + " and commit it"
	if rs, _ := gitrepo.ReadIgnore(filepath.Join(c.r.CommonDir, "info", "exclude"), nil); rs.Matcher().Ignores(parts, false) {
		return ".git/info/exclude ignores it, but that protects only this clone; " + advice
	}
	if f := c.r.ExcludesFile(); f != "" {
		if rs, _ := gitrepo.ReadIgnore(f, nil); rs.Matcher().Ignores(parts, false) {
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
