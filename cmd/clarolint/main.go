package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
)

// Exit statuses, as the README's "Exit status" section documents them.
const (
	exitClean    = 0 // no failing findings
	exitFindings = 1 // failing findings
	exitError    = 2 // usage, config or fatal error
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr) // no globals: tests call run with buffers
	stop()
	os.Exit(code)
}

// env is what a command may touch besides its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

const usage = `clarolint finds Claro API keys before they leak.

Usage:
  clarolint scan    [flags] [PATH...]   scan working-tree files (default ".")
  clarolint history [flags] [REPO]      scan every commit reachable from every ref
  clarolint staged  [flags] [REPO]      scan what the next commit would add
  clarolint pre-commit [flags] [FILE...] the pre-commit framework's hook: the files it passes
  clarolint pre-receive [flags]         a server's pre-receive hook: reject pushes that add keys
  clarolint install-hook [flags] [REPO] install a git pre-commit hook
  clarolint version                     print the version

Run "clarolint COMMAND --help" for the flags of a command.
Exit status: 0 no failing findings, 1 failing findings, 2 usage, config or fatal error.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "scan":
		return runScan(ctx, e, rest)
	case "history":
		return runHistory(ctx, e, rest)
	case "staged":
		return runStaged(ctx, e, rest)
	case "pre-commit":
		return runPreCommit(ctx, e, rest)
	case "pre-receive":
		return runPreReceive(ctx, e, rest)
	case "install-hook":
		return runInstallHook(ctx, e, rest)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "clarolint %s %s/%s %s\n", version(), runtime.GOOS, runtime.GOARCH, runtime.Version())
		return exitClean
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitClean
	}
	fmt.Fprintf(stderr, "clarolint: unknown command %q\n\n%s", cmd, usage)
	return exitError
}

// version returns the module version clarolint was built at: a tag when
// installed with `go install …@vX`, "(devel)" from a checkout.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
