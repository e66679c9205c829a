package main

import (
	"fmt"
	"os"
)

// standaloneFix reports whether args ask a standalone run to apply the
// suggested fixes to the files (-fix, without -diff, which only shows them).
func standaloneFix(args []string) bool {
	return !vetProtocol(args) && boolFlag(args, "fix") && !boolFlag(args, "diff") && !boolFlag(args, "json")
}

// fixThenReport applies the fixes as singlechecker does, and then, which
// singlechecker does not, reports the keys that are left: those with no
// fix, such as a key in a const declaration or one assembled from
// constants, which need a person's work. The exit status is the one of a
// plain run afterwards: 3 if any key is left, 0 if none, 1 if packages do
// not load.
func fixThenReport(args []string) int {
	code, err := runSelf(args, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	if code != 0 {
		return code // the fixes failed: the checker said why
	}
	var rest []string
	for _, a := range args {
		if n, _, _, ok := flagOf(a); !ok || n != "fix" {
			rest = append(rest, a)
		}
	}
	code, err = runSelf(rest, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	if code == 3 {
		fmt.Fprintln(os.Stderr, "clarolint-vet: the keys above have no automatic fix; move each to the environment by hand")
	}
	return code
}
