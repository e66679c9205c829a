package main

import (
	"fmt"
	"io"
)

// fixThenReport applies the fixes as the checker does, and then, which the
// checker does not, reports the keys that are left: those with no fix,
// such as a key in a const declaration or one assembled from constants,
// which need a person's work. The exit status is that of a plain run
// afterwards: 3 if any key is left, 0 if none, 1 if packages do not load.
func fixThenReport(dir string, o options, patterns, env []string, stdout, stderr io.Writer) int {
	if code := checker(dir, o.checkerArgs(patterns, "-fix"), env, stdout, stderr); code != 0 {
		return code // the fixes failed: the checker said why
	}
	code := checker(dir, o.checkerArgs(patterns), env, stdout, stderr)
	if code == 3 {
		fmt.Fprintln(stderr, "clarolint-vet: the keys above have no automatic fix; move each to the environment by hand")
	}
	return code
}
