// Package scanner finds Claro keys in working trees, in the staged index
// and in git history, and checks that .env files are kept out of git. It
// turns bytes from those sources into Findings, using package rules for
// every decision about what a key is. With Options.DecodeDepth it also
// finds keys written in base64, percent-encoding or JSON \u escapes, and
// reads UTF-16 files as text; such a finding spans the encoded text and
// holds the decoded key. With Options.ArchiveDepth it opens zip, gzip and
// tar archives and scans the files inside, reported as archive!name.
//
// The scanner never prints: findings go to the caller's emit callback and
// warnings to the io.Writer in Options. Bad input (unreadable files, broken
// symlinks, odd git objects, binary or oversized files) is a warning
// counted in Stats, never a reason to stop the scan.
package scanner
