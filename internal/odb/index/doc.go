// Package index reads git's pack indexes: version-2 .idx files, lazily
// (a few lookups read a few kilobytes, never the whole index), and
// multi-pack-indexes. It finds objects; it reads no pack. Damaged files
// are errors naming them, never panics.
package index
