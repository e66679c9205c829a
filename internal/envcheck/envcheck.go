package envcheck

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/escape"
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

// IgnoreAdvice is what every env finding asks to add to .gitignore.
const IgnoreAdvice = "add `.env` and `.env.*` to .gitignore (with `!.env.example` to keep the example)"

// Options are what the checks take from a scan's settings.
type Options struct {
	// Enabled says whether a rule's findings are wanted.
	Enabled func(rules.RuleID) bool
	// Allowed reports whether allow.paths match a path relative to the
	// scan root: such files are not reported.
	Allowed func(rel string) bool
	// Warner receives the warnings, counted in the Stats passed along.
	Warner *finding.Warner
}

// Roots runs the checks on the roots that are secret env files in a git
// work tree, as the pre-commit hook passes them: one in the index
// (tracked, or staged to be) is env-file-tracked; one that is not, and
// that the committed ignore rules do not ignore, is env-not-ignored.
// Paths are the roots as given.
func Roots(o Options, st *finding.Stats, roots []string, emit func(finding.Finding) error) error {
	checks := map[string]*Check{} // by the work tree's top
	var out []finding.Finding
	for _, r := range roots {
		rel := filepath.ToSlash(filepath.Clean(r))
		if !rules.IsSecretEnvFile(rel) || o.Allowed(rel) {
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
			c = New(o, st, wt.Top)
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
func (c *Check) fileFinding(rel string, parts []string) (finding.Finding, bool) {
	repoPath := strings.Join(parts, "/")
	switch {
	case c.tracked[repoPath]:
		if !c.o.Enabled(rules.EnvFileTracked) {
			return finding.Finding{}, false
		}
		return FileFinding(rules.EnvFileTracked, rules.Error, rel, fmt.Sprintf(
			"secret env file %s is in the index (tracked, or staged to be): every clone would carry it; take it out with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held if it was ever committed",
			repoPath, escape.Shell(repoPath), IgnoreAdvice)), true
	case !c.ignore.Ignores(parts, false) && c.o.Enabled(rules.EnvNotIgnored):
		return FileFinding(rules.EnvNotIgnored, rules.Error, rel, fmt.Sprintf(
			"%s is not ignored by the repository's committed .gitignore, so `git add .` would commit it; %s", repoPath, c.localAdvice(parts))), true
	}
	return finding.Finding{}, false
}

// Check is the state of the .env checks of one tree scan.
type Check struct {
	o       Options
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
	// and the directories it did not enter (see Run).
	walked walk.Result
	// nested caches, per directory relative to the root, whether it is
	// outside this repository for git: a nested repository or a symbolic
	// link (git does not follow links), or below one.
	nested map[string]bool
}

// New prepares the checks for root, or returns nil when root is not a
// directory in a git work tree or its index cannot be read. The caller
// closes the Check.
func New(o Options, st *finding.Stats, root string) *Check {
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
		o.Warner.Warn(st, "%v; .env files are not checked", err)
		return nil
	}
	c := &Check{
		o:       o,
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
		o.Warner.Warn(st, "%v; .env files are not checked", err)
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
		o.Warner.Warn(st, "%s: %v; its committed ignore rules are not applied", p, err)
	}).Matcher()
	if c.rootRel == "" && o.Enabled(rules.EnvNotIgnored) {
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
func (c *Check) repoParts(rel string) []string {
	return gitrepo.SplitPath(path.Join(c.rootRel, rel))
}

// Mention is what the tree's walk is to look for in text files, when the
// repository-wide warning depends on it (content.Options.Mention); nil
// when it does not.
func (c *Check) Mention() *content.Mention { return c.mention }

// Close releases the files the check opened.
func (c *Check) Close() error { return c.r.Close() }

// Run runs the checks once the tree's walk is done, from what it saw
// (walked, kept with walk.Options.Keep = rules.IsEnvFile), and emits
// their findings.
func (c *Check) Run(st *finding.Stats, walked walk.Result, emit func(finding.Finding) error) error {
	c.walked = walked
	var out []finding.Finding
	if c.o.Enabled(rules.EnvFileTracked) {
		out = c.trackedFiles(out)
	}
	if c.o.Enabled(rules.EnvNotIgnored) {
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
func (c *Check) trackedFiles(out []finding.Finding) []finding.Finding {
	prev := ""
	for _, e := range c.idx.Entries {
		rel, ok := c.underRoot(e.Path)
		if e.Path == prev || !ok || !rules.IsSecretEnvFile(e.Path) || c.o.Allowed(rel) {
			continue
		}
		prev = e.Path // once for the stages of a conflicted path
		out = append(out, FileFinding(rules.EnvFileTracked, rules.Error, rel, fmt.Sprintf(
			"secret env file %s is tracked by git: every clone carries it; stop tracking it with `git rm --cached %s` (your copy stays), %s, commit both, and rotate the keys it held: they stay in history",
			e.Path, escape.Shell(e.Path), IgnoreAdvice)))
	}
	return out
}

// unignoredFiles adds an env-not-ignored error for each secret env file of
// the work tree that is neither tracked nor ignored by the committed rules.
func (c *Check) unignoredFiles(out []finding.Finding, files []string) []finding.Finding {
	for _, rel := range files {
		parts := c.repoParts(rel)
		if !rules.IsSecretEnvFile(rel) || c.tracked[strings.Join(parts, "/")] || c.o.Allowed(rel) {
			continue // tracked files are trackedFiles' to report
		}
		if f, ok := c.fileFinding(rel, parts); ok {
			out = append(out, f)
		}
	}
	return out
}

// repositoryWarning adds the env-not-ignored warning about .gitignore when
// it applies (see scanner.Tree); workHasEnv says whether the work tree has env
// files.
func (c *Check) repositoryWarning(out []finding.Finding, workFiles []string) []finding.Finding {
	if len(c.missing) == 0 || c.o.Allowed(".gitignore") {
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
		i := slices.IndexFunc(shown, func(p string) bool { return p != "" && !c.o.Allowed(p) })
		if i < 0 {
			return out
		}
		return append(out, FileFinding(rules.EnvNotIgnored, rules.Warning, shown[i], fmt.Sprintf(
			"%s, but the repository has no .gitignore, so `git add .` would commit %s; create .gitignore at the top of the work tree with `.env` and `.env.*` (and `!.env.example` to keep the example), and commit it",
			signal, strings.Join(c.missing, ", "))))
	}
	what := "the committed .gitignore does not ignore "
	if !c.tracked[".gitignore"] {
		what = "no committed .gitignore ignores "
	}
	return append(out, FileFinding(rules.EnvNotIgnored, rules.Warning, ".gitignore", fmt.Sprintf(
		"%s, but %s%s, so `git add .` would commit them; %s and commit it", signal, what, strings.Join(c.missing, ", "), IgnoreAdvice)))
}

// fileExists reports whether p exists.
func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// underRoot returns the path of p, relative to the top of the work tree,
// relative to the scan root instead; false when p is not under it.
func (c *Check) underRoot(p string) (string, bool) {
	if c.rootRel == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, c.rootRel+"/")
	return rest, ok
}

// workFiles returns the env files in the work tree under the root, ignored
// or not, that belong to this repository: those the walk kept, and those
// in the directories it skipped that the committed rules do not ignore.
func (c *Check) workFiles(st *finding.Stats) []string {
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
// outside this repository for git; see Check.nested.
func (c *Check) outside(dir string) bool {
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
func (c *Check) walk(st *finding.Stats, dir string, out []string) []string {
	entries, err := os.ReadDir(filepath.Join(c.root, filepath.FromSlash(dir)))
	if err != nil {
		c.o.Warner.Warn(st, "%s: %v; .env files in it are not checked", dir, walk.Cause(err))
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
func (c *Check) localAdvice(parts []string) string {
	var work gitrepo.Rules
	for i := range parts {
		rs, _ := gitrepo.ReadIgnore(filepath.Join(c.r.Top, filepath.Join(parts[:i]...), ".gitignore"), parts[:i])
		work = work.With(rs)
	}
	if work.Matcher().Ignores(parts, false) {
		return "the .gitignore in the work tree ignores it, but that change is not committed yet: commit .gitignore"
	}
	advice := IgnoreAdvice + " and commit it"
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
func FileFinding(id rules.RuleID, sev rules.Severity, path, msg string) finding.Finding {
	return finding.Finding{RuleID: id, Severity: sev, Path: path, Line: 1, Column: 1, EndColumn: 1, Message: msg}
}
