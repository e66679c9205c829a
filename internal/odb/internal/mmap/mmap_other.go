//go:build !unix

package mmap

import "os"

// File maps nothing here: packs are read with pread.
func File(*os.File, int64) []byte { return nil }

// Unmap undoes File.
func Unmap([]byte) error { return nil }
