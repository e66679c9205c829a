//go:build !unix

package odb

import "os"

// mapFile maps nothing here: packs are read with pread.
func mapFile(*os.File, int64) []byte { return nil }

// unmapFile undoes mapFile.
func unmapFile([]byte) error { return nil }
