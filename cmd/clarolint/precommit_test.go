package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

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
	hookRepo, hookGit := moduleCopy(t, gitPath)
	rev := strings.TrimSpace(mustRun(t, hookGit, "rev-parse", "HEAD"))
	env := preCommitEnv(t)
	dir, git := gitRepo(t, gitPath, env)
	preCommitIn := func(args ...string) (string, error) {
		cmd := exec.Command(preCommit, args...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), env...), "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key := rulestest.Key(rules.Live, 77)
	redacted := rules.Redact([]byte(key))

	// try-repo: the hook as a user tries it before adopting it.
	write("settings.py", "CLARO_KEY = \""+key+"\"\n")
	mustRun(t, git, "add", "settings.py")
	out, err := preCommitIn("try-repo", hookRepo, "clarolint")
	if err == nil || !strings.Contains(out, redacted) || strings.Contains(out, key[8:]) {
		t.Fatalf("try-repo on a staged live key: %v, want a failure showing %s:\n%s", err, redacted, redactAll(out, key))
	}
	mustRun(t, git, "rm", "-q", "--cached", "settings.py")
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
	mustRun(t, git, "add", ".")
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
		mustRun(t, git, "add", "-f", tt.file)
		out, err := git("commit", "-m", tt.name)
		if blocked := err != nil; blocked != tt.blocked || !strings.Contains(out, tt.want) || strings.Contains(out, key[8:]) {
			t.Errorf("%s: blocked %v, want %v and output holding %q:\n%s", tt.name, blocked, tt.blocked, tt.want, redactAll(out, key))
		}
		if err != nil {
			mustRun(t, git, "rm", "-q", "--cached", "-f", tt.file)
			os.Remove(filepath.Join(dir, tt.file))
		}
	}

	// pre-push: a key committed past the hook (--no-verify) is caught
	// when the commits are pushed.
	remote := t.TempDir()
	if out, err := exec.Command(gitPath, "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v\n%s", err, out)
	}
	mustRun(t, git, "remote", "add", "origin", remote)
	if out, err := git("push", "-q", "origin", "main"); err != nil {
		t.Fatalf("pushing clean history was blocked: %v\n%s", err, redactAll(out, key))
	}
	write("deploy.sh", "export CLARO_KEY="+key+"\n")
	mustRun(t, git, "add", "deploy.sh")
	mustRun(t, git, "commit", "-q", "--no-verify", "-m", "sneak a key in")
	out, err = git("push", "origin", "main")
	if err == nil || !strings.Contains(out, redacted) || strings.Contains(out, key[8:]) {
		t.Errorf("push of a commit holding a key: %v, want it blocked showing %s:\n%s", err, redacted, redactAll(out, key))
	}
}
