package rules

import (
	"path"
	"strings"
)

// IsEnvFile reports whether the base name of the slash-separated path p is
// an environment file: .env or .env.* (.env.local, .env.production, and the
// example files too; see IsEnvExample).
func IsEnvFile(p string) bool {
	base := path.Base(p)
	return base == ".env" || strings.HasPrefix(base, ".env.")
}

// exampleSuffixes mark env files that hold no real secret by convention and
// may be tracked: .env.example, .env.sample, .env.template, .env.local.example.
var exampleSuffixes = [...]string{".example", ".sample", ".template"}

// IsEnvExample reports whether p is an env file meant to be committed as
// an example. Keys inside such files are still findings.
func IsEnvExample(p string) bool {
	if !IsEnvFile(p) {
		return false
	}
	for _, s := range exampleSuffixes {
		if strings.HasSuffix(path.Base(p), s) {
			return true
		}
	}
	return false
}

// IsSecretEnvFile reports whether p is an env file that must be neither
// tracked nor left unignored: an env file that is not an example.
func IsSecretEnvFile(p string) bool {
	return IsEnvFile(p) && !IsEnvExample(p)
}
