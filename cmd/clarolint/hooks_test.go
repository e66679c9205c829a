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
	"github.com/clarolint/clarolint/scanner"
)

// TestInstallHookCommit installs the hook in a real repository and commits
// through it with the real git.
func TestInstallHookCommit(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // real git, a process for each step
	gitPath := needTool(t, "git")
	bin := selfCommand(t)
	pathEnv := "PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	dir, git := fixture.GitRepo(t, gitPath, []string{pathEnv, asCommand})

	install := exec.Command(bin, "install-hook", dir)
	install.Env = append(os.Environ(), asCommand)
	if out, err := install.CombinedOutput(); err != nil || !strings.Contains(string(out), "installed") {
		t.Fatalf("install-hook: %v\n%s", err, out)
	}

	key := rulestest.Key(rules.Live, 42)
	os.WriteFile(filepath.Join(dir, "config.py"), []byte("API_KEY = \""+key+"\"\n"), 0o644)
	git.Must(t, "add", "config.py")
	out, err := git("commit", "-m", "add a key")
	if err == nil {
		t.Fatalf("a commit adding a live key was not blocked:\n%s", out)
	}
	if !strings.Contains(out, rules.Redact([]byte(key))) || strings.Contains(out, key[8:]) {
		t.Errorf("the blocked commit should show the redacted key and never the key:\n%s", redactAll(out, key))
	}

	os.WriteFile(filepath.Join(dir, "config.py"), []byte("API_KEY = \"sk_live_your_key_here_0000000000000000000000000\"\n"), 0o644)
	git.Must(t, "add", "config.py")
	if out, err := git("commit", "-m", "a placeholder"); err != nil {
		t.Fatalf("a commit of a placeholder was blocked: %v\n%s", err, out)
	}

	os.WriteFile(filepath.Join(dir, "leak.txt"), []byte(key), 0o644)
	git.Must(t, "add", "leak.txt")
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
	dir, git := fixture.GitRepo(t, gitPath, nil)
	hooks := filepath.Join(dir, ".git", "hooks")
	os.MkdirAll(hooks, 0o755)
	foreign := "#!/bin/sh\necho husky\n"
	fixture.WriteExecutable(t, filepath.Join(hooks, "pre-commit"), []byte(foreign))

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

	git.Must(t, "config", "core.hooksPath", ".githooks")
	if _, errOut, code := clarolint(t, "install-hook", dir); code != exitClean {
		t.Fatalf("with core.hooksPath: exit %d, %s", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ".githooks", "pre-commit")); err != nil || !strings.Contains(string(b), hookMarker) {
		t.Errorf("the hook is not under core.hooksPath: %v", err)
	}

	if _, errOut, code := clarolint(t, "install-hook", t.TempDir()); code != exitError || !strings.Contains(errOut, "not inside a git work tree") {
		t.Errorf("outside a repository: exit %d, %s", code, errOut)
	}
	if _, errOut, code := clarolint(t, "install-hook", dir, dir); code != exitError || errOut != "clarolint install-hook: give at most one repository\n" {
		t.Errorf("two repositories: exit %d, %q", code, errOut)
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

// preCommitEnv is the environment for the real pre-commit framework: its
// own store, and the host's module cache, which pre-commit's golang
// language would otherwise replace with an empty one in a fresh GOPATH.
// The hooks are built for the machine that runs them, whatever target the
// tests were built for (GOARCH=386 go test): a cross-compiling go install
// puts its binary in bin/GOOS_GOARCH, where pre-commit does not look.
func preCommitEnv(t *testing.T) []string {
	t.Helper()
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	return []string{
		"PRE_COMMIT_HOME=" + t.TempDir(),
		"GOMODCACHE=" + strings.TrimSpace(string(modcache)),
		"PRE_COMMIT_COLOR=never",
		"GOOS=", "GOARCH=",
	}
}

// TestPreCommitFramework drives the real pre-commit framework: try-repo on
// this checkout, then install and commit through the hooks, at both
// stages, in a temporary repository.
func TestPreCommitFramework(t *testing.T) {
	t.Parallel()
	preCommit := needTool(t, "pre-commit")
	gitPath := needTool(t, "git")
	hookRepo, hookGit := fixture.ModuleCopy(t, gitPath)
	rev := strings.TrimSpace(hookGit.Must(t, "rev-parse", "HEAD"))
	env := preCommitEnv(t)
	dir, git := fixture.GitRepo(t, gitPath, env)
	preCommitIn := func(args ...string) (string, error) {
		cmd := exec.Command(preCommit, args...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), env...), "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	write := func(name, body string) { fixture.WriteFiles(t, dir, map[string]string{name: body}) }
	key := rulestest.Key(rules.Live, 77)
	redacted := rules.Redact([]byte(key))

	// try-repo: the hook as a user tries it before adopting it.
	write("settings.py", "CLARO_KEY = \""+key+"\"\n")
	git.Must(t, "add", "settings.py")
	out, err := preCommitIn("try-repo", hookRepo, "clarolint")
	if err == nil || !strings.Contains(out, redacted) || strings.Contains(out, key[8:]) {
		t.Fatalf("try-repo on a staged live key: %v, want a failure showing %s:\n%s", err, redacted, redactAll(out, key))
	}
	git.Must(t, "rm", "-q", "--cached", "settings.py")
	os.Remove(filepath.Join(dir, "settings.py"))

	// install: the hooks run on every commit and push.
	write(".pre-commit-config.yaml", `repos:
  - repo: `+hookRepo+`
    rev: `+rev+`
    hooks:
      - id: clarolint
        language_version: system
      - id: clarolint-vet
        language_version: system
`)
	write(".gitignore", ".env\n.env.*\n!.env.example\n")
	write("go.mod", "module example.com/consumer\n\ngo 1.22\n")
	write("main.go", "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Getenv(\"BAYT_API_KEY\") }\n")
	if out, err := preCommitIn("install", "--hook-type", "pre-commit", "--hook-type", "pre-push"); err != nil {
		t.Fatalf("pre-commit install: %v\n%s", err, out)
	}
	git.Must(t, "add", ".")
	if out, err := git("commit", "-m", "clean start"); err != nil {
		t.Fatalf("a clean commit was blocked: %v\n%s", err, redactAll(out, key))
	}

	for _, tt := range []struct {
		name, file, body string
		blocked          bool
		want             string
	}{
		{"live key", "app/config.yaml", "claro:\n  key: " + key + "\n", true, redacted},
		{"placeholder", "app/config.yaml", "claro:\n  key: sk_live_your_key_here_00000000000000000000000000000\n", false, ""},
		{"key in Go", "client.go", "package main\n\nvar k = \"" + rulestest.Key(rules.Test, 78) + "\"\n", true, "hardcoded Claro test API key"},
		{"tracked .env", ".env", "DEBUG=1\n", true, "env-file-tracked"},
	} {
		write(tt.file, tt.body)
		git.Must(t, "add", "-f", tt.file)
		out, err := git("commit", "-m", tt.name)
		if blocked := err != nil; blocked != tt.blocked || !strings.Contains(out, tt.want) || strings.Contains(out, key[8:]) {
			t.Errorf("%s: blocked %v, want %v and output holding %q:\n%s", tt.name, blocked, tt.blocked, tt.want, redactAll(out, key))
		}
		if err != nil {
			git.Must(t, "rm", "-q", "--cached", "-f", tt.file)
			os.Remove(filepath.Join(dir, tt.file))
		}
	}

	// pre-push: a key committed past the hook (--no-verify) is caught
	// when the commits are pushed.
	remote := t.TempDir()
	if out, err := exec.Command(gitPath, "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v\n%s", err, out)
	}
	git.Must(t, "remote", "add", "origin", remote)
	if out, err := git("push", "-q", "origin", "main"); err != nil {
		t.Fatalf("pushing clean history was blocked: %v\n%s", err, redactAll(out, key))
	}
	write("deploy.sh", "export CLARO_KEY="+key+"\n")
	git.Must(t, "add", "deploy.sh")
	git.Must(t, "commit", "-q", "--no-verify", "-m", "sneak a key in")
	out, err = git("push", "origin", "main")
	if err == nil || !strings.Contains(out, redacted) || strings.Contains(out, key[8:]) || !strings.Contains(out, "rewrite the commits") {
		t.Errorf("push of a commit holding a key: %v, want it blocked showing %s and what to do:\n%s", err, redacted, redactAll(out, key))
	}

	// Issue 11: HEAD now holds a key in deploy.sh. An ordinary commit of
	// a clean file passes; pre-commit run --all-files (what CI and
	// pre-commit.ci run) and --files deploy.sh fail; --files of a clean
	// file passes.
	write("README.md", "# consumer\n")
	git.Must(t, "add", "README.md")
	if out, err := git("commit", "-m", "docs"); err != nil {
		t.Errorf("a clean commit with a key elsewhere in HEAD was blocked: %v\n%s", err, redactAll(out, key))
	}
	for _, tt := range []struct {
		args    []string
		blocked bool
	}{
		{[]string{"run", "--all-files"}, true},
		{[]string{"run", "clarolint", "--files", "deploy.sh"}, true},
		{[]string{"run", "clarolint", "--files", "README.md", "main.go"}, false},
	} {
		out, err := preCommitIn(tt.args...)
		if blocked := err != nil; blocked != tt.blocked || tt.blocked && (!strings.Contains(out, "deploy.sh:1:18: error claro-live-key") || !strings.Contains(out, redacted)) || strings.Contains(out, key[8:]) {
			t.Errorf("pre-commit %q: blocked %v, want %v:\n%s", tt.args, blocked, tt.blocked, redactAll(out, key))
		}
	}
	// A blocked commit says how to go on.
	write("app/more.yaml", "key: "+key+"\n")
	git.Must(t, "add", "app/more.yaml")
	if out, err := git("commit", "-m", "another key"); err == nil || !strings.Contains(out, "SKIP=clarolint git commit") || !strings.Contains(out, "clarolint:allow") {
		t.Errorf("a blocked commit does not say how to go on: %v\n%s", err, redactAll(out, key))
	}
}

// TestPreCommitPushStage: at the pre-commit framework's push stage the
// hook scans the commits being pushed, whatever files it is given. It sets
// environment variables, so it is not parallel.
func TestPreCommitPushStage(t *testing.T) {
	key := rulestest.Key(rules.Live, 304)
	r := newLooseRepo(t)
	r.commitAndStage(map[string]string{"deploy.sh": "export CLARO_KEY=" + key + "\n"})
	t.Chdir(r.dir) // pre-commit runs hooks at the top of the work tree
	t.Setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
	t.Setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
	out, errOut, code := clarolint(t, "pre-commit", "deploy.sh")
	if code != exitFindings || !strings.Contains(out, "deploy.sh:1:18: error claro-live-key") || !strings.Contains(out, "introduced in commit") ||
		!strings.Contains(errOut, "the push is blocked") {
		t.Errorf("a new branch: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("PRE_COMMIT_FROM_REF", "main")
	t.Setenv("PRE_COMMIT_TO_REF", "main")
	if out, errOut, code := clarolint(t, "pre-commit", "deploy.sh"); code != exitClean {
		t.Errorf("an empty range: exit %d\n%s%s", code, out, errOut)
	}
}

// TestPreCommitPushRange: the push stage's range from pre-commit's
// variables, new and old; it sets the environment, so it is not parallel.
func TestPreCommitPushRange(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want scanner.HistoryOptions
		ok   bool
	}{
		{map[string]string{}, scanner.HistoryOptions{}, false},
		{map[string]string{"PRE_COMMIT_FROM_REF": "a1", "PRE_COMMIT_TO_REF": "b2", "PRE_COMMIT_ORIGIN": "a1", "PRE_COMMIT_SOURCE": "b2"}, scanner.HistoryOptions{Range: "a1..b2"}, true},
		{map[string]string{"PRE_COMMIT_ORIGIN": "b2", "PRE_COMMIT_SOURCE": "a1"}, scanner.HistoryOptions{Range: "b2...a1"}, true},
		{map[string]string{"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/topic", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/topic"}, scanner.HistoryOptions{Branch: "refs/heads/topic"}, true},
	} {
		for _, k := range []string{"PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "PRE_COMMIT_ORIGIN", "PRE_COMMIT_SOURCE", "PRE_COMMIT_LOCAL_BRANCH", "PRE_COMMIT_REMOTE_BRANCH"} {
			t.Setenv(k, tt.env[k])
		}
		got, ok := pushRange()
		if ok != tt.ok || got.Range != tt.want.Range || got.Branch != tt.want.Branch {
			t.Errorf("%v: got %+v, %v; want %+v, %v", tt.env, got, ok, tt.want, tt.ok)
		}
	}
}
