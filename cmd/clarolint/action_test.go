package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestActionlint lints the workflows, and through `uses: ./` the action's
// inputs and outputs, with the real actionlint (with shellcheck when it is
// installed).
func TestActionlint(t *testing.T) {
	t.Parallel()
	actionlint := needTool(t, "actionlint")
	gitPath := needTool(t, "git")
	dir, _ := fixture.ModuleCopy(t, gitPath) // actionlint finds the project by its .git
	cmd := exec.Command(actionlint, "-verbose")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Linting .github/workflows/ci.yml") {
		t.Errorf("actionlint did not lint ci.yml:\n%s", out)
	}
}

// offlineWorkflow runs the action from the repository itself, with the
// steps that need the network turned off.
const offlineWorkflow = `name: offline
on: [push, pull_request]
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: clarolint
        uses: ./
        with:
          setup-go: "false"
          upload-sarif: "false"
      - if: always()
        run: |
          cp "${{ steps.clarolint.outputs.sarif-file }}" "$SARIF_OUT"
          echo "range=[${{ steps.clarolint.outputs.range }}] exit=${{ steps.clarolint.outputs.exit-code }}"
`

// stubAction is a local stand-in for a remote action: act clones every
// remote action of a composite action before it evaluates `if:`, so
// offline each one is replaced, and one that runs fails the test.
const stubAction = `name: stub
description: stands in for a remote action in an offline test
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "remote action ran in an offline test" >&2; exit 1
`

// act runs the workflows of repo in act's host mode, offline.
func act(t *testing.T, actPath, repo string, args ...string) (string, string, error) {
	t.Helper()
	stubs := t.TempDir()
	for _, p := range []string{"setup-go/action.yml", "codeql-action/upload-sarif/action.yml"} {
		os.MkdirAll(filepath.Join(stubs, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(stubs, p), []byte(stubAction), 0o644)
	}
	sarif := filepath.Join(t.TempDir(), "out.sarif")
	// The action builds clarolint with the host's Go; point it at the
	// host's caches, which the fresh HOME below would hide.
	var goEnv []string
	for _, v := range []string{"GOCACHE", "GOMODCACHE"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", v, err)
		}
		goEnv = append(goEnv, v+"="+strings.TrimSpace(string(out)))
	}
	for _, e := range goEnv {
		args = append(args, "--env", e)
	}
	cmd := exec.Command(actPath, append(args,
		"-W", ".github/workflows/offline.yml",
		"-P", "ubuntu-latest=-self-hosted",
		"--local-repository", "actions/setup-go@v5="+filepath.Join(stubs, "setup-go"),
		"--local-repository", "github/codeql-action@v4="+filepath.Join(stubs, "codeql-action"),
		"--env", "SARIF_OUT="+sarif,
	)...)
	cmd.Dir = repo
	cmd.Env = append(append(os.Environ(), goEnv...), "HOME="+t.TempDir()) // no ~/.actrc, no prompt
	out, err := cmd.CombinedOutput()
	b, _ := os.ReadFile(sarif)
	return string(out), string(b), err
}

