// Package delta applies git's pack deltas (gitformat-pack(5),
// "Deltified representation") to their bases. Every size and range is
// checked, so that a malformed or hostile delta is an error, never a
// panic or an out-of-bounds access.
package delta
