package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	_ "github.com/clarolint/clarolint/golangci" // registers the clarolint plugin
)

func main() {
	if err := commands.Execute(buildInfo()); err != nil {
		fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}

// buildInfo names this build as golangci-lint custom names its own: the
// golangci-lint version it was built from, marked as custom.
func buildInfo() commands.BuildInfo {
	info := commands.BuildInfo{Version: "(devel)-custom-gcl", GoVersion: "unknown", Commit: "unknown", Date: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	info.GoVersion = bi.GoVersion
	for _, dep := range bi.Deps {
		if dep.Path == "github.com/golangci/golangci-lint/v2" {
			info.Version = strings.TrimPrefix(dep.Version, "v") + "-custom-gcl"
		}
	}
	return info
}
