package walk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/clarolint/clarolint/finding"
)

// makeTree writes dirs directories, three levels deep, the first three
// of files files and the others of one, and returns the files' relative
// paths and contents.
func makeTree(t *testing.T, root string, dirs, files int) map[string]string {
	t.Helper()
	want := make(map[string]string)
	for d := range dirs {
		if d == 3 {
			files = 1
		}
		dir := filepath.Join(fmt.Sprintf("d%02d", d%7), fmt.Sprintf("e%03d", d))
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range files {
			rel := filepath.ToSlash(filepath.Join(dir, fmt.Sprintf("f%03d.txt", f)))
			body := strings.Repeat(rel+"\n", 1+f%5)
			if err := os.WriteFile(filepath.Join(root, rel), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			want[rel] = body
		}
	}
	return want
}

// openFDs counts the process's open file descriptors, or -1 where that
// cannot be seen.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestWalkReadsEveryFile: each file of a tree is handed over once and
// reads back its content, whether its directory is kept open (files
// opened relative to it) or not (more directories than maxOpenDirs, and
// more files in one than a batch); no directory is left open after.
func TestWalkReadsEveryFile(t *testing.T) {
	root := t.TempDir()
	want := makeTree(t, root, maxOpenDirs+20, fileBatch+3)
	before := openFDs()
	var mu sync.Mutex
	got := make(map[string]string)
	w, err := Walk(context.Background(), []string{root}, Options{NoIgnore: true, Workers: 3, Warner: &finding.Warner{}}, func(_ int, f File, st *finding.Stats) error {
		r, err := f.Open()
		if err != nil {
			return err
		}
		defer r.Close()
		b := make([]byte, 4096)
		n, _ := r.Read(b)
		mu.Lock()
		defer mu.Unlock()
		if _, dup := got[f.Rel]; dup {
			t.Errorf("%s handed over twice", f.Rel)
		}
		got[f.Rel] = string(b[:n])
		return nil
	})
	if err != nil || w.SkippedUnreadable != 0 {
		t.Fatalf("walk: %v, %+v", err, w.Stats)
	}
	if len(got) != len(want) {
		t.Errorf("%d files handed over, want %d", len(got), len(want))
	}
	for rel, body := range want {
		if got[rel] != body {
			t.Errorf("%s: read %q, want %q", rel, got[rel], body)
			break
		}
	}
	if after := openFDs(); after != before {
		t.Errorf("%d file descriptors open after the walk, %d before", after, before)
	}
}

// TestWalkCutShortClosesDirs: a walk that a visitor stops leaves no
// directory open.
func TestWalkCutShortClosesDirs(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, 120, fileBatch*2)
	before := openFDs()
	stop := errors.New("stop")
	n := 0
	var mu sync.Mutex
	_, err := Walk(context.Background(), []string{root}, Options{NoIgnore: true, Workers: 2, Warner: &finding.Warner{}}, func(int, File, *finding.Stats) error {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 80 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("walk: %v, want the visitor's error", err)
	}
	if after := openFDs(); after != before {
		t.Errorf("%d file descriptors open after the walk, %d before", after, before)
	}
}

// TestReadDirFD: entries read from an open directory are those
// os.ReadDir reads, in its order and with its types.
func TestReadDirFD(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("directories are kept open on Linux only")
	}
	root := t.TempDir()
	makeTree(t, root, 3, 4)
	os.Symlink("d00", filepath.Join(root, "link"))
	os.WriteFile(filepath.Join(root, "file"), nil, 0o644)
	fd, err := openDir(nil, root)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFD(fd)
	got, err := readDirFD(fd, root)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadDir(root)
	same := slices.EqualFunc(got, want, func(a, b os.DirEntry) bool { return a.Name() == b.Name() && a.Type() == b.Type() })
	if !same {
		t.Errorf("readDirFD: %v, os.ReadDir: %v", got, want)
	}
	for _, e := range got {
		if fi, err := e.Info(); err != nil || fi.Name() != e.Name() {
			t.Errorf("%s: Info %v, %v", e.Name(), fi, err)
		}
	}
}

func TestJoinClean(t *testing.T) {
	for _, dir := range []string{"", ".", "/", "a", "a/b", "/a", "../a"} {
		for _, name := range []string{"x", ".env", "x y"} {
			if got, want := joinClean(dir, name, '/'), path.Join(dir, name); got != want {
				t.Errorf("joinClean(%q, %q) = %q, want %q", dir, name, got, want)
			}
			if got, want := joinClean(filepath.FromSlash(dir), name, filepath.Separator), filepath.Join(filepath.FromSlash(dir), name); got != want {
				t.Errorf("joinClean(%q, %q) = %q, want %q", dir, name, got, want)
			}
		}
	}
}
