// Command clarolint finds Claro API keys in working trees, staged changes
// and git history, and checks that .env files are kept out of git.
//
//	clarolint scan    [flags] [PATH...]   working tree (default ".")
//	clarolint history [flags] [REPO]      every commit reachable from every ref
//	clarolint staged  [flags] [REPO]      what the next commit would add
//	clarolint install-hook [REPO]         a git pre-commit hook running `clarolint staged`
//	clarolint version
//
// Exit status: 0 no failing findings, 1 failing findings, 2 usage, config
// or fatal error. Run `clarolint COMMAND --help` for the flags of each
// command.
package main
