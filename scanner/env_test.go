package scanner

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// scanRepo runs Scan on roots with a chunk size (0: the default) and
// returns "path:line:col rule" for each finding, sorted, with the
// findings by path and rule, the stats and the warnings.
func scanRepo(t *testing.T, o Options, chunk int, roots ...string) ([]string, map[string]finding.Finding, finding.Stats, string) {
	t.Helper()
	out, got, st, warnings := collect(t, o, Tree(roots...), func(s *Scanner) { s.content.ChunkSize = chunk })
	byPath := map[string]finding.Finding{}
	for _, f := range got {
		byPath[f.Path+" "+string(f.RuleID)] = f
	}
	return out, byPath, st, warnings
}

// coveredIgnore is a .gitignore that ignores every secret env file.
const coveredIgnore = ".env\n.env.*\n!.env.example\n"

// TestEnvTracked: tracked secret env files are errors at their paths, as
// whole-file findings; a tracked example is not, but a key in it is.
func TestEnvTracked(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{
		".gitignore":        coveredIgnore,
		"svc/.env.local":    "DEBUG=1\n",
		".env.example":      "BAYT_API_KEY=" + key + "\n",
		"config/.env.tmpl2": "X=1\n",
	})
	sr.Stage(map[string]string{".env": "A=1\n"}) // tracked although ignored: added before the .gitignore, or with -f
	sr.Commit("first")

	got, fs, _, warn := scanRepo(t, Options{}, 0, sr.Dir)
	checkFindings(t, "tracked", got, []string{
		".env:1:1 env-file-tracked",
		".env.example:1:14 claro-live-key",
		"config/.env.tmpl2:1:1 env-file-tracked",
		"svc/.env.local:1:1 env-file-tracked",
	})
	f := fs[".env env-file-tracked"]
	if f.Severity != rules.Error || f.EndColumn != 1 || !strings.Contains(f.Message, "stop tracking it with `git rm --cached .env` (your copy stays)") ||
		!strings.Contains(f.Message, "add `.env` and `.env.*` to .gitignore") || warn != "" {
		t.Errorf("finding %+v, warnings %q", f, warn)
	}

	// A scan of a subdirectory checks the files under it, at paths
	// relative to it; the message names the path from the top.
	got, fs, _, _ = scanRepo(t, Options{}, 0, filepath.Join(sr.Dir, "svc"))
	checkFindings(t, "subdirectory", got, []string{".env.local:1:1 env-file-tracked"})
	if m := fs[".env.local env-file-tracked"].Message; !strings.Contains(m, "git rm --cached svc/.env.local") {
		t.Errorf("message %q", m)
	}
}

// TestEnvNotIgnored: untracked secret env files the committed rules do not
// ignore are errors; ignored ones and examples are not; the message says
// when only rules local to this clone, or an uncommitted .gitignore,
// ignore the file.
func TestEnvNotIgnored(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{".gitignore": ".env\n/build/\n"})
	sr.Commit("first")
	fixture.WriteFiles(t, sr.Dir, map[string]string{
		".env":                   "ignored by the committed .gitignore\n",
		".env.example":           "an example may stay untracked\n",
		".env.local":             "not ignored at all\n",
		"app/.env.test":          "ignored only by .git/info/exclude\n",
		".git/info/exclude":      "app/.env.test\nlocal-only/\n",
		"local-only/.env.prod":   "in a directory that only info/exclude ignores\n",
		"build/.env.production":  "in a directory the committed rules ignore\n",
		"web/.gitignore":         ".env.dev\n", // on disk, not committed
		"web/.env.dev":           "ignored by an uncommitted .gitignore\n",
		"nested/.git/HEAD":       "ref: refs/heads/main\n",
		"nested/.env.local":      "another repository's\n",
		"linked/.env.production": "not ignored\n",
		"link":                   "\x00link:linked", // git does not follow links: link/.env.production is no file for it
	})
	got, fs, _, _ := scanRepo(t, Options{}, 0, sr.Dir)
	checkFindings(t, "not ignored", got, []string{
		".env.local:1:1 env-not-ignored",
		".gitignore:1:1 env-not-ignored",
		"app/.env.test:1:1 env-not-ignored",
		"linked/.env.production:1:1 env-not-ignored",
		"local-only/.env.prod:1:1 env-not-ignored",
		"web/.env.dev:1:1 env-not-ignored",
	})
	for path, want := range map[string]string{
		".env.local":           ".env.local is not ignored by the repository's committed .gitignore, so `git add .` would commit it; add `.env` and `.env.*` to .gitignore",
		"app/.env.test":        ".git/info/exclude ignores it, but that protects only this clone; add",
		"local-only/.env.prod": ".git/info/exclude ignores it, but that protects only this clone",
		"web/.env.dev":         "the .gitignore in the work tree ignores it, but that change is not committed yet: commit .gitignore",
	} {
		f := fs[path+" env-not-ignored"]
		if !strings.Contains(f.Message, want) || f.Severity != rules.Error {
			t.Errorf("%s: %s %q lacks %q", path, f.Severity, f.Message, want)
		}
	}
	if f := fs[".gitignore env-not-ignored"]; f.Severity != rules.Warning ||
		f.Message != "the project uses env files, but the committed .gitignore does not ignore .env.local, .env.production, so `git add .` would commit them; add `.env` and `.env.*` to .gitignore (with `!.env.example` to keep the example) and commit it" {
		t.Errorf("repository warning: %s %q", f.Severity, f.Message)
	}

	// Following links, the scan reads link/.env.production too, but the
	// env checks see the repository as git does.
	got2, _, _, _ := scanRepo(t, Options{FollowSymlinks: true}, 0, sr.Dir)
	checkFindings(t, "following links", got2, got)

	// With every env file ignored by committed rules, nothing is reported.
	sr.Stage(map[string]string{".gitignore": coveredIgnore + "/build/\nlocal-only/\nlinked/\n"})
	got, _, _, _ = scanRepo(t, Options{}, 0, sr.Dir)
	checkFindings(t, "all ignored", got, nil)
}

