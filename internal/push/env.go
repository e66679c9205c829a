package push

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/clarolint/clarolint/internal/odb"
)

// Env is what git's environment tells a pre-receive hook about where
// the objects are and what the pusher asked for.
type Env struct {
	// Objects is GIT_OBJECT_DIRECTORY, made absolute: the object
	// directory git reads first; "" when it is not set.
	Objects string
	// Quarantine says that Objects is a push's quarantine
	// (GIT_QUARANTINE_PATH is set, as git 2.13 and later set it): it
	// holds the objects the push brings and nothing else, and Alternates
	// hold the repository's own.
	Quarantine bool
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
		e.Quarantine = getenv("GIT_QUARANTINE_PATH") != ""
	}
	alts, err := odb.SplitAlternates(getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))
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
