package walk

import (
	"errors"
	"sync/atomic"
)

// maxOpenDirs bounds the directories a walk keeps open at once for
// opening their files relative to them; past it, directories are read
// and closed at once, and their files opened by their whole paths.
const maxOpenDirs = 128

// dirFD is an open directory whose files and subdirectories are opened
// relative to it (openat): the kernel then looks up one name per file
// instead of every component of its path, which on a deep tree of small
// files was a tenth of a scan's time. The tasks that use it hold it; the
// last to let go closes it.
type dirFD struct {
	w    *walker
	fd   int
	refs atomic.Int32
}

// newDirFD returns fd held once, or nil when there is no fd (-1) or the
// walk keeps enough directories open already, in which case fd is
// closed.
func (w *walker) newDirFD(fd int) *dirFD {
	if fd < 0 {
		return nil
	}
	if w.openDirs.Add(1) > maxOpenDirs {
		w.openDirs.Add(-1)
		closeFD(fd)
		return nil
	}
	d := &dirFD{w: w, fd: fd}
	d.refs.Store(1)
	return d
}

// hold adds a user of d, which may be nil, and returns d.
func (d *dirFD) hold() *dirFD {
	if d != nil {
		d.refs.Add(1)
	}
	return d
}

// release lets go of d, which may be nil, closing it after the last user.
func (d *dirFD) release() {
	if d != nil && d.refs.Add(-1) == 0 {
		closeFD(d.fd)
		d.w.openDirs.Add(-1)
	}
}

// errNoDirFD says that directories cannot be kept open here: they are
// read by their paths, and so are their files.
var errNoDirFD = errors.New("directories are not kept open on this system")
