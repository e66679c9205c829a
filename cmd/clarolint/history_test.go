package main

import (
	"errors"
	"fmt"
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

// historyFixture is a repository whose history holds a live key that is
// gone from HEAD and a test key in a tracked .env that is still there.
func historyFixture(t *testing.T) (dir string, keys []string) {
	t.Helper()
	live, test := rulestest.Key(rules.Live, 201), rulestest.Key(rules.Test, 202)
	r := newLooseRepo(t)
	c1 := r.commit(map[string]string{
		"app/config.py": "import os\nKEY = \"" + live + "\"\n",
		".env":          "CLARO_KEY=" + test + "\n",
	}, "Ana", 1700000000, "")
	r.commit(map[string]string{
		"app/config.py": "import os\nKEY = os.environ[\"CLARO_KEY\"]\n",
		".env":          "CLARO_KEY=" + test + "\n",
	}, "Bo", 1700003600, c1)
	return r.dir, []string{live, test}
}

func TestHistoryGolden(t *testing.T) {
	t.Parallel()
	dir, keys := historyFixture(t)
	checkGoldenFormats(t, "history", []string{"history", dir}, keys)
}

func TestHistoryExitStatus(t *testing.T) {
	t.Parallel()
	dir, _ := historyFixture(t)
	clean := newLooseRepo(t)
	clean.commit(map[string]string{"a.txt": "no keys\n"}, "Ana", 1700000000, "")
	notRepo := t.TempDir()

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"findings", []string{"history", dir}, exitFindings, ""},
		{"clean", []string{"history", clean.dir}, exitClean, ""},
		{"a range after the key", []string{"history", "--range", "main~1..main", dir}, exitClean, ""},
		{"--branch and --since", []string{"history", "--branch", "main", "--since", "main~1", dir}, exitClean, ""},
		{"not a repository", []string{"history", notRepo}, exitError, "is not in a git repository"},
		{"bad --range", []string{"history", "--range", "main..nope", dir}, exitError, `unknown revision "nope"`},
		{"bad --branch", []string{"history", "--branch", "nope", dir}, exitError, `unknown revision "nope"`},
		{"--range with --branch", []string{"history", "--range", "a..b", "--branch", "main", dir}, exitError, "a range cannot be combined with a branch or a since revision"},
		{"--range with --since", []string{"history", "--range", "main~1..main", "--since", "main~1", dir}, exitError, "a range cannot be combined"},
		{"two repositories", []string{"history", dir, dir}, exitError, "give at most one repository"},
	} {
		_, errOut, code := clarolint(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, errOut, tt.code, tt.stderr)
		}
	}

	_, errOut, _ := clarolint(t, "history", "--verbose", dir)
	if !strings.Contains(errOut, "history: 2 commits") {
		t.Errorf("--verbose: %q", errOut)
	}
}

// TestProgressLine: on a terminal the line is drawn in place, a warning
// clears it first, and it is cleared at the end; elsewhere (a CI log) it is
// a plain line at most every 10 s (issue 11), and off, nothing.
func TestProgressLine(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	off := newProgressLine(&b, false, false)
	off.update(scannerProgress(3))
	off.clear()
	if b.Len() != 0 || off.last.Commits != 3 {
		t.Errorf("off: wrote %q, last %+v", b.String(), off.last)
	}

	on := newProgressLine(&b, true, true)
	on.update(scannerProgress(5))
	if got := b.String(); !strings.HasPrefix(got, "\r\x1b[Kclarolint history: 5 commits, 5 objects scanned, 5 MB") || strings.Contains(got, "\n") {
		t.Errorf("progress line %q", got)
	}
	b.Reset()
	fmt.Fprintf(on, "warning: x\n")
	on.clear()
	if got := b.String(); got != "\r\x1b[Kwarning: x\n" {
		t.Errorf("warning and end: %q", got)
	}

	b.Reset()
	plain := newProgressLine(&b, true, false)
	plain.update(scannerProgress(1))
	if b.Len() != 0 {
		t.Errorf("plain progress before 10 s: %q", b.String())
	}
	plain.shown = plain.shown.Add(-progressEveryPlain) // as if 10 s had passed
	plain.update(scannerProgress(1))
	plain.update(scannerProgress(2)) // too soon after the last line
	plain.clear()
	if got := b.String(); !strings.HasPrefix(got, "clarolint history: 1 commit, 1 object scanned, 1 MB, ") || strings.Count(got, "\n") != 1 || strings.Contains(got, "\x1b") {
		t.Errorf("plain progress: %q", got)
	}
}

