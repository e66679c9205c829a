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

// hookRepo copies this checkout's files (tracked, and untracked ones that
// .gitignore does not ignore) into a new repository with one commit, so
// that pre-commit builds the hooks from the working tree, and returns its
// path and commit.
func hookRepo(t *testing.T, gitPath string) (string, string) {
	t.Helper()
	dir, git := fixture.ModuleCopy(t, gitPath)
	return dir, strings.TrimSpace(git.Must(t, "rev-parse", "HEAD"))
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
	dir, git := fixture.GitRepo(t, gitPath, env)
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
	git.Must(t, "add", ".")
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
			git.Must(t, "add", name)
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
				git.Must(t, "rm", "-q", "--cached", "-f", name)
				os.Remove(filepath.Join(dir, filepath.FromSlash(name)))
			}
		}
	}
}
