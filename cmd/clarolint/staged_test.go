package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// stagedFixture is a repository whose HEAD holds a live key in config.py,
// with a new key staged on that key's line, a staged .env and a staged
// placeholder.
func stagedFixture(t *testing.T) (dir string, keys []string) {
	t.Helper()
	old, added := rulestest.Key(rules.Live, 301), rulestest.Key(rules.Test, 302)
	r := newLooseRepo(t)
	r.commitAndStage(map[string]string{"app/config.py": "import os\nKEY = \"" + old + "\"\n", "README.md": "hello\n"})
	r.stage(map[string]string{
		"app/config.py": "import os\n\nKEY = \"" + old + "\"  # sandbox: " + added + "\n",
		"README.md":     "Set BAYT_API_KEY=sk_live_your_key_goes_here_0123456789abcdefgh in .env\n",
		".env":          "DEBUG=1\n",
	})
	return r.dir, []string{old, added}
}

func TestStagedGolden(t *testing.T) {
	t.Parallel()
	dir, keys := stagedFixture(t)
	checkGoldenFormats(t, "staged", []string{"staged", dir}, keys)
}

func TestStagedExitStatus(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 303)
	redacted := rules.Redact([]byte(key))
	leak := newLooseRepo(t)
	leak.stage(map[string]string{"src/main.go": "package main\n\nconst k = \"" + key + "\"\n"})
	placeholder := newLooseRepo(t)
	placeholder.stage(map[string]string{"config.yaml": "key: sk_live_your_key_here_000000000000000000000000000000\n"})
	env := newLooseRepo(t)
	env.stage(map[string]string{"svc/.env.local": "DEBUG=1\n", ".env.example": "BAYT_API_KEY=\n"})
	allowed := newLooseRepo(t)
	allowed.commitAndStage(map[string]string{".clarolint.yaml": "allow:\n  paths: [\"fixtures/**\"]\n"})
	allowed.stage(map[string]string{".clarolint.yaml": "allow:\n  paths: [\"fixtures/**\"]\n", "fixtures/k.txt": key})
	bare := t.TempDir()
	for _, d := range []string{"objects", "refs"} {
		os.MkdirAll(filepath.Join(bare, d), 0o755)
	}
	os.WriteFile(filepath.Join(bare, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644)

	for _, tt := range []struct {
		name        string
		args        []string
		code        int
		stdout      string
		stderr      string
		stdoutLacks string
	}{
		{"a staged key", []string{"staged", leak.dir}, exitFindings, "src/main.go:3:12: error claro-live-key: Claro live API key " + redacted, "", key[8:]},
		{"from a subdirectory", []string{"staged", filepath.Join(leak.dir, "src")}, exitFindings, "src/main.go:3:12:", "", ""},
		{"a placeholder", []string{"staged", placeholder.dir}, exitClean, "no Claro keys found; scanned 1 file", "", ""},
		{"a staged .env", []string{"staged", env.dir}, exitFindings, "svc/.env.local:1:1: error env-file-tracked: secret env file svc/.env.local is staged: the next commit would add it to the repository; unstage it with `git restore --staged svc/.env.local` (or `git rm --cached svc/.env.local`), then add `.env` and `.env.*` to .gitignore", "", ".env.example:1:1"},
		{"allowed by the config at the top", []string{"staged", filepath.Join(allowed.dir, "fixtures")}, exitClean, "1 allowed by path", "", ""},
		{"--verbose", []string{"staged", "--verbose", leak.dir}, exitFindings, "", "; scanning the index compared with HEAD\nscanned 1 file, 77 bytes", ""},
		{"not a repository", []string{"staged", t.TempDir()}, exitError, "", "is not inside a git work tree", ""},
		{"bare", []string{"staged", bare}, exitError, "", "is a bare repository: it has no index, so nothing is staged", ""},
		{"two repositories", []string{"staged", leak.dir, leak.dir}, exitError, "", "give at most one repository", ""},
		{"unknown flag", []string{"staged", "--range", "a..b"}, exitError, "", "flag provided but not defined: -range", ""},
	} {
		out, errOut, code := clarolint(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) ||
			(tt.stdoutLacks != "" && strings.Contains(out, tt.stdoutLacks)) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, %q and %q", tt.name, code, out, errOut, tt.code, tt.stdout, tt.stderr)
		}
	}
}

