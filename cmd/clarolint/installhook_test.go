package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestInstallHookCommit installs the hook in a real repository and commits
// through it with the real git.
func TestInstallHookCommit(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // real git, a process for each step
	gitPath := needTool(t, "git")
	bin := selfCommand(t)
	pathEnv := "PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	dir, git := gitRepo(t, gitPath, []string{pathEnv, asCommand})

	install := exec.Command(bin, "install-hook", dir)
	install.Env = append(os.Environ(), asCommand)
	if out, err := install.CombinedOutput(); err != nil || !strings.Contains(string(out), "installed") {
		t.Fatalf("install-hook: %v\n%s", err, out)
	}

	key := rulestest.Key(rules.Live, 42)
	os.WriteFile(filepath.Join(dir, "config.py"), []byte("API_KEY = \""+key+"\"\n"), 0o644)
	mustRun(t, git, "add", "config.py")
	out, err := git("commit", "-m", "add a key")
	if err == nil {
		t.Fatalf("a commit adding a live key was not blocked:\n%s", out)
	}
	if !strings.Contains(out, rules.Redact([]byte(key))) || strings.Contains(out, key[8:]) {
		t.Errorf("the blocked commit should show the redacted key and never the key:\n%s", redactAll(out, key))
	}

	os.WriteFile(filepath.Join(dir, "config.py"), []byte("API_KEY = \"sk_live_your_key_here_0000000000000000000000000\"\n"), 0o644)
	mustRun(t, git, "add", "config.py")
	if out, err := git("commit", "-m", "a placeholder"); err != nil {
		t.Fatalf("a commit of a placeholder was blocked: %v\n%s", err, out)
	}

	os.WriteFile(filepath.Join(dir, "leak.txt"), []byte(key), 0o644)
	mustRun(t, git, "add", "leak.txt")
	skip := exec.Command(gitPath, "commit", "-m", "skipped once")
	skip.Dir = dir
	skip.Env = append(os.Environ(), pathEnv, asCommand, "SKIP=clarolint", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := skip.CombinedOutput(); err != nil {
		t.Fatalf("SKIP=clarolint did not skip the hook: %v\n%s", err, redactAll(string(out), key))
	}
}

// TestInstallHookOwnership: a foreign hook is kept unless --force, which
// backs it up; --uninstall removes only clarolint's hook and restores the
// backup; core.hooksPath is where the hook goes when set.
func TestInstallHookOwnership(t *testing.T) {
	t.Parallel()
	gitPath := needTool(t, "git")
	dir, git := gitRepo(t, gitPath, nil)
	hooks := filepath.Join(dir, ".git", "hooks")
	os.MkdirAll(hooks, 0o755)
	foreign := "#!/bin/sh\necho husky\n"
	os.WriteFile(filepath.Join(hooks, "pre-commit"), []byte(foreign), 0o755)

	if _, errOut, code := clarolint(t, "install-hook", dir); code != exitError || !strings.Contains(errOut, "was not written by clarolint") {
		t.Fatalf("overwrote a foreign hook: exit %d, %s", code, errOut)
	}
	if _, errOut, code := clarolint(t, "install-hook", "--uninstall", dir); code != exitError || !strings.Contains(errOut, "left as it is") {
		t.Fatalf("--uninstall removed a foreign hook: exit %d, %s", code, errOut)
	}
	if _, errOut, code := clarolint(t, "install-hook", "--force", dir); code != exitClean {
		t.Fatalf("--force: exit %d, %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(hooks, hookBackup)); string(b) != foreign {
		t.Errorf("--force did not keep the foreign hook: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit")); !strings.Contains(string(b), hookMarker) {
		t.Errorf("no clarolint hook after --force: %q", b)
	}
	// Installing again over its own hook needs no --force.
	if _, errOut, code := clarolint(t, "install-hook", dir); code != exitClean {
		t.Fatalf("reinstall: exit %d, %s", code, errOut)
	}
	if _, errOut, code := clarolint(t, "install-hook", "--uninstall", dir); code != exitClean {
		t.Fatalf("--uninstall: exit %d, %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit")); string(b) != foreign {
		t.Errorf("--uninstall did not restore the foreign hook: %q", b)
	}

	mustRun(t, git, "config", "core.hooksPath", ".githooks")
	if _, errOut, code := clarolint(t, "install-hook", dir); code != exitClean {
		t.Fatalf("with core.hooksPath: exit %d, %s", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ".githooks", "pre-commit")); err != nil || !strings.Contains(string(b), hookMarker) {
		t.Errorf("the hook is not under core.hooksPath: %v", err)
	}

	if _, errOut, code := clarolint(t, "install-hook", t.TempDir()); code != exitError || !strings.Contains(errOut, "not inside a git work tree") {
		t.Errorf("outside a repository: exit %d, %s", code, errOut)
	}
}

// TestHookScript: the hook names the installing binary, quoted for the
// shell, and falls back to PATH.
func TestHookScript(t *testing.T) {
	t.Parallel()
	s := hookScript("/opt/it's here/clarolint")
	if !strings.Contains(s, `bin='/opt/it'\''s here/clarolint'`) || !strings.Contains(s, "command -v clarolint") || !strings.Contains(s, `exec "$bin" staged`) {
		t.Errorf("hook script:\n%s", s)
	}
}
