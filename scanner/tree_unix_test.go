//go:build unix

package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestTreeSpecialFiles: a FIFO met in a walk is a warning, not read (it
// holds no stored content, and reading it could block the scan).
func TestTreeSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"k.txt": rulestest.Key(rules.Live, 1)})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got, st, warn := scanTree(t, Options{}, dir)
	if len(got) != 1 || st.SkippedUnreadable != 1 || !strings.Contains(warn, "fifo: not a regular file") {
		t.Errorf("got %q, %+v, warnings %q", got, st, warn)
	}
}

// TestIssue11ExplicitFIFO: a FIFO or device named as a root is read to its
// end, not skipped with a clean exit.
func TestIssue11ExplicitFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	key := rulestest.Key(rules.Live, 1102)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return // the scan's open fails too, and the test says so
		}
		f.WriteString("first line\nKEY=" + key + "\n")
		f.Close()
	}()
	got, st, warn := scanTree(t, Options{}, fifo)
	if want := fifo + ":2:5 claro-live-key"; len(got) != 1 || got[0] != filepath.ToSlash(want) || st.FilesScanned != 1 || warn != "" {
		t.Errorf("got %q, %+v, warnings %q", got, st, warn)
	}
	if !strings.HasSuffix(got[0], "claro-live-key") {
		t.Error("no key found in the FIFO")
	}
}