func scannerProgress(n int64) scanner.HistoryProgress {
	return scanner.HistoryProgress{Commits: n, Blobs: n, Bytes: n * 1e6}
}

// hiddenKeyRepo makes a repository whose second of three commits adds a
// key that the third removes, and returns it with the three commit hashes.
func hiddenKeyRepo(t *testing.T, gitPath, key string) (string, fixture.Git, [3]string) {
	t.Helper()
	dir, git := fixture.GitRepo(t, gitPath, nil)
	var cs [3]string
	for i, body := range []string{"clean\n", "KEY=" + key + "\n", "clean again\n"} {
		if err := os.WriteFile(filepath.Join(dir, "sub", "k.txt"), []byte(body), 0o644); err != nil {
			if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "sub", "k.txt"), []byte(body), 0o644)
		}
		git.Must(t, "add", "-A")
		git.Must(t, "commit", "-q", "-m", "c")
		cs[i] = strings.TrimSpace(git.Must(t, "rev-parse", "HEAD"))
	}
	return dir, git, cs
}

// TestIssue12RepositorySettings: a repository's own git settings never
// change what history scans: diff.relative with core.worktree (which made
// git log list nothing), info/grafts and replace refs (which hide the
// commit that added a key).
func TestIssue12RepositorySettings(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // real git, a process for each step
	gitPath := needTool(t, "git")
	key := rulestest.Key(rules.Live, 1231)
	for _, tt := range []struct {
		name  string
		setup func(dir string, git fixture.Git, cs [3]string)
	}{
		{"diff.relative and core.worktree", func(dir string, git fixture.Git, _ [3]string) {
			git.Must(t, "config", "diff.relative", "true")
			git.Must(t, "config", "core.worktree", dir)
		}},
		{"info/grafts", func(dir string, _ fixture.Git, cs [3]string) {
			os.MkdirAll(filepath.Join(dir, ".git", "info"), 0o755)
			if err := os.WriteFile(filepath.Join(dir, ".git", "info", "grafts"), []byte(cs[2]+" "+cs[0]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"refs/replace", func(_ string, git fixture.Git, cs [3]string) {
			git.Must(t, "replace", "--graft", cs[2], cs[0])
		}},
	} {
		dir, git, cs := hiddenKeyRepo(t, gitPath, key)
		tt.setup(dir, git, cs)
		out, errOut, code := clarolint(t, "history", dir)
		if code != exitFindings || !strings.Contains(out, "sub/k.txt:1:5: error claro-live-key") || !strings.Contains(out, "introduced in commit "+cs[1][:12]) {
			t.Errorf("%s: exit %d\n%s%s", tt.name, code, out, errOut)
		}
	}
}

// TestIssue12HostileRepositoryInert: settings that make git run commands
// (fsmonitor, hooks, pager, filters, textconv, aliases, an external diff)
// stay inert: no clarolint command runs any of them.
func TestIssue12HostileRepositoryInert(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // real git, a process for each step
	gitPath := needTool(t, "git")
	key := rulestest.Key(rules.Live, 1232)
	dir, git, _ := hiddenKeyRepo(t, gitPath, key)
	os.WriteFile(filepath.Join(dir, "sub", "k.txt"), []byte("KEY="+key+"\n"), 0o644)
	git.Must(t, "add", "sub/k.txt") // staged before the filters below exist
	marker := filepath.Join(t.TempDir(), "ran")
	run := "touch " + marker
	for _, kv := range [][2]string{
		{"core.fsmonitor", run}, {"core.hooksPath", filepath.Join(dir, "hooks")}, {"core.pager", run},
		{"filter.x.clean", run}, {"filter.x.smudge", run}, {"filter.x.process", run}, {"filter.x.required", "true"},
		{"diff.x.textconv", run}, {"diff.external", run}, {"alias.log", "!" + run}, {"alias.cat-file", "!" + run},
		{"core.sshCommand", run}, {"gpg.program", run}, {"log.showSignature", "true"},
	} {
		git.Must(t, "config", kv[0], kv[1])
	}
	os.MkdirAll(filepath.Join(dir, "hooks"), 0o755)
	for _, h := range []string{"pre-commit", "post-checkout", "reference-transaction", "fsmonitor-watchman"} {
		fixture.WriteExecutable(t, filepath.Join(dir, "hooks", h), []byte("#!/bin/sh\n"+run+"\n"))
	}
	os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte("* filter=x diff=x\n"), 0o644)
	for _, args := range [][]string{{"scan", dir}, {"history", dir}, {"staged", "--all", dir}, {"pre-commit", filepath.Join(dir, "sub", "k.txt")}} {
		out, errOut, code := clarolint(t, args...)
		if code != exitFindings {
			t.Errorf("%s: exit %d\n%s%s", args[0], code, out, errOut)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s ran a command the repository configured", args[0])
		}
	}
}

// TestIssue12ConfigFromBase: a pull request that adds a key and allows
// its own path in .clarolint.yaml passes when the config is read from the
// work tree; with --config-rev BASE the key is found, and the widening is
// a config-widened warning of its own. New baseline entries count too.
func TestIssue12ConfigFromBase(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1241)
	r := newLooseRepo(t)
	baseFiles := map[string]string{
		".clarolint.yaml": "allow:\n  paths: [\"testdata/**\"]\n",
		"app/main.py":     "print('hello')\n",
	}
	base := r.commit(baseFiles, "Base", 1700000000, "")
	headFiles := map[string]string{
		".clarolint.yaml": "allow:\n  paths: [\"testdata/**\", \"**\"]\ndisable: [claro-test-key]\nbaseline: accepted.json\n",
		"accepted.json":   `{"findings": [{"rule_id": "claro-live-key", "path": "app/main.py", "fingerprint": "` + rules.Fingerprint([]byte(key)) + `"}]}`,
		"app/main.py":     "print('hello')\nKEY = '" + key + "'\n",
	}
	head := r.commit(headFiles, "Pr", 1700000100, base)
	r.stage(headFiles) // the checked-out pull request
	rng := base + ".." + head

	if out, errOut, code := clarolint(t, "history", "--range", rng, r.dir); code != exitClean {
		t.Fatalf("without --config-rev the pull request should hide its key (the attack this guards against): exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code := clarolint(t, "history", "--range", rng, "--config-rev", base, r.dir)
	if code != exitFindings || !strings.Contains(out, "app/main.py:2:8: error claro-live-key") ||
		!strings.Contains(out, ".clarolint.yaml:1:1: warning config-widened: this change widens what clarolint lets through: allow.paths **; disable claro-test-key; 1 new accepted finding in the baseline accepted.json; the scan used the settings of "+base) {
		t.Errorf("--config-rev base: exit %d\n%s%s", code, out, errOut)
	}
	// A change that narrows the settings is no finding.
	narrow := r.commit(map[string]string{".clarolint.yaml": "entropy: 3.5\n", "app/main.py": "ok\n"}, "Pr", 1700000200, base)
	if out, errOut, code := clarolint(t, "history", "--range", base+".."+narrow, "--config-rev", base, r.dir); code != exitClean {
		t.Errorf("a narrowing change: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := clarolint(t, "history", "--config", "x.yaml", "--config-rev", base, r.dir); code != exitError || !strings.Contains(errOut, "give one") {
		t.Errorf("--config with --config-rev: exit %d, %s", code, errOut)
	}
}

// TestHistoryMessages pins a documented limit and its workaround: history
// reads files, not commit or tag messages, so a key pasted into a message
// passes it; the README's two commands that pipe the messages into scan
// catch both. If history learns to read messages, this fails, and the
// README's Limits must change with it.
func TestHistoryMessages(t *testing.T) {
	t.Parallel()
	gitPath := needTool(t, "git")
	sh := needTool(t, "sh")
	live, test := rulestest.Key(rules.Live, 1411), rulestest.Key(rules.Test, 1412)
	dir, git := fixture.GitRepo(t, gitPath, nil)
	fixture.WriteFiles(t, dir, map[string]string{"a.txt": "no keys\n"})
	git.Must(t, "add", "-A")
	git.Must(t, "commit", "-q", "-m", "deploy with "+live)
	git.Must(t, "tag", "-a", "v1", "-m", "release key "+test)

	if out, errOut, code := clarolint(t, "history", dir); code != exitClean {
		t.Errorf("history: exit %d, want %d (messages are not scanned, as the README says)\n%s%s", code, exitClean, redactAll(redactAll(out, live), test), redactAll(redactAll(errOut, live), test))
	}

	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "Check the messages with\n\n```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if !ok || len(lines) != 2 {
		t.Fatalf("README: no sh block of two commands after %q: %q", "Check the messages with", lines)
	}
	bin := filepath.Dir(selfCommand(t))
	for i, want := range []string{"claro-live-key", "claro-test-key"} {
		cmd := exec.Command(sh, "-c", lines[i])
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), asCommand, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFindings || !strings.Contains(string(out), want) {
			t.Errorf("%s: %v, want exit %d and %s\n%s", lines[i], err, exitFindings, want, redactAll(redactAll(string(out), live), test))
		}
	}
}
