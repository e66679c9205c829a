//go:build unix

package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestTreeSpecialFiles: a FIFO met in a walk is a warning, not read (it
// holds no stored content, and reading it could block the scan).
func TestTreeSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{"k.txt": rulestest.Key(rules.Live, 1)})
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

// TestIssue12PathTooLong: a tree deeper than PATH_MAX is walked, and the
// key at its bottom found, rather than a "file name too long" warning and
// an incomplete scan.
func TestIssue12PathTooLong(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("d", 200)
	depth := 0
	for ; (len(name)+1)*depth < 5000; depth++ { // past Linux's 4096 and macOS's 1024
		if err := unix.Mkdirat(fd, name, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY, 0)
		unix.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		fd = next
	}
	key := rulestest.Key(rules.Live, 1251)
	f, err := unix.Openat(fd, "deep.env.txt", unix.O_WRONLY|unix.O_CREAT, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	unix.Write(f, []byte("KEY="+key+"\n"))
	unix.Close(f)
	unix.Close(fd)
	t.Cleanup(func() { removeDeep(t, root, name, depth) })

	got, st, warn := scanTree(t, Options{}, root)
	want := strings.Repeat(name+"/", depth) + "deep.env.txt:1:5 claro-live-key"
	if len(got) != 1 || got[0] != want || st.NotScanned != 0 || warn != "" {
		t.Errorf("deep tree: %d findings, %d not scanned, warnings %q", len(got), st.NotScanned, warn)
	}
}

// removeDeep removes the chain of depth directories called name under
// root, deepest first, which os.RemoveAll cannot reach past PATH_MAX.
func removeDeep(t *testing.T, root, name string, depth int) {
	fds := []int{}
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	for i := 0; err == nil && i < depth; i++ {
		fds = append(fds, fd)
		fd, err = unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	}
	if err != nil {
		t.Errorf("clean up: %v", err)
		return
	}
	unix.Unlinkat(fd, "deep.env.txt", 0)
	unix.Close(fd)
	for i := len(fds) - 1; i >= 0; i-- {
		unix.Unlinkat(fds[i], name, unix.AT_REMOVEDIR)
		unix.Close(fds[i])
	}
}

// TestIssue12WarningInjection: a FIFO named to forge a workflow command
// and a terminal escape is named in its warning escaped, on one line.
func TestIssue12WarningInjection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := "x\n::stop-commands::tok\x1b]0;title\x07"
	if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, _, warn := scanTree(t, Options{}, dir)
	if warn != `warning: x\n::stop-commands::tok\x1b]0;title\a: not a regular file (p---------); skipped`+"\n" {
		t.Errorf("warning %q", warn)
	}
}
