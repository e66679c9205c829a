package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// sweepWorkflow reads examples/org-sweep.yml, the organisation-wide sweep
// that users copy into their .github/workflows.
func sweepWorkflow(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "org-sweep.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// usesRef returns the action reference the workflow gives for repo
// ("actions/checkout@v4"), so that the stubs follow the workflow's pins.
func usesRef(t *testing.T, workflow, repo string) string {
	t.Helper()
	m := regexp.MustCompile(`uses: (` + regexp.QuoteMeta(repo) + `@\S+)`).FindStringSubmatch(workflow)
	if m == nil {
		t.Fatalf("the sweep does not use %s", repo)
	}
	return m[1]
}

// TestSweepActionlint lints the sweep as shipped, and a copy that takes
// the action from this checkout (`uses: ./`) so that actionlint checks
// the inputs the sweep passes against action.yml. shellcheck checks the
// scripts.
func TestSweepActionlint(t *testing.T) {
	t.Parallel()
	actionlint := needTool(t, "actionlint")
	needTool(t, "shellcheck")
	gitPath := needTool(t, "git")
	dir, _ := fixture.ModuleCopy(t, gitPath) // actionlint finds the project by its .git
	wf := sweepWorkflow(t)
	local := strings.ReplaceAll(wf, usesRef(t, wf, "clarolint/clarolint"), "./")
	os.MkdirAll(filepath.Join(dir, ".github", "workflows"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, ".github", "workflows", "org-sweep-local.yml"), []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(actionlint, "-verbose", "examples/org-sweep.yml", ".github/workflows/org-sweep-local.yml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
	for _, want := range []string{"Linting examples/org-sweep.yml", "Linting .github/workflows/org-sweep-local.yml"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("actionlint did not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `Rule "shellcheck" was disabled`) {
		t.Errorf("actionlint ran without shellcheck:\n%s", out)
	}
}

// Local stand-ins for the remote actions the sweep itself uses. They do,
// on the host, the part of the real action's work that the sweep relies
// on, and fail when the sweep asks for less than a history scan needs.
var sweepStubs = map[string]string{
	// actions/checkout: clones $SWEEP_ORIGINS/OWNER/NAME into the workspace.
	"checkout": `name: checkout stub
description: clones a local origin instead of a GitHub repository
inputs:
  repository: {description: owner/name}
  token: {description: token}
  fetch-depth: {description: depth, default: "1"}
  persist-credentials: {description: keep the token, default: "true"}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        REPOSITORY: ${{ inputs.repository }}
        TOKEN: ${{ inputs.token }}
        DEPTH: ${{ inputs.fetch-depth }}
        PERSIST: ${{ inputs.persist-credentials }}
      run: |
        [ -n "$TOKEN" ] || { echo "checkout stub: no token" >&2; exit 1; }
        [ "$DEPTH" = 0 ] || { echo "checkout stub: fetch-depth $DEPTH, want 0 (the whole history)" >&2; exit 1; }
        [ "$PERSIST" = false ] || { echo "checkout stub: the token would stay in .git/config" >&2; exit 1; }
        git clone -q "$SWEEP_ORIGINS/$REPOSITORY" "$GITHUB_WORKSPACE"
`,
	// actions/upload-artifact: a directory's contents become the artifact;
	// a name already taken fails, as in upload-artifact v4.
	"upload-artifact": `name: upload-artifact stub
description: copies a directory into $SWEEP_ARTIFACTS/NAME
inputs:
  name: {description: artifact name}
  path: {description: a directory}
  if-no-files-found: {description: ignored}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        NAME: ${{ inputs.name }}
        SRC: ${{ inputs.path }}
      run: mkdir "$SWEEP_ARTIFACTS/$NAME" && cp -R "$SRC/." "$SWEEP_ARTIFACTS/$NAME/"
`,
	// actions/download-artifact with a pattern: each matching artifact
	// into PATH/NAME; none matching is not an error.
	"download-artifact": `name: download-artifact stub
description: copies $SWEEP_ARTIFACTS/PATTERN into PATH/NAME
inputs:
  pattern: {description: artifact name glob}
  path: {description: destination}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        PATTERN: ${{ inputs.pattern }}
        DEST: ${{ inputs.path }}
      run: |
        for d in "$SWEEP_ARTIFACTS"/$PATTERN; do
          [ -d "$d" ] || continue
          mkdir -p "$DEST/${d##*/}" && cp -R "$d/." "$DEST/${d##*/}/"
        done
`,
}

// sweepRun runs the sweep under act, dispatched for the given repository
// list with token as the SWEEP_TOKEN secret (none if empty), with the
// origins of the repositories in origins and the artifacts collected in
// artifacts.
func sweepRun(t *testing.T, actPath, gitPath, repositories, token, origins, artifacts string) (string, error) {
	t.Helper()
	wf := sweepWorkflow(t)
	// The security team's repository, which runs the sweep; it is also the
	// action's source, as a copy of this module.
	repo, git := fixture.ModuleCopy(t, gitPath)
	os.MkdirAll(filepath.Join(repo, ".github", "workflows"), 0o755)
	if err := os.WriteFile(filepath.Join(repo, ".github", "workflows", "offline.yml"), []byte(wf), 0o644); err != nil {
		t.Fatal(err)
	}
	git.Must(t, "add", "-A")
	git.Must(t, "commit", "-q", "-m", "the sweep")

	stubs := t.TempDir()
	args := []string{"workflow_dispatch",
		"--input", "repositories=" + repositories,
		"--var", "CLAROLINT_SETUP_GO=false", // the host's Go; setup-go is a remote action
		"--local-repository", usesRef(t, wf, "clarolint/clarolint") + "=" + repo,
		"--env", "SWEEP_ORIGINS=" + origins,
		"--env", "SWEEP_ARTIFACTS=" + artifacts,
	}
	if token != "" {
		args = append(args, "-s", "SWEEP_TOKEN="+token)
	}
	for name, stub := range sweepStubs {
		os.MkdirAll(filepath.Join(stubs, name), 0o755)
		os.WriteFile(filepath.Join(stubs, name, "action.yml"), []byte(stub), 0o644)
		args = append(args, "--local-repository", usesRef(t, wf, "actions/"+name)+"="+filepath.Join(stubs, name))
	}
	out, _, err := act(t, actPath, repo, args...)
	return out, err
}

// sweepRow is a row of the sweep's summary table.
var sweepRow = regexp.MustCompile("(?m)^\\| \\[`([^`]+)`\\]\\([^)]*\\)( \\(incomplete\\))? \\|([^|]*)\\|([^|]*)\\|([^|]*)\\|$")

// TestSweepUnderAct dispatches the sweep under act for three local
// repositories: one with keys in its history, a clean one and one that
// cannot be cloned. The summary table counts each repository's distinct
// live keys, test keys and keys still in HEAD, the reports are uploaded as
// one artifact per repository, and no key appears in full anywhere.
func TestSweepUnderAct(t *testing.T) {
	t.Parallel()
	actPath := needTool(t, "act")
	gitPath := needTool(t, "git")
	needTool(t, "jq") // the sweep's scripts use it, as GitHub's runners have it

	origins := t.TempDir()
	os.Mkdir(filepath.Join(origins, "acme"), 0o755)
	origin := func(name string, commits ...map[string]string) {
		dir, git := fixture.GitRepo(t, gitPath, nil)
		for i, files := range commits {
			for path, content := range files {
				os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o755)
				os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644)
			}
			git.Must(t, "add", "-A")
			git.Must(t, "commit", "-q", "-m", fmt.Sprintf("commit %d", i+1))
		}
		if err := os.Symlink(dir, filepath.Join(origins, "acme", name)); err != nil {
			t.Fatal(err)
		}
	}
	removed, twice, test, exposed := rulestest.Key(rules.Live, 301), rulestest.Key(rules.Live, 302),
		rulestest.Key(rules.Test, 303), rulestest.Key(rules.Live, 304)
	keys := []string{removed, twice, test, exposed}
	origin("leaky", map[string]string{
		"app/settings.py":   "CLARO_KEY = \"" + removed + "\"\n",
		"deploy/prod.yaml":  "claro_key: " + twice + "\n",
		"tests/fixture.txt": test + "\n",
	}, map[string]string{
		"app/settings.py":     "CLARO_KEY = os.environ[\"CLARO_KEY\"]\n", // removed from HEAD, not from history
		"deploy/staging.yaml": "claro_key: " + twice + "\n",              // the same key at a second path
		"web/deploy.sh":       "export NEXT_PUBLIC_CLARO_KEY=" + exposed + "\n",
	})
	placeholder := rulestest.Key(rules.Live, 305)
	origin("clean", map[string]string{
		"README.md": "Set CLARO_KEY, e.g. " + placeholder[:12] + "your" + placeholder[16:] + "\n",
	})

	artifacts := t.TempDir()
	out, err := sweepRun(t, actPath, gitPath, "acme/leaky, acme/clean acme/gone", "token-for-the-sweep", origins, artifacts)
	hide := func(s string) string {
		for _, k := range keys {
			s = redactAll(s, k)
		}
		return s
	}
	if err == nil {
		t.Errorf("the sweep passed although a repository holds keys and one could not be cloned:\n%s", hide(out))
	}

	type row struct{ live, test, head string }
	want := []struct {
		repository string
		row
	}{
		{"acme/gone", row{"not scanned", "", ""}}, // no such origin: the checkout fails
		{"acme/leaky", row{"3", "1", "3"}},
		{"acme/clean", row{"0", "0", "0"}},
	}
	rows := sweepRow.FindAllStringSubmatch(out, -1)
	if len(rows) != len(want) {
		t.Fatalf("the summary has %d rows, want %d:\n%s", len(rows), len(want), hide(out))
	}
	for i, w := range want {
		got := row{strings.TrimSpace(rows[i][3]), strings.TrimSpace(rows[i][4]), strings.TrimSpace(rows[i][5])}
		if rows[i][1] != w.repository || rows[i][2] != "" || got != w.row {
			t.Errorf("summary row %d: %q, want %s with live, test, in HEAD %q", i+1, rows[i][0], w.repository, w.row)
		}
	}
	if headline := "3 repositories: 1 with live keys, 1 with keys still in HEAD, 1 not scanned."; !strings.Contains(out, headline) {
		t.Errorf("the summary does not say %q:\n%s", headline, hide(out))
	}

	// One artifact per repository that was scanned, with its SARIF, JSON
	// report and exit status.
	leaky := filepath.Join(artifacts, "clarolint-acme__leaky")
	clean := filepath.Join(artifacts, "clarolint-acme__clean")
	entries, _ := os.ReadDir(artifacts)
	if len(entries) != 2 {
		t.Errorf("%d artifacts, want 2 (leaky and clean)", len(entries))
	}
	for dir, status := range map[string]string{leaky: "1", clean: "0"} {
		b, err := os.ReadFile(filepath.Join(dir, "exit-code"))
		if err != nil || strings.TrimSpace(string(b)) != status {
			t.Errorf("%s: exit-code %q (%v), want %s", filepath.Base(dir), b, err, status)
		}
	}
	sarif, _ := os.ReadFile(filepath.Join(leaky, "clarolint.sarif"))
	validateSARIF(t, string(sarif), 5) // a finding per key, path and introducing commit
	sarif, _ = os.ReadFile(filepath.Join(clean, "clarolint.sarif"))
	validateSARIF(t, string(sarif), 0)

	everything := out
	filepath.WalkDir(artifacts, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			everything += string(b)
		}
		return nil
	})
	for _, k := range keys {
		if strings.Contains(everything, k[8:]) {
			t.Errorf("the key %s appears in full in act's output or an artifact", rules.Redact([]byte(k)))
		}
	}
}

