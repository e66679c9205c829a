package main

import (
	"io"
	"os"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/clarolint/clarolint/analyzer"
)

// main is a front end to the checker, singlechecker.Main, which does the
// analysis and speaks go vet's -vettool protocol. The checker runs as a
// child of the front end (runChecker), because it echoes what users wrote
// (source lines with -c, diffs with -fix -diff, type errors that quote a
// constant) and then calls os.Exit, so the one way to redact all of it is
// to read its output from outside. The front end also owns the command
// line: -tags and -files, and a usage that names clarolint-vet.
func main() {
	if os.Getenv(innerEnv) == "" {
		if code, handled := run(os.Args[1:], os.Stdout, os.Stderr); handled {
			os.Exit(code)
		}
	}
	singlechecker.Main(analyzer.Analyzer) // exits
}

// run runs clarolint-vet with args, as a go vet tool for a unit of work or
// standalone, and returns its exit status. It leaves to the checker, in
// this process (handled is false), what prints nothing of the source: go
// vet's handshake queries (-V=full, -flags), a unit analyzed for facts
// only, and a unit whose .cfg file cannot be read, which the checker
// reports.
func run(args []string, stdout, stderr io.Writer) (code int, handled bool) {
	if len(args) == 1 && (args[0] == "-V=full" || args[0] == "-flags") {
		return 0, false
	}
	cfgFile, ok := vetUnit(args)
	if !ok {
		return runStandalone(args, stdout, stderr), true
	}
	cfg, err := readUnit(cfgFile)
	if err != nil || cfg.VetxOnly {
		return 0, false
	}
	return runUnit(args, cfg, stdout, stderr), true
}
