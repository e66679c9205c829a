//go:build !unix

package walk

import (
	"io/fs"
	"os"
)

// openFile opens path with os.Open, where plain system calls are not
// available.
func openFile(path string) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// readDir is os.ReadDir.
func readDir(path string) ([]fs.DirEntry, error) { return os.ReadDir(path) }
