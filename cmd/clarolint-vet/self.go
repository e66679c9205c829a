package main

import (
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// innerEnv marks a clarolint-vet run by another (runSelf), which does the
// checker's work itself rather than run yet another.
const innerEnv = "CLAROLINT_VET_INNER"

// runSelf runs this clarolint-vet with args, its standard output going to
// stdout and its standard error to ours, and returns its exit status.
func runSelf(args []string, stdout io.Writer) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), innerEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, os.Stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), nil
	}
	return 0, err
}

// vetProtocol reports whether args are go vet's invocation of a vet tool,
// which names a .cfg file.
func vetProtocol(args []string) bool {
	for _, a := range args {
		if strings.HasSuffix(a, ".cfg") {
			return true
		}
	}
	return false
}

// boolFlag returns the value that args give the boolean flag name, in any
// of the forms the flag package accepts (-name, --name, -name=false), the
// last one winning; false if they do not set it.
func boolFlag(args []string, name string) bool {
	v := false
	for _, a := range args {
		n, val, hasVal, ok := flagOf(a)
		if !ok || n != name {
			continue
		}
		if !hasVal {
			v = true
		} else if b, err := strconv.ParseBool(val); err == nil {
			v = b
		}
	}
	return v
}

// flagOf returns the name of the flag that the argument a sets, as the
// flag package reads it (-name, --name, -name=value), and its value if a
// gives one; ok is false for an argument that is no flag, such as a
// package pattern.
func flagOf(a string) (name, val string, hasVal, ok bool) {
	if !strings.HasPrefix(a, "-") {
		return "", "", false, false
	}
	name, val, hasVal = strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
	return name, val, hasVal, true
}
