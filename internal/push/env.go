package push

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/clarolint/clarolint/internal/cquote"
)

// Env is what git's environment tells a pre-receive hook about where
// the objects are and what the pusher asked for.
type Env struct {
	// Objects is GIT_OBJECT_DIRECTORY, made absolute: the object
	// directory git reads first; "" when it is not set.
	Objects string
	// QuarantinePath is GIT_QUARANTINE_PATH, which git 2.13 and later
	// set during a push's quarantine (see InQuarantine).
	QuarantinePath string
	// Alternates are the directories of GIT_ALTERNATE_OBJECT_DIRECTORIES,
	// made absolute.
	Alternates []string
	// Options are the push options (git push -o), in order:
	// GIT_PUSH_OPTION_0 to GIT_PUSH_OPTION_<COUNT-1>.
	Options []string
}

// maxOptions bounds the push options read, whatever
// GIT_PUSH_OPTION_COUNT says.
const maxOptions = 1000

// ReadEnv reads Env from getenv (os.Getenv in a hook). Relative
// directories are taken from the current directory, as git takes them.
// A malformed GIT_ALTERNATE_OBJECT_DIRECTORIES or GIT_PUSH_OPTION_COUNT
// is an error.
func ReadEnv(getenv func(string) string) (Env, error) {
	var e Env
	var err error
	if d := getenv("GIT_OBJECT_DIRECTORY"); d != "" {
		if e.Objects, err = filepath.Abs(d); err != nil {
			return e, fmt.Errorf("GIT_OBJECT_DIRECTORY: %w", err)
		}
		e.QuarantinePath = getenv("GIT_QUARANTINE_PATH")
	}
	alts, err := cquote.SplitList(getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))
	if err != nil {
		return e, fmt.Errorf("GIT_ALTERNATE_OBJECT_DIRECTORIES: %w", err)
	}
	for _, a := range alts {
		abs, err := filepath.Abs(a)
		if err != nil {
			return e, fmt.Errorf("GIT_ALTERNATE_OBJECT_DIRECTORIES: %w", err)
		}
		e.Alternates = append(e.Alternates, abs)
	}
	if c := getenv("GIT_PUSH_OPTION_COUNT"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > maxOptions {
			return e, fmt.Errorf("GIT_PUSH_OPTION_COUNT %q: want a count from 0 to %d", c, maxOptions)
		}
		for i := range n {
			e.Options = append(e.Options, getenv("GIT_PUSH_OPTION_"+strconv.Itoa(i)))
		}
	}
	return e, nil
}

// InQuarantine reports whether Objects is a push's quarantine, for a
// repository whose own object directory is own: a directory that holds
// the objects the push brings and nothing else, while Alternates hold
// the repository's. GIT_QUARANTINE_PATH says so; without it (GitLab's
// Gitaly passes its server hooks GIT_OBJECT_DIRECTORY and
// GIT_ALTERNATE_OBJECT_DIRECTORIES only), so does git's layout of one:
// Objects is another directory than own, and Alternates name own.
func (e Env) InQuarantine(own string) bool {
	if e.Objects == "" {
		return false
	}
	if e.QuarantinePath != "" {
		return true
	}
	same := func(a string) bool {
		fa, err1 := os.Stat(a)
		fo, err2 := os.Stat(own)
		return err1 == nil && err2 == nil && os.SameFile(fa, fo)
	}
	return !same(e.Objects) && slices.ContainsFunc(e.Alternates, same)
}

// Dirs returns the object directories to read, in git's order: Objects
// (else def, the repository's own), then Alternates.
func (e Env) Dirs(def string) []string {
	first := e.Objects
	if first == "" {
		first = def
	}
	return append([]string{first}, e.Alternates...)
}

// Main returns the object directories of the repository as it was
// before the push: Alternates (git names the repository's own there
// during a quarantine), else def.
func (e Env) Main(def string) []string {
	if len(e.Alternates) == 0 {
		return []string{def}
	}
	return e.Alternates
}
