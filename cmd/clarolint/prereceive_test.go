package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestPreReceiveInput: what git gives the hook on standard input is read
// whole, and anything else is an error that rejects the push; a push of
// deletions alone has nothing to check.
func TestPreReceiveInput(t *testing.T) {
	t.Parallel()
	zero, a := strings.Repeat("0", 40), strings.Repeat("a", 40)
	for _, tt := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"garbage", "not a ref update\n", nil, exitError, "standard input, line 1"},
		{"SHA-256", strings.Repeat("a", 64) + " " + strings.Repeat("b", 64) + " refs/heads/x\n", nil, exitError, "SHA-1"},
		{"arguments", "", []string{"/srv/app.git"}, exitError, "takes no arguments"},
		{"deletions only", a + " " + zero + " refs/heads/gone\n" + a + " " + zero + " refs/tags/v1\n", nil, exitClean, "nothing to check: 2 refs deleted"},
		{"nothing", "", nil, exitClean, "nothing to check: 0 refs deleted"},
	} {
		out, errOut, code := clarolintStdin(t, tt.stdin, append([]string{"pre-receive", "--gitlab=false"}, tt.args...)...)
		if code != tt.code || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, want %d, and %q on standard error; got stdout %q, stderr:\n%s", tt.name, code, tt.code, tt.want, out, errOut)
		}
	}
}

// TestWriteGitLab: in GitLab's mode a rejection's lines all carry the
// prefix GitLab shows in its web UI; an accepted push's lines do not.
func TestWriteGitLab(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	writeGitLab(&b, []byte("a.txt:1:1: error claro-live-key: …\nclarolint: the push is rejected\n"), true)
	if b.String() != "GL-HOOK-ERR: a.txt:1:1: error claro-live-key: …\nGL-HOOK-ERR: clarolint: the push is rejected\n" {
		t.Errorf("rejected:\n%s", b.String())
	}
	b.Reset()
	writeGitLab(&b, []byte("clarolint pre-receive: checked 1 new commit and 1 blob in 3ms\n"), false)
	if strings.Contains(b.String(), "GL-HOOK-ERR") {
		t.Errorf("accepted:\n%s", b.String())
	}
}

// gitEnv is the environment of every git command of these tests: no
// user or system config, a fixed identity.
var gitEnv = []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
	"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com"}

// gitAt runs git in dir with gitEnv and extra, returning its combined
// output.
func gitAt(t *testing.T, gitPath, dir string, extra []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(gitPath, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), gitEnv...), extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// hookServer is a bare repository with clarolint as its pre-receive hook,
// and a clone to push from.
type hookServer struct {
	t                   *testing.T
	bin, git, bare, dir string
	env                 []string // extra environment of the pushes
}

// newHookServer makes a bare repository whose hooks/pre-receive execs
// bin, the built clarolint, and a clone of it with one clean commit on main,
// pushed through the hook.
func newHookServer(t *testing.T, bin string) *hookServer {
	t.Helper()
	s := &hookServer{t: t, bin: bin, git: needTool(t, "git"), bare: filepath.Join(t.TempDir(), "srv.git"), dir: filepath.Join(t.TempDir(), "client")}
	s.mustGit("", "init", "-q", "--bare", "-b", "main", "--template=", s.bare)
	s.installHook()
	s.mustGit("", "init", "-q", "-b", "main", "--template=", s.dir)
	s.mustGit(s.dir, "remote", "add", "origin", s.bare)
	s.commit("first", map[string]string{"README.md": "# app\n"})
	if out, err := s.push("origin", "main"); err != nil {
		t.Fatalf("the first, clean push was rejected: %v\n%s", err, out)
	}
	return s
}

