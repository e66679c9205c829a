package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// hiddenKeyRepo makes a repository whose second of three commits adds a
// key that the third removes, and returns it with the three commit hashes.
func hiddenKeyRepo(t *testing.T, gitPath, key string) (string, func(...string) (string, error), [3]string) {
	t.Helper()
	dir, git := gitRepo(t, gitPath, nil)
	var cs [3]string
	for i, body := range []string{"clean\n", "KEY=" + key + "\n", "clean again\n"} {
		if err := os.WriteFile(filepath.Join(dir, "sub", "k.txt"), []byte(body), 0o644); err != nil {
			if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "sub", "k.txt"), []byte(body), 0o644)
		}
		mustRun(t, git, "add", "-A")
		mustRun(t, git, "commit", "-q", "-m", "c")
		cs[i] = strings.TrimSpace(mustRun(t, git, "rev-parse", "HEAD"))
	}
	return dir, git, cs
}

// TestIssue12RepositorySettings: a repository's own git settings never
// change what history scans: diff.relative with core.worktree (which made
// git log list nothing), info/grafts and replace refs (which hide the
// commit that added a key).
func TestIssue12RepositorySettings(t *testing.T) {
	t.Parallel()
	gitPath := needTool(t, "git")
	key := rulestest.Key(rules.Live, 1231)
	for _, tt := range []struct {
		name  string
		setup func(dir string, git func(...string) (string, error), cs [3]string)
	}{
		{"diff.relative and core.worktree", func(dir string, git func(...string) (string, error), _ [3]string) {
			mustRun(t, git, "config", "diff.relative", "true")
			mustRun(t, git, "config", "core.worktree", dir)
		}},
		{"info/grafts", func(dir string, _ func(...string) (string, error), cs [3]string) {
			os.MkdirAll(filepath.Join(dir, ".git", "info"), 0o755)
			if err := os.WriteFile(filepath.Join(dir, ".git", "info", "grafts"), []byte(cs[2]+" "+cs[0]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"refs/replace", func(_ string, git func(...string) (string, error), cs [3]string) {
			mustRun(t, git, "replace", "--graft", cs[2], cs[0])
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
	gitPath := needTool(t, "git")
	key := rulestest.Key(rules.Live, 1232)
	dir, git, _ := hiddenKeyRepo(t, gitPath, key)
	os.WriteFile(filepath.Join(dir, "sub", "k.txt"), []byte("KEY="+key+"\n"), 0o644)
	mustRun(t, git, "add", "sub/k.txt") // staged before the filters below exist
	marker := filepath.Join(t.TempDir(), "ran")
	run := "touch " + marker
	for _, kv := range [][2]string{
		{"core.fsmonitor", run}, {"core.hooksPath", filepath.Join(dir, "hooks")}, {"core.pager", run},
		{"filter.x.clean", run}, {"filter.x.smudge", run}, {"filter.x.process", run}, {"filter.x.required", "true"},
		{"diff.x.textconv", run}, {"diff.external", run}, {"alias.log", "!" + run}, {"alias.cat-file", "!" + run},
		{"core.sshCommand", run}, {"gpg.program", run}, {"log.showSignature", "true"},
	} {
		mustRun(t, git, "config", kv[0], kv[1])
	}
	os.MkdirAll(filepath.Join(dir, "hooks"), 0o755)
	for _, h := range []string{"pre-commit", "post-checkout", "reference-transaction", "fsmonitor-watchman"} {
		os.WriteFile(filepath.Join(dir, "hooks", h), []byte("#!/bin/sh\n"+run+"\n"), 0o755)
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
