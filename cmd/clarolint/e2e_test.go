package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
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
const (
	asCommandVar = "CLAROLINT_TEST_AS_COMMAND"
	asCommand    = asCommandVar + "=1"
)

// TestMain lets the test binary stand in for the clarolint command: run
// with asCommand in its environment, it is clarolint. Tests that need a
// command on disk (a git hook, another user) use selfCommand, not go build.
func TestMain(m *testing.M) {
	if os.Getenv(asCommandVar) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// selfCommand returns a copy of this test binary named clarolint in a new
// directory, world-readable so that another user can run it too; the
// process that runs it needs asCommand in its environment. The copy is
// written with fixture.WriteExecutable: running it could otherwise fail
// with "text file busy" while parallel tests start processes.
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
	fixture.WriteExecutable(t, bin, b)
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

// redactAll replaces a key's body in test output, so that a failure
// message never prints a key.
func redactAll(s, key string) string {
	return strings.ReplaceAll(s, key[8:], "…")
}
