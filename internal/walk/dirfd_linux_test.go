package walk

import (
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// dirent64 encodes one struct linux_dirent64 record.
func dirent64(name string, typ uint8) []byte {
	n := (19 + len(name) + 1 + 7) &^ 7
	b := make([]byte, n)
	binary.NativeEndian.PutUint64(b, 1)
	binary.NativeEndian.PutUint16(b[16:], uint16(n))
	b[18] = typ
	copy(b[19:], name)
	return b
}

// TestParseDirents: the records' names and types, "." and ".." left
// out, and a type the file system does not record looked up.
func TestParseDirents(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "plain"), nil, 0o644)
	fd, err := openDir(nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFD(fd)
	var buf []byte
	for _, r := range []struct {
		name string
		typ  uint8
	}{{".", unix.DT_DIR}, {"..", unix.DT_DIR}, {"a", unix.DT_REG}, {"sub", unix.DT_UNKNOWN}, {"plain", unix.DT_UNKNOWN}, {"l", unix.DT_LNK}, {"gone", unix.DT_UNKNOWN}} {
		buf = append(buf, dirent64(r.name, r.typ)...)
	}
	got := parseDirents(fd, dir, append(buf, 1, 2, 3), nil) // a cut record at the end is left out
	want := []struct {
		name string
		typ  fs.FileMode
	}{{"a", 0}, {"sub", fs.ModeDir}, {"plain", 0}, {"l", fs.ModeSymlink}, {"gone", fs.ModeIrregular}}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Name() != w.name || got[i].Type() != w.typ {
			t.Errorf("entry %d: %s %v, want %s %v", i, got[i].Name(), got[i].Type(), w.name, w.typ)
		}
	}
}
