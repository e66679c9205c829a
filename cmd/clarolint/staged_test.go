package main

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// stagingRepo writes a work tree, its objects, HEAD and its index with the
// standard library alone: the CLI tests need neither go-git (which lives
// in package scanner) nor a git binary.
type stagingRepo struct {
	t   *testing.T
	dir string
}

func newStagingRepo(t *testing.T) *stagingRepo {
	t.Helper()
	r := &stagingRepo{t: t, dir: t.TempDir()}
	r.write(".git/HEAD", "ref: refs/heads/main\n")
	r.write(".git/config", "[core]\n\trepositoryformatversion = 0\n\tbare = false\n")
	os.MkdirAll(filepath.Join(r.dir, ".git", "refs", "heads"), 0o755)
	return r
}

func (r *stagingRepo) write(name, body string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// object writes a loose object and returns its raw hash.
func (r *stagingRepo) object(typ string, body []byte) []byte {
	raw := append(fmt.Appendf(nil, "%s %d\x00", typ, len(body)), body...)
	sum := sha1.Sum(raw)
	h := hex.EncodeToString(sum[:])
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(raw)
	w.Close()
	r.write(".git/objects/"+h[:2]+"/"+h[2:], z.String())
	return sum[:]
}

// tree writes the tree of files (paths of any depth) and returns its hash.
func (r *stagingRepo) tree(files map[string]string) []byte {
	type entry struct {
		name, mode string
		hash       []byte
	}
	var es []entry
	dirs := map[string]map[string]string{}
	for p, body := range files {
		if d, rest, ok := strings.Cut(p, "/"); ok {
			if dirs[d] == nil {
				dirs[d] = map[string]string{}
			}
			dirs[d][rest] = body
			continue
		}
		es = append(es, entry{p, "100644", r.object("blob", []byte(body))})
	}
	for d, fs := range dirs {
		es = append(es, entry{d, "40000", r.tree(fs)})
	}
	sortKey := func(e entry) string { // git sorts a directory as if its name ended in "/"
		if e.mode == "40000" {
			return e.name + "/"
		}
		return e.name
	}
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(sortKey(a), sortKey(b)) })
	var b []byte
	for _, e := range es {
		b = append(fmt.Appendf(b, "%s %s\x00", e.mode, e.name), e.hash...)
	}
	return r.object("tree", b)
}

// commit commits files (the whole tree) on main, and stages them.
func (r *stagingRepo) commit(files map[string]string) {
	r.t.Helper()
	body := fmt.Sprintf("tree %x\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\nchange\n", r.tree(files))
	r.write(".git/refs/heads/main", hex.EncodeToString(r.object("commit", []byte(body)))+"\n")
	r.stage(files)
}

// stage writes files to the work tree and makes them the whole index
// (version 2, without extensions).
func (r *stagingRepo) stage(files map[string]string) {
	r.t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
		r.write(name, files[name])
	}
	slices.Sort(names)
	b := binary.BigEndian.AppendUint32([]byte("DIRC\x00\x00\x00\x02"), uint32(len(names)))
	for _, name := range names {
		start := len(b)
		b = append(b, make([]byte, 24)...) // ctime, mtime, dev, inode
		b = binary.BigEndian.AppendUint32(b, 0o100644)
		b = append(b, make([]byte, 12)...) // uid, gid, size
		b = append(b, r.object("blob", []byte(files[name]))...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(name)))
		b = append(b, name...)
		b = append(b, make([]byte, 8-(len(b)-start)%8)...)
	}
	sum := sha1.Sum(b)
	r.write(".git/index", string(append(b, sum[:]...)))
}

// stagedFixture is a repository whose HEAD holds a live key in config.py,
// with a new key staged on that key's line, a staged .env and a staged
// placeholder.
func stagedFixture(t *testing.T) (dir string, keys []string) {
	t.Helper()
	old, added := rulestest.Key(rules.Live, 301), rulestest.Key(rules.Test, 302)
	r := newStagingRepo(t)
	r.commit(map[string]string{"app/config.py": "import os\nKEY = \"" + old + "\"\n", "README.md": "hello\n"})
	r.stage(map[string]string{
		"app/config.py": "import os\n\nKEY = \"" + old + "\"  # sandbox: " + added + "\n",
		"README.md":     "Set BAYT_API_KEY=sk_live_your_key_goes_here_0123456789abcdefgh in .env\n",
		".env":          "DEBUG=1\n",
	})
	return r.dir, []string{old, added}
}

