package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// options are clarolint-vet's command line when it runs standalone.
type options struct {
	context         int // -c: lines of context; -1 for none
	json, fix, diff bool
	test            bool
	tags            string // -tags, if tagsSet
	tagsSet         bool
	files           bool     // -files: args are files, not packages
	args            []string // package patterns, or files
}

const usageText = `clarolint-vet reports Claro API keys hardcoded in Go string constants
(rules claro-live-key and claro-test-key), and fixes them to read the key
from the environment. See https://github.com/clarolint/clarolint#go-code-clarolint-vet

Usage:
  clarolint-vet [flags] packages          check packages, such as ./...
  clarolint-vet -files [flags] file...    check ./... of each Go module that holds a file
  go vet -vettool=$(which clarolint-vet) [packages]

Exit status: 0 no keys; 3 keys (with -fix: keys that no fix removed); 1
packages that do not load; 2 a mistake in the command line. With -json or
-fix -diff, 0 whatever was found. Output never holds a full key.

Flags:
`

// parseArgs reads a standalone command line. A mistake in it is an error,
// after the flag package has printed it and the usage to stderr; -h is
// flag.ErrHelp.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("clarolint-vet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.IntVar(&o.context, "c", -1, "show each report's lines and `N` lines around them, keys redacted")
	fs.BoolVar(&o.json, "json", false, "print the reports as JSON on standard output")
	fs.BoolVar(&o.fix, "fix", false, "apply the suggested fixes, then report the keys that no fix removed")
	fs.BoolVar(&o.diff, "diff", false, "with -fix, print the fixes as a unified diff instead, keys redacted")
	fs.BoolVar(&o.test, "test", true, "check test files too")
	fs.StringVar(&o.tags, "tags", "", "build tags, as for go build: a comma-separated `list`")
	fs.BoolVar(&o.files, "files", false, "the arguments are files: check each Go module that holds one (the pre-commit hook)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	fs.Visit(func(f *flag.Flag) { o.tagsSet = o.tagsSet || f.Name == "tags" })
	o.args = fs.Args()
	var mistake string
	switch {
	case len(o.args) == 0 && o.files:
		mistake = "-files needs the files to check"
	case len(o.args) == 0:
		mistake = "name the packages to check, such as ./..."
	case o.json && o.fix:
		mistake = "-json and -fix cannot be used together"
	case o.json && o.files:
		mistake = "-json and -files cannot be used together: each module would print its own JSON"
	}
	if mistake != "" {
		fmt.Fprintf(stderr, "clarolint-vet: %s\n", mistake)
		fs.Usage()
		return o, errors.New(mistake)
	}
	return o, nil
}

// checkerArgs returns the checker's command line for o: its flags, those
// in extra (such as -json), and then patterns.
func (o options) checkerArgs(patterns []string, extra ...string) []string {
	args := []string{"-c=" + strconv.Itoa(o.context), "-test=" + strconv.FormatBool(o.test)}
	args = append(args, extra...)
	return append(args, patterns...)
}

// env returns what to add to the checker's environment for o: -tags, as
// GOFLAGS, which go/packages hands to go list. The checker has no -tags of
// its own (singlechecker accepts the flag, for old go vet scripts, and
// ignores it). The tags are added to the GOFLAGS that the go command would
// use, which may come from the go env file rather than the environment:
// setting the variable alone would hide that file's flags.
func (o options) env() ([]string, error) {
	if !o.tagsSet {
		return nil, nil
	}
	out, err := exec.Command("go", "env", "GOFLAGS").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOFLAGS: %w", err)
	}
	tags := strings.Join(strings.FieldsFunc(o.tags, func(r rune) bool { return r == ',' || r == ' ' }), ",")
	return []string{"GOFLAGS=" + strings.TrimSpace(strings.TrimSpace(string(out))+" -tags="+tags)}, nil
}
