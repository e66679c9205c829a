package main_test

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

// needTool returns the path of an external tool for an end-to-end test.
// The test runs with CLAROLINT_E2E=1 only, as in CI, where a missing tool
// is a failure; otherwise it is skipped, so that the package's default
// tests take about a second.
func needTool(t *testing.T, name string) string {
	t.Helper()
	if os.Getenv("CLAROLINT_E2E") != "1" {
		t.Skipf("end-to-end test with %s; set CLAROLINT_E2E=1 to run it", name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not on PATH, and CLAROLINT_E2E=1 requires it (.ci/run installs it)", name)
	}
	return p
}

// gitIn returns a function running git in dir with env added, with no
// user or system config and a fixed identity.
func gitIn(gitPath, dir string, env []string) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		cmd := exec.Command(gitPath, args...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), env...),
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// mustGit runs git and fails t if it fails.
func mustGit(t *testing.T, git func(...string) (string, error), args ...string) string {
	t.Helper()
	out, err := git(args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// newRepo makes an empty repository in a new temporary directory.
func newRepo(t *testing.T, gitPath string, env []string) (string, func(...string) (string, error)) {
	t.Helper()
	dir := t.TempDir()
	git := gitIn(gitPath, dir, env)
	mustGit(t, git, "init", "-q", "-b", "main", "--template=")
	return dir, git
}

// hookRepo copies this checkout's files (tracked, and untracked ones that
// .gitignore does not ignore) into a new repository with one commit, so
// that pre-commit builds the hooks from the working tree, and returns its
// path and commit.
func hookRepo(t *testing.T, gitPath string) (string, string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	list := mustGit(t, gitIn(gitPath, root, nil), "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	dir, git := newRepo(t, gitPath, nil)
	for _, name := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		src := filepath.Join(root, name)
		b, err := os.ReadFile(src)
		if err != nil {
			continue // deleted in the working tree
		}
		fi, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	mustGit(t, git, "add", "-A")
	mustGit(t, git, "commit", "-q", "-m", "clarolint under test")
	return dir, strings.TrimSpace(mustGit(t, git, "rev-parse", "HEAD"))
}

// TestPreCommitModules commits through the real pre-commit framework's
// clarolint-vet hook in a repository whose Go code lives in modules below
// its top: svc and lib in a go.work workspace (svc imports lib and needs
// the workspace), tools outside it, and a script in no module.
func TestPreCommitModules(t *testing.T) {
	t.Parallel()
	preCommit := needTool(t, "pre-commit")
	gitPath := needTool(t, "git")
	hook, rev := hookRepo(t, gitPath)
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	// pre-commit's own store; the host's module cache, which pre-commit's
	// golang language would otherwise replace with an empty one; and hooks
	// built for this machine, whatever GOARCH the tests were built for.
	env := []string{"PRE_COMMIT_HOME=" + t.TempDir(), "GOMODCACHE=" + strings.TrimSpace(string(modcache)),
		"PRE_COMMIT_COLOR=never", "GOOS=", "GOARCH=", "GOFLAGS=", "GOPROXY=off"}
	dir, git := newRepo(t, gitPath, env)
	write := func(name, body string) { fixture.WriteFiles(t, dir, map[string]string{name: body}) }
	write(".pre-commit-config.yaml", "repos:\n  - repo: "+hook+"\n    rev: "+rev+
		"\n    hooks:\n      - id: clarolint-vet\n        language_version: system\n")
	write("go.work", "go 1.26\n\nuse (\n\t./svc\n\t./lib\n)\n")
	write("lib/go.mod", "module example.com/lib\n\ngo 1.26\n")
	write("lib/lib.go", "package lib\n\nconst Scheme = \"Bearer \"\n")
	write("svc/go.mod", "module example.com/svc\n\ngo 1.26\n")
	write("svc/main.go", "package main\n\nimport (\n\t\"os\"\n\n\t\"example.com/lib\"\n)\n\nfunc main() { println(lib.Scheme + os.Getenv(\"BAYT_API_KEY\")) }\n")
	write("tools/go.mod", "module example.com/tools\n\ngo 1.26\n")
	write("tools/gen.go", "package tools\n\nconst Name = \"gen\"\n")
	preCommitCmd := exec.Command(preCommit, "install")
	preCommitCmd.Dir = dir
	preCommitCmd.Env = append(os.Environ(), env...)
	if out, err := preCommitCmd.CombinedOutput(); err != nil {
		t.Fatalf("pre-commit install: %v\n%s", err, out)
	}
	mustGit(t, git, "add", ".")
	if out, err := git("commit", "-m", "clean start: both modules"); err != nil {
		t.Fatalf("a clean commit touching svc and tools was blocked: %v\n%s", err, out)
	}

	svcKey, toolsKey := rulestest.Key(rules.Live, 4501), rulestest.Key(rules.Test, 4502)
	keys := []string{svcKey, toolsKey}
	hide := func(out string) string {
		for _, k := range keys {
			out = strings.ReplaceAll(out, k, rules.Redact([]byte(k)))
		}
		return out
	}
	svcLeak := "package main\n\nvar token = lib.Scheme + \"" + svcKey + "\"\n"
	svcLeak = strings.Replace(svcLeak, "package main\n", "package main\n\nimport \"example.com/lib\"\n", 1)
	toolsLeak := "package tools\n\nvar Key = \"" + toolsKey + "\"\n"
	for _, tt := range []struct {
		name    string
		files   map[string]string
		blocked bool
		want    []string
	}{
		{"key in svc", map[string]string{"svc/x.go": svcLeak}, true,
			[]string{"svc/x.go:5:27: hardcoded Claro live API key " + rules.Redact([]byte(svcKey))}},
		{"keys in svc and tools", map[string]string{"svc/x.go": svcLeak, "tools/y.go": toolsLeak}, true,
			[]string{"svc/x.go:5:27: hardcoded Claro live API key " + rules.Redact([]byte(svcKey)),
				"tools/y.go:3:12: hardcoded Claro test API key " + rules.Redact([]byte(toolsKey))}},
		{"file in no module", map[string]string{"scripts/run.go": "package main\n"}, true,
			[]string{"scripts/run.go is in no Go module"}},
		{"clean change to both modules", map[string]string{"svc/y.go": "package main\n", "tools/z.go": "package tools\n"}, false, nil},
	} {
		for name, body := range tt.files {
			write(name, body)
			mustGit(t, git, "add", name)
		}
		out, err := git("commit", "-m", tt.name)
		for _, k := range keys {
			if strings.Contains(out, k) {
				t.Errorf("%s: the hook's output holds the full key %s", tt.name, rules.Redact([]byte(k)))
			}
		}
		if blocked := err != nil; blocked != tt.blocked {
			t.Errorf("%s: blocked %v, want %v:\n%s", tt.name, blocked, tt.blocked, hide(out))
		}
		for _, want := range tt.want {
			if !strings.Contains(filepath.ToSlash(out), want) {
				t.Errorf("%s: the hook's output does not hold %q:\n%s", tt.name, want, hide(out))
			}
		}
		if err != nil {
			for name := range tt.files {
				mustGit(t, git, "rm", "-q", "--cached", "-f", name)
				os.Remove(filepath.Join(dir, filepath.FromSlash(name)))
			}
		}
	}
}
