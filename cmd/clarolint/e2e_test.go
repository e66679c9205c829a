package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// needTool returns the path of an external program a test drives. A test
// of an integration (any tool but the everyday ones) is skipped with a
// message unless CLAROLINT_E2E=1; under CLAROLINT_E2E=1 (CI), a missing
// tool is a failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	if !slices.Contains(everyday, name) && os.Getenv("CLAROLINT_E2E") != "1" {
		t.Skipf("an end-to-end test with %s; set CLAROLINT_E2E=1 to run it", name)
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CLAROLINT_E2E") == "1" {
		t.Fatalf("%s is not on PATH, and CLAROLINT_E2E=1 requires it (.ci/run installs it)", name)
	}
	t.Skipf("%s is not on PATH; skipping this test (set CLAROLINT_E2E=1 to make that a failure)", name)
	return ""
}

// everyday are the tools that tests use without CLAROLINT_E2E=1, when
// they are there: every developer machine has them, and they are quick.
// Tests of the other integrations (pre-commit, act, actionlint, ...)
// are slow, and run only under CLAROLINT_E2E=1, as .ci/run sets it.
var everyday = []string{"git", "sh"}

// asCommand, in the environment of this test binary, makes it clarolint
// itself (see TestMain).
const asCommand = "CLAROLINT_TEST_AS_COMMAND=1"

// TestMain lets the test binary stand in for the clarolint command: run
// with asCommand in its environment, it is clarolint. Tests that need a
// command on disk (a git hook, another user) use selfCommand, not go build.
func TestMain(m *testing.M) {
	if os.Getenv(strings.Split(asCommand, "=")[0]) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// selfCommand returns a copy of this test binary named clarolint in a new
// directory, world-readable so that another user can run it too; the
// process that runs it needs asCommand in its environment.
func selfCommand(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // t.TempDir makes it 0700
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "clarolint")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// buildBinary builds a command of this module into dir and returns its path.
func buildBinary(t *testing.T, dir, pkg, name string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// gitRepo makes an empty repository with a committer identity and no
// inherited hooks or templates, and returns a function running git in it.
func gitRepo(t *testing.T, gitPath string, env []string) (string, func(args ...string) (string, error)) {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(gitPath, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		cmd.Env = append(cmd.Env,
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("init", "-q", "-b", "main", "--template="); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir, run
}

func mustRun(t *testing.T, run func(...string) (string, error), args ...string) string {
	t.Helper()
	out, err := run(args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// moduleCopy copies this module's source (tracked and untracked files that
// .gitignore does not ignore) into a new repository with one commit, so
// that an end-to-end test runs what is in the working tree, and returns
// its path and a function running git in it.
func moduleCopy(t *testing.T, gitPath string) (string, func(args ...string) (string, error)) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ls := exec.Command(gitPath, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	out, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", root, err)
	}
	dir, git := gitRepo(t, gitPath, nil)
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			continue // deleted in the working tree
		}
		fi, _ := os.Stat(filepath.Join(root, name))
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, git, "add", "-A")
	mustRun(t, git, "commit", "-q", "-m", "clarolint under test")
	return dir, git
}

// redactAll replaces a key's body in test output, so that a failure
// message never prints a key.
func redactAll(s, key string) string {
	return strings.ReplaceAll(s, key[8:], "…")
}
