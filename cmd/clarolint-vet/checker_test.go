package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for clarolint-vet's checker:
// runChecker starts os.Executable, which in a test is this binary, with
// innerEnv set, and main then runs the checker. So the tests of the front
// end need no go build.
func TestMain(m *testing.M) {
	if os.Getenv(innerEnv) != "" {
		main()
	}
	os.Exit(m.Run())
}