// TestEnvRepositoryWarning: at the top of a work tree whose committed
// .gitignore does not ignore the common env files, the warning needs a
// sign that the project uses them: env files, or a mention of
// BAYT_API_KEY in a text file that the scan reads.
func TestEnvRepositoryWarning(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		ignore string // committed .gitignore; "" for none
		files  map[string]string
		chunk  int
		at     string // where the warning is
		want   string // the warning's message starts with it; "" for no warning
	}{
		{"no sign", "", map[string]string{"main.go": "package main\n"}, 0, "", ""},
		// Without a .gitignore the warning names the file to create, at
		// the file that shows the need (issue 11).
		{"mention", "", map[string]string{"main.go": "os.Getenv(\"BAYT_API_KEY\")\n"}, 0, "main.go",
			"the project mentions BAYT_API_KEY (in main.go), but the repository has no .gitignore, so `git add .` would commit .env, .env.local, .env.production; create .gitignore at the top of the work tree"},
		{"mention of CLARO_API_KEY", "*.log\n", map[string]string{"cfg.py": "os.environ[\"CLARO_API_KEY\"]\n"}, 0, ".gitignore",
			"the project mentions CLARO_API_KEY (in cfg.py), but the committed .gitignore does not ignore .env, .env.local, .env.production,"},
		// With 64-byte chunks the first read of a file holds 146 bytes;
		// the mention is looked for there only.
		{"mention at the end of the first read", "", map[string]string{"doc.md": strings.Repeat("x", 134) + "BAYT_API_KEY"}, 64, "doc.md", "the project mentions BAYT_API_KEY"},
		{"mention past the first read", "", map[string]string{"doc.md": strings.Repeat("x", 135) + "BAYT_API_KEY"}, 64, "", ""},
		{"mention in a binary file", "", map[string]string{"app.bin": "\x00BAYT_API_KEY"}, 0, "", ""},
		{"mention in an ignored file", "notes.txt\n", map[string]string{"notes.txt": "BAYT_API_KEY"}, 0, "", ""},
		{"env file", "*.log\n", map[string]string{"cfg/.env.example": "X=\n"}, 0, ".gitignore", "the project uses env files, but the committed .gitignore does not ignore .env, .env.local, .env.production,"},
		{"env file, no .gitignore", "", map[string]string{"cfg/.env.example": "X=\n"}, 0, "cfg/.env.example", "the project uses env files, but the repository has no .gitignore"},
		{".gitignore not committed", "", map[string]string{".gitignore": ".env*\n", ".env": "X=1\n"}, 0, ".gitignore", "the project uses env files, but no committed .gitignore ignores .env, .env.local, .env.production,"},
		{"ignored env file", ".env\n", map[string]string{".env": "X=1\n"}, 0, ".gitignore", "the project uses env files, but the committed .gitignore does not ignore .env.local, .env.production,"},
		{"covered", ".env*\n!.env.example\n", map[string]string{".env.example": "BAYT_API_KEY=\n"}, 0, "", ""},
		{"covered by a directory pattern", "**/.env\n.env.local\n.env.production\n", map[string]string{"main.go": "BAYT_API_KEY"}, 0, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sr := gogit.NewRepo(t)
			if tt.ignore != "" {
				sr.Stage(map[string]string{".gitignore": tt.ignore})
				sr.Commit("ignore")
			}
			fixture.WriteFiles(t, sr.Dir, tt.files)
			_, fs, _, _ := scanRepo(t, Options{}, tt.chunk, sr.Dir)
			var f finding.Finding
			ok := false
			for _, x := range fs {
				if x.RuleID == rules.EnvNotIgnored && x.Severity == rules.Warning {
					if ok || x.Path != tt.at {
						t.Errorf("warning at %s, want one at %q", x.Path, tt.at)
					}
					f, ok = x, true
				}
			}
			if ok != (tt.want != "") || !strings.HasPrefix(f.Message, tt.want) {
				t.Errorf("warning %v %q, want %q", ok, f.Message, tt.want)
			}
			if ok && (f.Severity != rules.Warning || f.Line != 1 || f.Column != 1) {
				t.Errorf("warning %+v", f)
			}
		})
	}
}

