// Package walk walks working trees for a scan: directories in parallel,
// each worker reading its directory and handing its files to a visitor
// itself, so that no file passes through a channel. Inside a git work tree
// it skips what git ignores (untracked files that .gitignore files,
// info/exclude or the global excludes file ignore; tracked files never),
// follows nested repositories' own rules, never enters .git, and does not
// follow symbolic links unless asked, stopping at loops. Trees deeper than
// PATH_MAX are read one directory at a time.
//
// It reads; it never writes. What it cannot read is a warning and a count
// in the walk's Stats, never a reason to stop the walk.
package walk
