package main

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
	"github.com/clarolint/clarolint/scanner"
)

// looseRepo writes a git repository object by object with the standard
// library alone, so that the CLI tests need neither go-git (which lives in
// package scanner) nor a git binary. Dates are fixed, so hashes are too.
type looseRepo struct {
	t   *testing.T
	dir string
}

func newLooseRepo(t *testing.T) *looseRepo {
	t.Helper()
	r := &looseRepo{t: t, dir: t.TempDir()}
	r.file(".git/HEAD", "ref: refs/heads/main\n")
	r.file(".git/config", "[core]\n\trepositoryformatversion = 0\n\tbare = false\n")
	if err := os.MkdirAll(filepath.Join(r.dir, ".git", "refs", "tags"), 0o755); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *looseRepo) file(name, body string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// object writes a loose object and returns its hash.
func (r *looseRepo) object(typ string, body []byte) string {
	r.t.Helper()
	raw := append(fmt.Appendf(nil, "%s %d\x00", typ, len(body)), body...)
	sum := sha1.Sum(raw)
	h := hex.EncodeToString(sum[:])
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(raw)
	w.Close()
	r.file(".git/objects/"+h[:2]+"/"+h[2:], z.String())
	return h
}

// tree writes the tree of files, which sit in one directory level at most
// ("dir/name"), and returns its hash.
func (r *looseRepo) tree(files map[string]string) string {
	type entry struct{ name, mode, hash string }
	var es []entry
	dirs := make(map[string]map[string]string)
	for p, body := range files {
		if d, name, ok := strings.Cut(p, "/"); ok {
			if dirs[d] == nil {
				dirs[d] = make(map[string]string)
			}
			dirs[d][name] = body
			continue
		}
		es = append(es, entry{p, "100644", r.object("blob", []byte(body))})
	}
	for d, fs := range dirs {
		es = append(es, entry{d, "40000", r.tree(fs)})
	}
	// git's order: a directory sorts as if its name ended in "/".
	key := func(e entry) string {
		if e.mode == "40000" {
			return e.name + "/"
		}
		return e.name
	}
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(key(a), key(b)) })
	var b []byte
	for _, e := range es {
		raw, _ := hex.DecodeString(e.hash)
		b = append(fmt.Appendf(b, "%s %s\x00", e.mode, e.name), raw...)
	}
	return r.object("tree", b)
}

// commit writes a commit of files by author at unix time ts, and points
// main at it.
func (r *looseRepo) commit(files map[string]string, author string, ts int64, parent string) string {
	body := "tree " + r.tree(files) + "\n"
	if parent != "" {
		body += "parent " + parent + "\n"
	}
	sig := fmt.Sprintf("%s <%s@example.com> %d +0200", author, strings.ToLower(author), ts)
	body += "author " + sig + "\ncommitter " + sig + "\n\nchange\n"
	h := r.object("commit", []byte(body))
	r.file(".git/refs/heads/main", h+"\n")
	return h
}

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
	for _, format := range []string{"text", "json"} {
		out, errOut, code := clarolint(t, "history", "--format", format, dir)
		if code != exitFindings || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q", format, code, errOut)
		}
		golden(t, "history-"+format, normalize(out))
		for i, k := range keys {
			if strings.Contains(out, k[8:]) {
				t.Errorf("%s: key %d in the output", format, i)
			}
		}
	}
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
		{"--range with --branch", []string{"history", "--range", "a..b", "--branch", "main", dir}, exitError, "--range cannot be combined"},
		{"two repositories", []string{"history", dir, dir}, exitError, "one REPO at most"},
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

// TestHistoryHelp: --help documents every flag with an example.
func TestHistoryHelp(t *testing.T) {
	t.Parallel()
	out, _, code := clarolint(t, "history", "--help")
	if code != exitClean {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"format", "output", "config", "baseline", "fail-on", "show-secrets", "no-color", "quiet", "verbose", "range", "since", "branch", "skip-binary"} {
		i := strings.Index(out, "\n  --"+name)
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

// TestProgressLine: the line is drawn on a terminal only, a warning
// clears it first, and it is cleared at the end.
func TestProgressLine(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	off := &progressLine{w: &b}
	off.update(scannerProgress(3))
	off.clear()
	if b.Len() != 0 || off.last.Commits != 3 {
		t.Errorf("off a terminal: wrote %q, last %+v", b.String(), off.last)
	}

	on := &progressLine{w: &b, on: true}
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
}

func scannerProgress(n int64) scanner.HistoryProgress {
	return scanner.HistoryProgress{Commits: n, Blobs: n, Bytes: n * 1e6}
}