// TestEnvScope: the repository-wide warning is for a scan of the top of
// the work tree only; several roots, a root outside any repository and
// disabled rules run no env checks.
func TestEnvScope(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"app/.env": "X=1\n"})
	sr.Commit("first")
	fixture.WriteFiles(t, sr.Dir, map[string]string{"app/.env.local": "Y=1\n", "main.go": "BAYT_API_KEY"})
	app := filepath.Join(sr.Dir, "app")

	got, _, _, _ := scanRepo(t, Options{}, 0, app)
	checkFindings(t, "subdirectory", got, []string{".env:1:1 env-file-tracked", ".env.local:1:1 env-not-ignored"})
	got, _, _, _ = scanRepo(t, Options{}, 0, app, filepath.Join(sr.Dir, "main.go"))
	checkFindings(t, "two roots", got, nil)
	got, _, _, _ = scanRepo(t, Options{Disable: []rules.RuleID{rules.EnvNotIgnored}}, 0, sr.Dir)
	checkFindings(t, "env-not-ignored disabled", got, []string{"app/.env:1:1 env-file-tracked"})
	got, _, _, _ = scanRepo(t, Options{Disable: []rules.RuleID{rules.EnvFileTracked}}, 0, sr.Dir)
	// No .gitignore: the repository's warning is at its first env file
	// (app/.env), unless every such file is allowed.
	checkFindings(t, "env-file-tracked disabled", got, []string{"app/.env:1:1 env-not-ignored", "app/.env.local:1:1 env-not-ignored"})
	got, _, _, _ = scanRepo(t, Options{AllowPaths: []string{"app/**"}}, 0, sr.Dir)
	checkFindings(t, "allowed paths", got, nil)

	outside := t.TempDir()
	fixture.WriteFiles(t, outside, map[string]string{".env": "X=1\n", "a.txt": "BAYT_API_KEY"})
	got, _, _, _ = scanRepo(t, Options{}, 0, outside)
	checkFindings(t, "outside a repository", got, nil)
}

// TestEnvGlobalExcludes: a file that only the global excludes file ignores
// is still a finding, whose message says so. It sets HOME and
// XDG_CONFIG_HOME, so it does not run in parallel.
func TestEnvGlobalExcludes(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	fixture.WriteFiles(t, home, map[string]string{"xdg/git/ignore": ".env.local\n"})
	sr := gogit.NewRepo(t)
	fixture.WriteFiles(t, sr.Dir, map[string]string{".env.local": "X=1\n", ".gitignore": "*.log\n"})
	got, fs, _, _ := scanRepo(t, Options{}, 0, sr.Dir)
	checkFindings(t, "global excludes", got, []string{".env.local:1:1 env-not-ignored", ".gitignore:1:1 env-not-ignored"})
	want := "your global excludes file (" + filepath.Join(home, "xdg", "git", "ignore") + ") ignores it, but that protects only your own clones"
	if m := fs[".env.local env-not-ignored"].Message; !strings.Contains(m, want) {
		t.Errorf("message %q lacks %q", m, want)
	}
}

// TestIssue11EnvFileRoots: env files given as roots, as the pre-commit
// hook passes them, are checked too: one in the index is env-file-tracked,
// one the committed rules do not ignore is env-not-ignored.
func TestIssue11EnvFileRoots(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{".gitignore": ".env.test\n", "app/.env": "DEBUG=1\n"})
	sr.Commit("first")
	fixture.WriteFiles(t, sr.Dir, map[string]string{".env.local": "X=1\n", ".env.test": "X=1\n", ".env.example": "X=1\n", "main.go": "package main\n"})
	var roots []string
	for _, r := range []string{"app/.env", ".env.local", ".env.test", ".env.example", "main.go"} {
		roots = append(roots, filepath.Join(sr.Dir, r))
	}
	got, fs, _, warn := scanRepo(t, Options{}, 0, roots...)
	dir := filepath.ToSlash(sr.Dir)
	checkFindings(t, "file roots", got, []string{
		dir + "/.env.local:1:1 env-not-ignored",
		dir + "/app/.env:1:1 env-file-tracked",
	})
	if m := fs[dir+"/app/.env env-file-tracked"].Message; !strings.Contains(m, "git rm --cached app/.env") || warn != "" {
		t.Errorf("message %q, warnings %q", m, warn)
	}
}
