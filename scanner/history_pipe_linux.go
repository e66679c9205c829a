package scanner

import (
	"os"
	"syscall"
)

// fSetPipeSize is Linux's F_SETPIPE_SZ, which package syscall lacks.
const fSetPipeSize = 1031

// histGrowPipe enlarges the pipe that f reads to 1 MiB, so that git
// writes, and clarolint reads, many blobs per system call: on the
// history that scripts/bench-history.sh builds, a fifth less wall time
// than with the default 64 KiB. A failure (a lower pipe-max-size) leaves
// the pipe as it was.
func histGrowPipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, 1<<20) })
	}
}