// installHook (re)writes the server's hook: clarolint pre-receive with
// args.
func (s *hookServer) installHook(args ...string) {
	s.t.Helper()
	quoted := []string{"'" + s.bin + "'", "pre-receive"}
	for _, a := range args {
		quoted = append(quoted, "'"+a+"'")
	}
	hooks := filepath.Join(s.bare, "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		s.t.Fatal(err)
	}
	script := "#!/bin/sh\nexec " + strings.Join(quoted, " ") + "\n"
	fixture.WriteExecutable(s.t, filepath.Join(hooks, "pre-receive"), []byte(script))
}

// removeHook lets pushes through unchecked, to give the server a history
// with keys in it.
func (s *hookServer) removeHook() {
	s.t.Helper()
	if err := os.Remove(filepath.Join(s.bare, "hooks", "pre-receive")); err != nil {
		s.t.Fatal(err)
	}
}

func (s *hookServer) mustGit(dir string, args ...string) string {
	s.t.Helper()
	out, err := gitAt(s.t, s.git, dir, s.env, args...)
	if err != nil {
		s.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// commit writes files in the clone (a body of "" removes the file),
// commits them all and returns the commit's name.
func (s *hookServer) commit(msg string, files map[string]string) string {
	s.t.Helper()
	for name, body := range files {
		p := filepath.Join(s.dir, filepath.FromSlash(name))
		if body == "" {
			s.mustGit(s.dir, "rm", "-q", "--", name)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			s.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			s.t.Fatal(err)
		}
		s.mustGit(s.dir, "add", "-f", "--", name)
	}
	s.mustGit(s.dir, "commit", "-q", "--allow-empty", "-m", msg)
	return strings.TrimSpace(s.mustGit(s.dir, "rev-parse", "HEAD"))
}

// push runs git push in the clone.
func (s *hookServer) push(args ...string) (string, error) {
	s.t.Helper()
	return gitAt(s.t, s.git, s.dir, s.env, append([]string{"push"}, args...)...)
}

// pushed pushes and checks the outcome: rejected or not, the output
// holding each of want, and never a whole key.
func (s *hookServer) pushed(name string, rejected bool, want []string, args ...string) string {
	s.t.Helper()
	out, err := s.push(args...)
	shown := redactAll(redactAll(out, pushKey), pushKey2)
	if got := err != nil; got != rejected {
		s.t.Errorf("%s: rejected %v, want %v:\n%s", name, got, rejected, shown)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			s.t.Errorf("%s: the output does not hold %q:\n%s", name, w, shown)
		}
	}
	if strings.Contains(out, pushKey[8:]) || strings.Contains(out, pushKey2[8:]) {
		s.t.Errorf("%s: the output holds a whole key:\n%s", name, shown)
	}
	if rejected && !strings.Contains(out, "pre-receive hook declined") {
		s.t.Errorf("%s: git does not say the hook declined:\n%s", name, shown)
	}
	return out
}

// shortHash is a commit's name as the text report shows it.
func shortHash(c string) string { return c[:12] }

// The keys the pre-receive tests push, and how reports show them.
var (
	pushKey, pushKey2 = rulestest.Key(rules.Live, 1601), rulestest.Key(rules.Live, 1602)
	pushRed, pushRed2 = rules.Redact([]byte(pushKey)), rules.Redact([]byte(pushKey2))
)

// rejection is what every rejection for a key says, beside the finding.
var rejection = []string{"remote: clarolint: the push is rejected", "git rebase -i", "git commit --amend", "clarolint pre-receive: checked"}

// TestPreReceive pushes with the real git into bare repositories whose
// pre-receive hook is clarolint, built once: one subtest per case, each
// checking whether git rejected the push, the remote: lines, and that no
// whole key was printed.
func TestPreReceive(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t)
	needTool(t, "git")
	bin := buildBinary(t, t.TempDir(), ".", "clarolint")
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, bin string)
	}{
		{"new branch", preReceiveNewBranch},
		{"force push", preReceiveForcePush},
		{"annotated tag", preReceiveAnnotatedTag},
		{"delete", preReceiveDelete},
		{"key added then removed", preReceiveKeyAddedThenRemoved},
		{"old key on a new ref", preReceiveOldKeyOnNewRef},
		{"clean commit on an old key", preReceiveCleanCommitOnOldKey},
		{"push option", preReceivePushOption},
		{"quarantine with alternates", preReceiveQuarantineWithAlternates},
		{"shallow clone", preReceiveShallowClone},
		{".env tracked", preReceiveEnvTracked},
		{"config at the pushed commit", preReceiveConfigAtPushedCommit},
		{"several refs", preReceiveSeveralRefs},
		{"thin pack", preReceiveThinPack},
		{"time limit", preReceiveTimeLimit},
		{"GitLab", preReceiveGitLab},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, bin)
		})
	}
}

