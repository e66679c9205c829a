// Package envcheck runs the .env checks of a tree scan: a secret env
// file (rules.IsSecretEnvFile) that a work tree tracks is
// env-file-tracked; one it holds untracked that the repository's
// committed ignore rules would not ignore is env-not-ignored; and a
// repository that uses env files, or mentions the key variables, gets a
// warning when its committed .gitignore leaves .env, .env.local or
// .env.production out. It reads the index, the committed .gitignore
// files and what the tree's walk saw (package walk); it never reads
// keys, and it takes the scan's rules, allow list and warnings from
// Options.
package envcheck
