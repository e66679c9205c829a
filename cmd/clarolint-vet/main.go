package main

import (
	"os"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/clarolint/clarolint/analyzer"
)

// singlechecker also speaks go vet's -vettool protocol (the -V=full and
// -flags queries and a .cfg file argument), so one binary serves both uses.
// Standalone -json output goes through dedupeJSON first: singlechecker lists
// a report in a package with tests once per package variant.
func main() {
	if standaloneJSON(os.Args[1:]) && os.Getenv(innerEnv) == "" {
		os.Exit(dedupeJSON(os.Args[1:]))
	}
	singlechecker.Main(analyzer.Analyzer)
}
