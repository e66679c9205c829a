// Package object parses the git objects a history walk reads: a commit's
// header (tree, parents, author) and a tree's entries, without
// allocating more than the parents' slice. It does no I/O.
package object