// actRepo is a copy of this module with the offline workflow added, not
// yet committed.
func actRepo(t *testing.T, gitPath string) (string, fixture.Git) {
	t.Helper()
	repo, git := fixture.ModuleCopy(t, gitPath)
	dir := filepath.Join(repo, ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "offline.yml"), []byte(offlineWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	return repo, git
}

// TestActionUnderAct runs action.yml for real under act: a push of a clean
// tree passes, a planted key fails the job, and the SARIF it writes is
// valid SARIF 2.1.0.
func TestActionUnderAct(t *testing.T) {
	t.Parallel()
	actPath := needTool(t, "act")
	gitPath := needTool(t, "git")
	repo, git := actRepo(t, gitPath)
	git.Must(t, "add", "-A")
	git.Must(t, "commit", "-q", "-m", "offline workflow")

	out, sarif, err := act(t, actPath, repo, "push")
	if err != nil {
		t.Fatalf("act push on a clean tree failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "scanning the whole history") {
		t.Errorf("a push without a usable range should scan the whole history:\n%s", out)
	}
	validateSARIF(t, sarif, 0)

	key := rulestest.Key(rules.Live, 91)
	os.WriteFile(filepath.Join(repo, "deploy.env.sh"), []byte("export CLARO_KEY="+key+"\n"), 0o644)
	git.Must(t, "add", "deploy.env.sh")
	git.Must(t, "commit", "-q", "-m", "a key")
	out, sarif, err = act(t, actPath, repo, "push")
	if err == nil {
		t.Fatalf("act push with a planted key passed:\n%s", redactAll(out, key))
	}
	if !strings.Contains(out, rules.Redact([]byte(key))) || strings.Contains(out+sarif, key[8:]) {
		t.Errorf("the job log should show the redacted key and never the key:\n%s", redactAll(out, key))
	}
	validateSARIF(t, sarif, 1)
}

// TestActionPullRequest feeds a pull_request event: only the commits of
// the pull request are scanned, so a key already on the base branch is
// not reported and one the pull request adds is, although the pull
// request also allows every path in .clarolint.yaml: the settings come
// from the base commit, and the widening is a finding of its own.
func TestActionPullRequest(t *testing.T) {
	t.Parallel()
	actPath := needTool(t, "act")
	gitPath := needTool(t, "git")
	repo, git := actRepo(t, gitPath)
	old, added := rulestest.Key(rules.Live, 92), rulestest.Key(rules.Live, 93)
	os.WriteFile(filepath.Join(repo, "legacy.cfg"), []byte("key="+old+"\n"), 0o644)
	git.Must(t, "add", "-A")
	git.Must(t, "commit", "-q", "-m", "base, with a key from before")
	base := strings.TrimSpace(git.Must(t, "rev-parse", "HEAD"))
	os.WriteFile(filepath.Join(repo, "feature.cfg"), []byte("key="+added+"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, ".clarolint.yaml"), []byte("allow:\n  paths: [\"**\"]\n"), 0o644)
	git.Must(t, "add", "-A")
	git.Must(t, "commit", "-q", "-m", "the pull request")
	head := strings.TrimSpace(git.Must(t, "rev-parse", "HEAD"))

	event := filepath.Join(t.TempDir(), "event.json")
	b, _ := json.Marshal(map[string]any{"pull_request": map[string]any{
		"number": 1, "base": map[string]any{"sha": base, "ref": "main"}, "head": map[string]any{"sha": head, "ref": "feature"},
	}})
	os.WriteFile(event, b, 0o644)
	out, sarif, err := act(t, actPath, repo, "pull_request", "-e", event)
	if err == nil {
		t.Fatalf("a pull request adding a key passed:\n%s", redactAll(redactAll(out, old), added))
	}
	if !strings.Contains(out, "scanning the commits in "+base+".."+head) || !strings.Contains(out, "settings from the base commit "+base) {
		t.Errorf("the pull request's range was not scanned:\n%s", redactAll(redactAll(out, old), added))
	}
	if !strings.Contains(sarif, rules.Redact([]byte(added))) || strings.Contains(sarif, rules.Redact([]byte(old))) || !strings.Contains(sarif, `"ruleId": "config-widened"`) {
		t.Errorf("want the key the pull request adds, and its widened settings, in the SARIF")
	}
	validateSARIF(t, sarif, 2)
}

// validateSARIF checks a SARIF report against the official 2.1.0 schema
// and counts its results.
func validateSARIF(t *testing.T, doc string, results int) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	schema, err := c.Compile(filepath.Join("..", "..", "report", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("the action wrote no SARIF: %v", err)
	}
	if err := schema.Validate(v); err != nil {
		t.Fatalf("the action's SARIF is not valid SARIF 2.1.0: %v", err)
	}
	var s struct {
		Runs []struct{ Results []json.RawMessage } `json:"runs"`
	}
	json.Unmarshal([]byte(doc), &s)
	if len(s.Runs) != 1 || len(s.Runs[0].Results) != results {
		t.Errorf("SARIF has %d runs, want 1 with %d results", len(s.Runs), results)
	}
}