// TestSweepListFails dispatches the sweep with what the list job must
// refuse: a name that is not a repository's (names land in a matrix, shell
// variables and Markdown), and no SWEEP_TOKEN. The list job fails, saying
// why, and nothing is swept.
func TestSweepListFails(t *testing.T) {
	t.Parallel()
	actPath := needTool(t, "act")
	gitPath := needTool(t, "git")
	for _, tt := range []struct{ name, repositories, token, want string }{
		{"bad name", "acme/app acme/x|y", "token-for-the-sweep", "not a repository name: acme/x|y"},
		{"no token", "acme/app", "", "the SWEEP_TOKEN secret is not set"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// act (v0.2.89, host mode) closes a step's terminal as soon as
			// the step exits non-zero, without draining it
			// (HostEnvironment.exec), so under load the failing list
			// step's last lines can be lost. Each run is checked in full;
			// the message must appear in one of three.
			var out string
			for range 3 {
				var err error
				out, err = sweepRun(t, actPath, gitPath, tt.repositories, tt.token, t.TempDir(), t.TempDir())
				if err == nil {
					t.Fatalf("the sweep ran:\n%s", out)
				}
				if strings.Contains(out, "sweep-1") {
					t.Fatalf("a sweep job ran after the list failed:\n%s", out)
				}
				if strings.Contains(out, tt.want) {
					return
				}
			}
			t.Errorf("the list job did not say %q in three runs; the last:\n%s", tt.want, out)
		})
	}
}
