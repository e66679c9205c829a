// Package mmap maps the pack and index files of an object store
// read-only, where the system can, so that reads of them cost no system
// call and no copy. Git never rewrites such a file in place: it writes a
// new one and renames it, so a mapping stays valid for as long as it is
// held.
package mmap
