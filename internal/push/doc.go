// Package push reads what git tells a pre-receive hook about a push, and
// finds what the push brings: the ref updates on the hook's standard
// input ("old new ref" lines), the quarantine git receives the objects
// in and the repository's object directories (GIT_OBJECT_DIRECTORY,
// GIT_QUARANTINE_PATH, GIT_ALTERNATE_OBJECT_DIRECTORIES), the push
// options (GIT_PUSH_OPTION_*), and, from the quarantine, the objects that
// the repository did not have before the push.
//
// It reads; it never writes to an object directory, and it does not
// scan: the caller scans the blobs it is handed and works out which
// commits put them where (package provenance).
package push