func TestStagedGolden(t *testing.T) {
	t.Parallel()
	dir, keys := stagedFixture(t)
	for _, format := range []string{"text", "json"} {
		out, errOut, code := clarolint(t, "staged", "--format", format, dir)
		if code != exitFindings || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q", format, code, errOut)
		}
		golden(t, "staged-"+format, normalize(out))
		for i, k := range keys {
			if strings.Contains(out, k[8:]) {
				t.Errorf("%s: key %d in the output", format, i)
			}
		}
	}
}

func TestStagedExitStatus(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 303)
	redacted := rules.Redact([]byte(key))
	leak := newStagingRepo(t)
	leak.stage(map[string]string{"src/main.go": "package main\n\nconst k = \"" + key + "\"\n"})
	placeholder := newStagingRepo(t)
	placeholder.stage(map[string]string{"config.yaml": "key: sk_live_your_key_here_000000000000000000000000000000\n"})
	env := newStagingRepo(t)
	env.stage(map[string]string{"svc/.env.local": "DEBUG=1\n", ".env.example": "BAYT_API_KEY=\n"})
	allowed := newStagingRepo(t)
	allowed.commit(map[string]string{".clarolint.yaml": "allow:\n  paths: [\"fixtures/**\"]\n"})
	allowed.stage(map[string]string{".clarolint.yaml": "allow:\n  paths: [\"fixtures/**\"]\n", "fixtures/k.txt": key})
	bare := t.TempDir()
	for _, d := range []string{"objects", "refs"} {
		os.MkdirAll(filepath.Join(bare, d), 0o755)
	}
	os.WriteFile(filepath.Join(bare, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644)

	for _, tt := range []struct {
		name        string
		args        []string
		code        int
		stdout      string
		stderr      string
		stdoutLacks string
	}{
		{"a staged key", []string{"staged", leak.dir}, exitFindings, "src/main.go:3:12: error claro-live-key: Claro live API key " + redacted, "", key[8:]},
		{"from a subdirectory", []string{"staged", filepath.Join(leak.dir, "src")}, exitFindings, "src/main.go:3:12:", "", ""},
		{"a placeholder", []string{"staged", placeholder.dir}, exitClean, "no Claro keys found; scanned 1 file", "", ""},
		{"a staged .env", []string{"staged", env.dir}, exitFindings, "svc/.env.local:1:1: error env-file-tracked: secret env file svc/.env.local is staged: the next commit would add it to the repository; unstage it with `git restore --staged svc/.env.local` (or `git rm --cached svc/.env.local`), then add `.env` and `.env.*` to .gitignore", "", ".env.example:1:1"},
		{"allowed by the config at the top", []string{"staged", filepath.Join(allowed.dir, "fixtures")}, exitClean, "1 allowed by path", "", ""},
		{"--verbose", []string{"staged", "--verbose", leak.dir}, exitFindings, "", "; scanning the index compared with HEAD\nscanned 1 files, 77 bytes", ""},
		{"not a repository", []string{"staged", t.TempDir()}, exitError, "", "is not inside a git work tree", ""},
		{"bare", []string{"staged", bare}, exitError, "", "is a bare repository: it has no index, so nothing is staged", ""},
		{"two repositories", []string{"staged", leak.dir, leak.dir}, exitError, "", "give at most one repository", ""},
		{"unknown flag", []string{"staged", "--range", "a..b"}, exitError, "", "flag provided but not defined: -range", ""},
	} {
		out, errOut, code := clarolint(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) ||
			(tt.stdoutLacks != "" && strings.Contains(out, tt.stdoutLacks)) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, %q and %q", tt.name, code, out, errOut, tt.code, tt.stdout, tt.stderr)
		}
	}
}

// TestStagedBaseline: whole-file findings are accepted by rule and path.
func TestStagedBaseline(t *testing.T) {
	t.Parallel()
	dir, _ := stagedFixture(t)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if _, errOut, code := clarolint(t, "staged", "--format", "json", "--output", baseline, dir); code != exitFindings {
		t.Fatalf("writing the baseline: exit %d, %s", code, errOut)
	}
	if out, _, code := clarolint(t, "staged", "--baseline", baseline, dir); code != exitClean || !strings.Contains(out, "2 findings suppressed") {
		t.Errorf("with the baseline: exit %d\n%s", code, out)
	}
}

// TestStagedHelp: --help documents every flag with an example.
func TestStagedHelp(t *testing.T) {
	t.Parallel()
	out, _, code := clarolint(t, "staged", "--help")
	if code != exitClean || !strings.Contains(out, "Usage: clarolint staged [flags] [REPO]") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, name := range []string{"format", "output", "config", "baseline", "fail-on", "show-secrets", "no-color", "quiet", "verbose", "all", "skip-binary"} {
		i := strings.Index(out, "\n  --"+name+"\n")
		if i < 0 {
			i = strings.Index(out, "\n  --"+name+" ")
		}
		if i < 0 {
			t.Errorf("--%s is not documented", name)
			continue
		}
		next := strings.Index(out[i+1:], "\n  --")
		if next < 0 {
			next = len(out) - i - 1
		}
		if !strings.Contains(out[i:i+1+next], "e.g. ") {
			t.Errorf("--%s has no example", name)
		}
	}
}

