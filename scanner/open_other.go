//go:build !unix

package scanner

import (
	"io/fs"
	"os"
)

// rawFile is an *os.File where plain system calls are not available.
type rawFile struct{ *os.File }

func openFile(path string) (rawFile, error) {
	f, err := os.Open(path)
	return rawFile{f}, err
}

// size returns the file's size in bytes.
func (f rawFile) size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// readDir is os.ReadDir.
func readDir(path string) ([]fs.DirEntry, error) { return os.ReadDir(path) }
