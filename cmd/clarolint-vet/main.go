package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/clarolint/clarolint/analyzer"
)

// singlechecker also speaks go vet's -vettool protocol (the -V=full and
// -flags queries and a .cfg file argument), so one binary serves both uses.
func main() { singlechecker.Main(analyzer.Analyzer) }
