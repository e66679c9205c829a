package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// runStandalone runs clarolint-vet with the command line args and returns
// its exit status.
func runStandalone(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2 // parseArgs printed the mistake
	}
	env, err := o.env()
	if err != nil {
		fmt.Fprintf(stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	if o.files {
		return checkModules(o, env, stdout, stderr)
	}
	return check(o, "", o.args, env, stdout, stderr)
}

// check runs the checker on patterns in dir, as o asks, and returns the
// exit status.
func check(o options, dir string, patterns, env []string, stdout, stderr io.Writer) int {
	switch {
	case o.json:
		return dedupeJSON(dir, o.checkerArgs(patterns, "-json"), env, stdout, stderr)
	case o.fix && !o.diff:
		return fixThenReport(dir, o, patterns, env, stdout, stderr)
	case o.fix:
		return checker(dir, o.checkerArgs(patterns, "-fix", "-diff"), env, stdout, stderr)
	}
	return checker(dir, o.checkerArgs(patterns), env, stdout, stderr)
}

// checker runs the checker with args and returns its exit status, or 1 if
// it could not run.
func checker(dir string, args, env []string, stdout, stderr io.Writer) int {
	code, err := runChecker(dir, args, env, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	return code
}