// TestStagedBaseline: whole-file findings are accepted by rule and path.
func TestStagedBaseline(t *testing.T) {
	t.Parallel()
	dir, _ := stagedFixture(t)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if _, errOut, code := clarolint(t, "staged", "--format", "json", "--output", baseline, dir); code != exitFindings {
		t.Fatalf("writing the baseline: exit %d, %s", code, errOut)
	}
	if out, _, code := clarolint(t, "staged", "--baseline", baseline, dir); code != exitClean || !strings.Contains(out, "2 findings suppressed") {
		t.Errorf("with the baseline: exit %d\n%s", code, out)
	}
}

// TestScanEnvGolden: a scan of a repository's top reports tracked and
// unignored .env files and the .gitignore that lets them in.
func TestScanEnvGolden(t *testing.T) {
	t.Parallel()
	r := newLooseRepo(t)
	r.commitAndStage(map[string]string{".gitignore": ".env\n", ".env.production": "DEBUG=0\n", "main.go": "package main\n"})
	r.file(".env", "ignored\n")
	r.file("web/.env.local", "not ignored\n")
	r.file(".git/info/exclude", ".env.staging\n")
	r.file(".env.staging", "ignored only here\n")
	out, errOut, code := clarolint(t, "scan", r.dir)
	if code != exitFindings || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "scan-env-text", normalize(out))

	// A scan of a subdirectory checks the files under it; the warning about
	// .gitignore is for the top only.
	out, _, _ = clarolint(t, "scan", "--quiet", filepath.Join(r.dir, "web"))
	if out != ".env.local:1:1: error env-not-ignored: web/.env.local is not ignored by the repository's committed .gitignore, so `git add .` would commit it; add `.env` and `.env.*` to .gitignore (with `!.env.example` to keep the example) and commit it\n" {
		t.Errorf("scan of web/:\n%s", out)
	}
	os.WriteFile(filepath.Join(r.dir, ".clarolint.yaml"), []byte("disable: [env-not-ignored, env-file-tracked]\n"), 0o644)
	if out, _, code := clarolint(t, "scan", r.dir); code != exitClean {
		t.Errorf("rules disabled: exit %d\n%s", code, out)
	}
}

// TestStagedCommitAll commits through a hook with the real git: `git
// commit -a` and `git commit PATH` stage into a temporary index that git
// names in GIT_INDEX_FILE, which the hook must read.
func TestStagedCommitAll(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // real git, a process for each step
	gitPath := needTool(t, "git")
	bin := selfCommand(t)
	dir, git := fixture.GitRepo(t, gitPath, []string{asCommand})
	hooks := filepath.Join(dir, ".git", "hooks")
	os.MkdirAll(hooks, 0o755)
	fixture.WriteExecutable(t, filepath.Join(hooks, "pre-commit"), []byte("#!/bin/sh\nexec '"+bin+"' staged\n"))
	key := rulestest.Key(rules.Live, 305)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("clean\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("clean\n"), 0o644)
	git.Must(t, "add", ".")
	git.Must(t, "commit", "-q", "-m", "first")
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("clean\nKEY="+key+"\n"), 0o644)
	for _, args := range [][]string{{"commit", "-a", "-m", "all"}, {"commit", "-m", "path", "a.txt"}} {
		out, err := git(args...)
		if err == nil || !strings.Contains(out, "a.txt:2:5: error claro-live-key") || strings.Contains(out, key[8:]) {
			t.Errorf("git %s: %v, want it blocked:\n%s", strings.Join(args, " "), err, redactAll(out, key))
		}
	}
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("clean\nstill clean\n"), 0o644)
	if out, err := git("commit", "-m", "b only", "b.txt"); err != nil {
		t.Errorf("a clean partial commit was blocked: %v\n%s", err, redactAll(out, key))
	}
}