// preReceiveNewBranch: a new branch with a key is rejected, showing where
// and the redacted key; a new clean branch passes.
func preReceiveNewBranch(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.mustGit(s.dir, "checkout", "-q", "-b", "topic")
	c := s.commit("add a key", map[string]string{"app/config.py": "import os\nKEY = '" + pushKey + "'\n"})
	want := append([]string{"remote: app/config.py:2:8: error claro-live-key", pushRed, "introduced in commit " + shortHash(c)}, rejection...)
	s.pushed("a new branch with a key", true, want, "origin", "topic")
	s.mustGit(s.dir, "checkout", "-q", "-b", "clean", "main")
	s.commit("docs", map[string]string{"docs.md": "docs\n"})
	s.pushed("a new clean branch", false, []string{"remote: clarolint pre-receive: checked 1 new commit and 1 blob in"}, "origin", "clean")
}

// preReceiveForcePush: a force push that only drops commits passes; one that
// brings a rewritten commit with a key does not.
func preReceiveForcePush(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.commit("second", map[string]string{"b.txt": "b\n"})
	s.pushed("a fast-forward", false, nil, "origin", "main")
	s.mustGit(s.dir, "reset", "-q", "--hard", "HEAD~1")
	s.pushed("a force push that only drops a commit", false, []string{"checked 0 new commits"}, "-f", "origin", "main")
	c := s.commit("rewritten", map[string]string{"b.txt": "b = " + pushKey + "\n"})
	s.pushed("a force push of a rewritten commit with a key", true, []string{"b.txt:1:5: error claro-live-key", shortHash(c)}, "-f", "origin", "main")
}

// preReceiveAnnotatedTag: a pushed annotated tag is peeled: a tag of a new
// commit with a key is rejected, a tag of a commit the server has passes.
func preReceiveAnnotatedTag(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.mustGit(s.dir, "checkout", "-q", "--detach")
	c := s.commit("release", map[string]string{"release.env.yaml": "key: " + pushKey + "\n"})
	s.mustGit(s.dir, "tag", "-a", "-m", "v1", "v1")
	s.pushed("a tag of a new commit with a key", true, []string{"release.env.yaml:1:6: error claro-live-key", shortHash(c)}, "origin", "v1")
	s.mustGit(s.dir, "tag", "-a", "-m", "v0", "v0", "main")
	s.pushed("a tag of a commit the server has", false, []string{"checked 0 new commits"}, "origin", "v0")
}

// preReceiveDelete: deleting a branch and a tag passes, with nothing to check.
func preReceiveDelete(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.mustGit(s.dir, "tag", "v0")
	s.mustGit(s.dir, "branch", "old")
	s.pushed("new refs to a commit the server has", false, nil, "origin", "v0", "old")
	s.pushed("deleting a branch and a tag", false, []string{"nothing to check: 2 refs deleted"}, "origin", ":old", ":refs/tags/v0")
}

