// Package provenance lists what the commits of a history changed, path
// by path, as git log --raw -c does, from an odb.Store: every commit
// putting a blob at a path where none of its parents has that blob. With
// a set of hit blobs (those a scan found a key in), it lists only their
// changes and reads only the trees that can hold one, each tree judged
// once, at a small fraction of the cost of a full listing; without, it
// lists every change, for a range of a few commits whose blobs the caller
// then reads one by one.
//
// It never runs git and never applies replace refs or grafts: a commit's
// parents are the ones it names. It reads; it does not scan: the caller
// searches the blobs and decides which keys a change introduced (those
// not in any parent's blob at that path, Change.Parents).
package provenance
