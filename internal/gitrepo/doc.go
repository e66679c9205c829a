// Package gitrepo is clarolint's one model of a git repository. Every
// command that touches git opens its repository here: discovery (a work
// tree's .git directory or file, a linked worktree's common directory, a
// bare repository), the settings clarolint reads (core.hooksPath,
// core.excludesFile, extensions.objectFormat), refs and revisions, the
// index, ignore rules, trees and objects, and the history listing.
//
// It reads repositories and never writes to them, and never applies a
// repository's settings that change what is scanned: grafts, replace refs,
// a commit-graph file or diff.relative. It runs no command a repository
// can configure; the git binary, when it is used for speed, is run with
// those settings pinned off.
//
// go-git decodes refs, commits and trees here, and only here: other
// packages see plumbing types at most. SHA-1 repositories only; a
// SHA-256 one is an error that says so.
package gitrepo
