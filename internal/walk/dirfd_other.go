//go:build !linux

package walk

import "io/fs"

// openDir says that directories are not kept open here.
func openDir(parent *dirFD, path string) (int, error) { return -1, errNoDirFD }

// readDirFD is never called where openDir opens nothing.
func readDirFD(fd int, path string) ([]fs.DirEntry, error) { return readDir(path) }

// openFileAt opens the file by its whole path.
func openFileAt(dir *dirFD, name, path string) (Reader, error) { return openFile(path) }

func closeFD(fd int) {}
