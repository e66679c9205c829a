package main

import (
	"fmt"
	"strings"
	"testing"

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
		{"--range with --branch", []string{"history", "--range", "a..b", "--branch", "main", dir}, exitError, "--range cannot be combined"},
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
