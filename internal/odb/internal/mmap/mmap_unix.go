//go:build unix

package mmap

import (
	"os"
	"syscall"
)

// File maps f's first size bytes read-only, or returns nil when it
// cannot (the caller then reads with pread). Random reads of a mapped
// pack cost no system call: provenance reads every tree of a history one
// by one, and a pread per tree was a fifth of its time. A mapped pack
// index is read only where lookups go, and never copied.
func File(f *os.File, size int64) []byte {
	if size <= 0 || size != int64(int(size)) {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return b
}

// Unmap undoes File.
func Unmap(b []byte) error {
	if b == nil {
		return nil
	}
	return syscall.Munmap(b)
}
