package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
)

// innerEnv marks a clarolint-vet run by another (runChecker): it is the
// checker itself, and does its work in its own process.
const innerEnv = "CLAROLINT_VET_INNER"

// runChecker runs this clarolint-vet as the checker with args, in dir (the
// current directory if empty) and with env added to ours. Its standard
// output goes to stdout and its standard error to stderr, both through a
// redactor. It returns the checker's exit status, or an error if the
// checker could not run or was killed, or its output could not be written.
func runChecker(dir string, args, env []string, stdout, stderr io.Writer) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	outR, errR := &redactor{w: stdout}, &redactor{w: stderr}
	cmd := exec.Command(self, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), innerEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, outR, errR
	runErr := cmd.Run()
	if err := errors.Join(outR.Close(), errR.Close()); err != nil {
		return 0, err
	}
	var exit *exec.ExitError
	if errors.As(runErr, &exit) && exit.ExitCode() >= 0 {
		return exit.ExitCode(), nil // not a failure to run: the checker's own status
	}
	return 0, runErr // could not start it, or a signal ended it
}
