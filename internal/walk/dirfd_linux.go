//go:build linux

package walk

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC

// openDir opens directory path, by its name in parent when parent is
// open, and returns its fd.
func openDir(parent *dirFD, path string) (int, error) {
	var fd int
	var err error
	if parent != nil {
		fd, err = openat(parent.fd, filepath.Base(path), dirFlags)
	} else {
		fd, err = openat(unix.AT_FDCWD, path, dirFlags)
		if errors.Is(err, unix.ENAMETOOLONG) {
			fd, err = openLong(path, dirFlags)
		}
	}
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return fd, nil
}

// readDirFD reads the entries of the open directory fd, at path, sorted
// by name as os.ReadDir sorts them. An entry whose type the file system
// does not record is looked up. On an error it returns what it read
// before.
func readDirFD(fd int, path string) ([]fs.DirEntry, error) {
	var entries []fs.DirEntry
	buf := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(buf)
	for {
		n, err := unix.Getdents(fd, *buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			sortEntries(entries)
			return entries, &fs.PathError{Op: "readdirent", Path: path, Err: err}
		}
		if n <= 0 {
			break
		}
		entries = parseDirents(fd, path, (*buf)[:n], entries)
	}
	sortEntries(entries)
	return entries, nil
}

// direntBufs holds the buffers directories are read into: a new one for
// each directory cost more to clear than to fill.
var direntBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func sortEntries(entries []fs.DirEntry) {
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
}

// parseDirents appends the entries of a buffer of struct linux_dirent64
// records (inode, offset, record length, type, name) to entries.
func parseDirents(fd int, path string, buf []byte, entries []fs.DirEntry) []fs.DirEntry {
	const nameAt = 19 // 8 + 8 + 2 + 1
	for len(buf) >= nameAt {
		reclen := int(binary.NativeEndian.Uint16(buf[16:]))
		if reclen < nameAt || reclen > len(buf) {
			break
		}
		typ, name := buf[18], buf[nameAt:reclen]
		buf = buf[reclen:]
		if i := slices.Index(name, 0); i >= 0 {
			name = name[:i]
		}
		if s := string(name); s != "." && s != ".." {
			entries = append(entries, direntAt(fd, path, s, typ))
		}
	}
	return entries
}

// direntAt returns the entry name of directory fd, at dir, of d_type
// typ.
func direntAt(fd int, dir, name string, typ uint8) dirent {
	e := dirent{dir: dir, name: name}
	switch typ {
	case unix.DT_REG:
	case unix.DT_DIR:
		e.typ = fs.ModeDir
	case unix.DT_LNK:
		e.typ = fs.ModeSymlink
	case unix.DT_FIFO:
		e.typ = fs.ModeNamedPipe
	case unix.DT_SOCK:
		e.typ = fs.ModeSocket
	case unix.DT_CHR:
		e.typ = fs.ModeDevice | fs.ModeCharDevice
	case unix.DT_BLK:
		e.typ = fs.ModeDevice
	default: // DT_UNKNOWN: the file system does not say
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
			e.typ = fileMode(st.Mode).Type()
		} else {
			e.typ = fs.ModeIrregular
		}
	}
	return e
}

// fileMode converts a stat mode's type bits.
func fileMode(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	case unix.S_IFREG:
		return 0
	}
	return fs.ModeIrregular
}

// dirent is a directory entry read by readDirFD.
type dirent struct {
	dir, name string
	typ       fs.FileMode
}

func (e dirent) Name() string               { return e.name }
func (e dirent) IsDir() bool                { return e.typ.IsDir() }
func (e dirent) Type() fs.FileMode          { return e.typ }
func (e dirent) Info() (fs.FileInfo, error) { return os.Lstat(filepath.Join(e.dir, e.name)) }

// openFileAt opens the file name of directory dir for reading, as
// openFile does; path is its whole path, for errors.
func openFileAt(dir *dirFD, name, path string) (Reader, error) {
	fd, err := openat(dir.fd, name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return rawFile(fd), nil
}

func closeFD(fd int) { unix.Close(fd) }