// preReceiveKeyAddedThenRemoved: a key that a later commit of the same
// push removes is still rejected: the first commit ships it.
func preReceiveKeyAddedThenRemoved(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	c := s.commit("add", map[string]string{"deploy.sh": "export CLARO_KEY=" + pushKey + "\n"})
	s.commit("remove", map[string]string{"deploy.sh": ""})
	s.pushed("a key that a later commit removes", true, []string{"deploy.sh:1:18: error claro-live-key", "introduced in commit " + shortHash(c), "checked 2 new commits"}, "origin", "main")
}

// preReceiveOldKeyOnNewRef: a new branch and tag at a commit whose key the
// server already had pass.
func preReceiveOldKeyOnNewRef(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.removeHook()
	s.commit("before the hook", map[string]string{"legacy.cfg": "key=" + pushKey + "\n"})
	s.pushed("a key pushed before the hook was installed", false, nil, "origin", "main")
	s.installHook()
	s.mustGit(s.dir, "tag", "-a", "-m", "old", "legacy")
	s.pushed("a new branch and tag at the commit with the old key", false, []string{"checked 0 new commits"}, "origin", "main:refs/heads/copy", "legacy")
}

// preReceiveCleanCommitOnOldKey: a commit that edits a file holding an old
// key passes; a new key in that file does not.
func preReceiveCleanCommitOnOldKey(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.removeHook()
	s.commit("before the hook", map[string]string{"legacy.cfg": "key=" + pushKey + "\n"})
	s.pushed("a key pushed before the hook was installed", false, nil, "origin", "main")
	s.installHook()
	s.commit("edit the file that holds the old key", map[string]string{"legacy.cfg": "key=" + pushKey + "\ndebug=true\n", "new.txt": "new\n"})
	s.pushed("a clean commit on top of an old key", false, []string{"checked 1 new commit and 3 blobs"}, "origin", "main")
	c := s.commit("a new key beside the old", map[string]string{"legacy.cfg": "key=" + pushKey + "\ndebug=true\nkey2=" + pushKey2 + "\n"})
	s.pushed("a new key in the file of the old", true, []string{"legacy.cfg:3:6: error claro-live-key", pushRed2, shortHash(c)}, "origin", "main")
}

// preReceivePushOption: git push -o clarolint.skip=REASON is refused unless
// the hook runs with --allow-skip, and without a reason; then it is logged
// and the push let through.
func preReceivePushOption(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.mustGit(s.bare, "config", "receive.advertisePushOptions", "true")
	s.commit("a key", map[string]string{"k.txt": pushKey + "\n"})
	s.pushed("a skip the server does not allow", true, []string{"push option clarolint.skip refused", "k.txt:1:1: error claro-live-key"},
		"-o", "clarolint.skip=hotfix", "origin", "main")
	s.installHook("--allow-skip")
	s.pushed("a skip without a reason", true, []string{"it needs a reason", "k.txt:1:1", "git push -o clarolint.skip=REASON"},
		"-o", "clarolint.skip=", "origin", "main")
	s.pushed("an allowed skip", false, []string{"remote: clarolint pre-receive: CHECK SKIPPED with push option clarolint.skip, allowed by --allow-skip; reason: incident 42", "not checked: refs/heads/main"},
		"-o", "clarolint.skip=incident 42", "origin", "main")
}