// TestScanEnvGolden: a scan of a repository's top reports tracked and
// unignored .env files and the .gitignore that lets them in.
func TestScanEnvGolden(t *testing.T) {
	t.Parallel()
	r := newStagingRepo(t)
	r.commit(map[string]string{".gitignore": ".env\n", ".env.production": "DEBUG=0\n", "main.go": "package main\n"})
	r.write(".env", "ignored\n")
	r.write("web/.env.local", "not ignored\n")
	r.write(".git/info/exclude", ".env.staging\n")
	r.write(".env.staging", "ignored only here\n")
	out, errOut, code := clarolint(t, "scan", r.dir)
	if code != exitFindings || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "scan-env-text", normalize(out))

	// A scan of a subdirectory checks the files under it; the warning about
	// .gitignore is for the top only.
	out, _, _ = clarolint(t, "scan", "--quiet", filepath.Join(r.dir, "web"))
	if out != ".env.local:1:1: error env-not-ignored: web/.env.local is not ignored by the repository's committed .gitignore, so `git add .` would commit it; add `.env` and `.env.*` to .gitignore (with `!.env.example` to keep the example) and commit it\n" {
		t.Errorf("scan of web/:\n%s", out)
	}
	os.WriteFile(filepath.Join(r.dir, ".clarolint.yaml"), []byte("disable: [env-not-ignored, env-file-tracked]\n"), 0o644)
	if out, _, code := clarolint(t, "scan", r.dir); code != exitClean {
		t.Errorf("rules disabled: exit %d\n%s", code, out)
	}
}

// TestStagedPrePush: at the pre-commit framework's push stage the hook
// scans the commits being pushed. It sets environment variables, so it
// does not run in parallel.
func TestStagedPrePush(t *testing.T) {
	key := rulestest.Key(rules.Live, 304)
	r := newStagingRepo(t)
	r.commit(map[string]string{"deploy.sh": "export CLARO_KEY=" + key + "\n"})
	t.Setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
	t.Setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
	out, errOut, code := clarolint(t, "staged", r.dir)
	if code != exitFindings || !strings.Contains(out, "deploy.sh:1:18: error claro-live-key") || !strings.Contains(out, "introduced in commit") {
		t.Errorf("a new branch: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("PRE_COMMIT_FROM_REF", "main")
	t.Setenv("PRE_COMMIT_TO_REF", "main")
	if out, errOut, code := clarolint(t, "staged", r.dir); code != exitClean {
		t.Errorf("an empty range: exit %d\n%s%s", code, out, errOut)
	}
}

// TestStagedCommitAll commits through a hook with the real git: `git
// commit -a` and `git commit PATH` stage into a temporary index that git
// names in GIT_INDEX_FILE, which the hook must read.
func TestStagedCommitAll(t *testing.T) {
	t.Parallel()
	gitPath := needTool(t, "git")
	bin := buildBinary(t, t.TempDir(), ".", "clarolint")
	dir, git := gitRepo(t, gitPath, nil)
	hooks := filepath.Join(dir, ".git", "hooks")
	os.MkdirAll(hooks, 0o755)
	if err := os.WriteFile(filepath.Join(hooks, "pre-commit"), []byte("#!/bin/sh\nexec '"+bin+"' staged\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	key := rulestest.Key(rules.Live, 305)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("clean\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("clean\n"), 0o644)
	mustRun(t, git, "add", ".")
	mustRun(t, git, "commit", "-q", "-m", "first")
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("clean\nKEY="+key+"\n"), 0o644)
	for _, args := range [][]string{{"commit", "-a", "-m", "all"}, {"commit", "-m", "path", "a.txt"}} {
		out, err := git(args...)
		if err == nil || !strings.Contains(out, "a.txt:2:5: error claro-live-key") || strings.Contains(out, key[8:]) {
			t.Errorf("git %s: %v, want it blocked:\n%s", strings.Join(args, " "), err, redactAll(out, key))
		}
	}
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("clean\nstill clean\n"), 0o644)
	if out, err := git("commit", "-m", "b only", "b.txt"); err != nil {
		t.Errorf("a clean partial commit was blocked: %v\n%s", err, redactAll(out, key))
	}
}
