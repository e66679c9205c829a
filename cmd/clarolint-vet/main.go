package main

import (
	"os"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/clarolint/clarolint/analyzer"
)

// singlechecker also speaks go vet's -vettool protocol (the -V=full and
// -flags queries and a .cfg file argument), so one binary serves both uses.
// Two standalone uses run it as a child and finish its work: -json output
// goes through dedupeJSON, because singlechecker lists a report in a
// package with tests once per package variant, and -fix through
// fixThenReport, because singlechecker applies the fixes and says nothing
// of the keys that no fix removed.
func main() {
	args := os.Args[1:]
	if os.Getenv(innerEnv) == "" {
		switch {
		case standaloneJSON(args):
			os.Exit(dedupeJSON(args))
		case standaloneFix(args):
			os.Exit(fixThenReport(args))
		}
	}
	singlechecker.Main(analyzer.Analyzer)
}