// preReceiveQuarantineWithAlternates: a fork whose objects borrow,
// through info/alternates, from a fork that borrows from the original: the
// old key two alternates away is known, a new one is not, and the borrowed
// object directories stay as they were.
func preReceiveQuarantineWithAlternates(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.removeHook()
	s.commit("before the hook", map[string]string{"legacy.cfg": "key=" + pushKey + "\n"})
	s.pushed("a key pushed before the hook was installed", false, nil, "origin", "main")
	// A fork of a fork: its objects/info/alternates names the
	// first fork's, whose own names the original's, so the old
	// commits are two alternates away.
	fork1, fork2 := filepath.Join(t.TempDir(), "fork1.git"), filepath.Join(t.TempDir(), "fork2.git")
	s.mustGit("", "clone", "-q", "--bare", "--shared", "--template=", s.bare, fork1)
	s.mustGit("", "clone", "-q", "--bare", "--shared", "--template=", fork1, fork2)
	borrowed := []string{filepath.Join(s.bare, "objects"), filepath.Join(fork1, "objects")}
	s.bare = fork2
	s.installHook()
	s.mustGit(s.dir, "remote", "set-url", "origin", fork2)
	before := objectFiles(t, borrowed...)
	s.commit("a clean commit on the old key", map[string]string{"legacy.cfg": "key=" + pushKey + "\nmore=1\n"})
	s.pushed("a clean commit on an old key two alternates away", false, []string{"checked 1 new commit"}, "origin", "main")
	c := s.commit("a new key", map[string]string{"new.cfg": "key=" + pushKey2 + "\n"})
	s.pushed("a new key", true, []string{"new.cfg:1:5: error claro-live-key", shortHash(c)}, "origin", "main")
	if after := objectFiles(t, borrowed...); len(before) == 0 || !maps.Equal(before, after) {
		t.Errorf("pushes to the second fork changed the object directories it borrows from")
	}
}

// preReceiveShallowClone: pushes from a shallow clone are checked like any
// other.
func preReceiveShallowClone(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	for i := range 3 {
		s.commit(fmt.Sprint("history ", i), map[string]string{"h.txt": fmt.Sprint(i, "\n")})
	}
	s.pushed("history", false, nil, "origin", "main")
	s.dir = filepath.Join(t.TempDir(), "shallow")
	s.mustGit("", "clone", "-q", "--depth", "1", "file://"+s.bare, s.dir)
	s.commit("from a shallow clone", map[string]string{"s.txt": "clean\n"})
	s.pushed("a clean commit from a shallow clone", false, []string{"checked 1 new commit"}, "origin", "main")
	c := s.commit("a key from a shallow clone", map[string]string{"s.txt": "k=" + pushKey + "\n"})
	s.pushed("a key from a shallow clone", true, []string{"s.txt:1:3: error claro-live-key", shortHash(c)}, "origin", "main")
}

// preReceiveEnvTracked: a commit that starts tracking a secret .env file is
// rejected; an example env file passes.
func preReceiveEnvTracked(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.commit("an example env file", map[string]string{".env.example": "CLARO_KEY=\n"})
	s.pushed("an example env file", false, nil, "origin", "main")
	c := s.commit("a secret env file", map[string]string{"svc/.env": "DEBUG=1\n"})
	s.pushed("a secret env file", true, []string{"svc/.env:1:1: error env-file-tracked", shortHash(c), "git rm --cached svc/.env"}, "origin", "main")
}

// preReceiveConfigAtPushedCommit: .clarolint.yaml as of the pushed commit
// applies: allowed paths and allow comments pass, other keys do not.
func preReceiveConfigAtPushedCommit(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.commit("fixtures", map[string]string{
		".clarolint.yaml":       "allow:\n  paths: [\"testdata/**\"]\n",
		"testdata/replay.json":  "{\"key\": \"" + pushKey + "\"}\n",
		"notes.md":              "allowed on its line: " + pushKey2 + " <!-- clarolint:allow -->\n",
		"testdata/more/fx.yaml": "k: " + pushKey2 + "\n",
	})
	s.pushed("keys the pushed commit's config allows", false, []string{"allowed by path"}, "origin", "main")
	c := s.commit("a key outside testdata", map[string]string{"app.yaml": "k: " + pushKey + "\n"})
	s.pushed("a key the config does not allow", true, []string{"app.yaml:1:4: error claro-live-key", shortHash(c)}, "origin", "main")
}

