package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/clarolint/clarolint/rules"
)

// A unitConfig is what clarolint-vet reads of the .cfg file with which go
// vet asks a tool to check one package (a unit).
type unitConfig struct {
	// VetxOnly is set for a dependency of the packages being checked,
	// which is analyzed for facts only and reports nothing.
	VetxOnly bool
	// Stdout is the file that takes the checker's standard output (the
	// JSON that go vet prints from, or a diff), if set.
	Stdout string
}

// vetUnit returns the .cfg file that args name if they are go vet's
// invocation of a tool for a unit of work.
func vetUnit(args []string) (string, bool) {
	if len(args) == 0 || !strings.HasSuffix(args[len(args)-1], ".cfg") {
		return "", false
	}
	return args[len(args)-1], true
}

// readUnit reads the parts of the .cfg file that clarolint-vet needs.
func readUnit(cfgFile string) (unitConfig, error) {
	var cfg unitConfig
	b, err := os.ReadFile(cfgFile)
	if err != nil {
		return cfg, err
	}
	return cfg, json.Unmarshal(b, &cfg)
}

// runUnit runs the checker on go vet's unit, whose .cfg file says cfg,
// redacting its output:
// what it writes to standard error (such as a type error that quotes a
// key), and what it leaves in the unit's Stdout file (a -fix -diff diff,
// which holds the lines that a fix removes), which go vet prints, and
// caches, once the tool has exited.
//
// With -c, go vet does not pass the flag on: it prints the source lines
// itself, from the files, and they are beyond any tool's reach.
func runUnit(args []string, cfg unitConfig, stdout, stderr io.Writer) int {
	code, err := runChecker("", args, nil, stdout, stderr)
	if err == nil && cfg.Stdout != "" {
		err = redactFile(cfg.Stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	return code
}

// redactFile rewrites the file name with every run shaped like a key
// redacted. A file that does not exist has nothing to redact.
func redactFile(name string) error {
	b, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if red := rules.RedactText(string(b)); red != string(b) {
		return os.WriteFile(name, []byte(red), 0o666)
	}
	return nil
}