// preReceiveSeveralRefs: several refs in one push, read from a pack in the
// quarantine, each ref's commits under that ref's own settings.
func preReceiveSeveralRefs(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.mustGit(s.bare, "config", "receive.unpackLimit", "1") // a pack in the quarantine, not loose objects
	s.mustGit(s.dir, "checkout", "-q", "-b", "a", "main")
	s.commit("clean a", map[string]string{"a.txt": "a\n"})
	s.mustGit(s.dir, "checkout", "-q", "-b", "b", "main")
	cb := s.commit("key b", map[string]string{"testdata/b.txt": "b=" + pushKey + "\n"})
	s.mustGit(s.dir, "checkout", "-q", "-b", "c", "b")
	s.commit("allow testdata", map[string]string{".clarolint.yaml": "allow:\n  paths: [\"testdata/**\"]\n"})
	s.mustGit(s.dir, "checkout", "-q", "-b", "d", "a")
	cd := s.commit("key d", map[string]string{"d.txt": "d=" + pushKey2 + "\n"})
	// b and c bring the same commit with a key under testdata; c's
	// settings allow it, b's (none) do not.
	s.pushed("four refs, with keys on two", true, []string{"testdata/b.txt:1:3: error claro-live-key", shortHash(cb), "d.txt:1:3: error claro-live-key", shortHash(cd), pushRed, pushRed2},
		"origin", "a", "b", "c", "d")
	s.pushed("a clean branch, and one whose settings allow its key", false, []string{"checked 3 new commits"}, "origin", "a", "c")
	s.pushed("a branch to a commit now on the server", false, []string{"checked 0 new commits"}, "origin", "b")
}

// preReceiveThinPack: the old base that index-pack --fix-thin copies into the
// quarantine is not taken for news.
func preReceiveThinPack(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.mustGit(s.bare, "config", "receive.unpackLimit", "1") // index-pack --fix-thin copies the bases into the quarantine
	s.removeHook()
	big := strings.Repeat("line of a large file, so that git sends a delta against it\n", 200)
	s.commit("before the hook", map[string]string{"big.txt": big + "key=" + pushKey + "\n"})
	s.pushed("a key pushed before the hook was installed", false, nil, "origin", "main")
	s.installHook()
	s.commit("a delta against the old blob", map[string]string{"big.txt": big + "key=" + pushKey + "\none more line\n"})
	s.pushed("a thin pack whose base holds an old key", false, []string{"checked 1 new commit and 2 blobs"}, "--thin", "origin", "main")
}

// preReceiveTimeLimit: past --timeout the push is rejected, or accepted with a
// warning under --fail-open.
func preReceiveTimeLimit(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.installHook("--timeout", "1ns")
	s.commit("a key", map[string]string{"k.txt": pushKey + "\n"})
	s.pushed("a check past its time limit", true, []string{"did not finish within 1ns (--timeout), so the push is rejected"}, "origin", "main")
	s.installHook("--timeout", "1ns", "--fail-open")
	s.pushed("a check past its time limit, failing open", false, []string{"WARNING: the check did not finish within 1ns", "ACCEPTED UNCHECKED", "before it stopped"}, "origin", "main")
}

// preReceiveGitLab: under GitLab's variables every line of a rejection
// carries GL-HOOK-ERR:.
func preReceiveGitLab(t *testing.T, bin string) {
	s := newHookServer(t, bin)
	s.env = []string{"GL_ID=user-1", "GL_PROTOCOL=ssh", "GL_USERNAME=ana"}
	s.commit("a key", map[string]string{"k.txt": pushKey + "\n"})
	out := s.pushed("a rejection under GitLab", true, []string{"remote: GL-HOOK-ERR: k.txt:1:1: error claro-live-key", "remote: GL-HOOK-ERR: clarolint: the push is rejected"}, "origin", "main")
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "remote: ") && !strings.HasPrefix(line, "remote: GL-HOOK-ERR: ") {
			t.Errorf("a line GitLab would not show: %q", line)
		}
	}
}

// objectFiles lists the files under dirs with their sizes and times.
func objectFiles(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if fi, err := e.Info(); err == nil {
				out[p] = fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
			}
			return nil
		})
	}
	return out
}
