package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// A module is a Go module that -files checks.
type module struct {
	dir string // where its go.mod is
	// offWork is set when a go.work file governs dir but does not use the
	// module, so that the go command would refuse to load it there: the
	// module is checked on its own, with GOWORK=off.
	offWork bool
}

// checkModules checks ./... of each Go module that holds one of o.args,
// which are files (those a commit changes, from the pre-commit hook), in
// the module's directory and in the order of the modules' paths, and
// returns the highest exit status. A module's nested modules are not part
// of it. A file in no module cannot be checked: clarolint-vet says so, and
// exits 1, so that a hook never passes it in silence.
func checkModules(o options, env []string, stdout, stderr io.Writer) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	mods, lost, err := modulesOf(wd, o.args)
	if err != nil {
		fmt.Fprintf(stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	code := 0
	for _, name := range lost {
		fmt.Fprintf(stderr, "clarolint-vet: %s is in no Go module (no go.mod in its directory or above it), so it was not checked; "+
			"put it in a module, or exclude it from the clarolint-vet hook (clarolint scan still reads it)\n", name)
		code = 1
	}
	for _, m := range mods {
		menv := env
		if m.offWork {
			menv = append(slices.Clip(env), "GOWORK=off")
		}
		code = max(code, check(o, m.dir, []string{"./..."}, menv, stdout, stderr))
	}
	return code
}

// modulesOf returns the modules that hold files, sorted by directory, and
// the files that are in none, in the order given. Relative file names are
// relative to wd.
func modulesOf(wd string, files []string) ([]module, []string, error) {
	roots := map[string]bool{}
	var lost []string
	for _, name := range files {
		abs := name
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, name)
		}
		root, ok := findUp(filepath.Dir(abs), "go.mod")
		if !ok {
			lost = append(lost, name)
			continue
		}
		roots[root] = true
	}
	var mods []module
	for root := range roots {
		off, err := offWork(root)
		if err != nil {
			return nil, nil, err
		}
		mods = append(mods, module{dir: root, offWork: off})
	}
	slices.SortFunc(mods, func(a, b module) int { return cmp.Compare(a.dir, b.dir) })
	return mods, lost, nil
}

// findUp returns the nearest directory, dir or above it, that holds a file
// named name.
func findUp(dir, name string) (string, bool) {
	for {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// offWork reports whether the go.work file that the go command would use in
// the module root (go env GOWORK there: found above it, or named by GOWORK)
// leaves the module out.
func offWork(root string) (bool, error) {
	cmd := exec.Command("go", "env", "GOWORK")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return false, fmt.Errorf("go env GOWORK in %s: %w", root, err)
	}
	work := strings.TrimSpace(string(out))
	if work == "" || work == "off" {
		return false, nil
	}
	data, err := os.ReadFile(work)
	if err != nil {
		return false, err
	}
	wf, err := modfile.ParseWork(work, data, nil)
	if err != nil {
		return false, err // modfile's errors name the file and line
	}
	rootInfo, err := os.Stat(root)
	if err != nil {
		return false, err
	}
	for _, use := range wf.Use {
		dir := use.Path
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(filepath.Dir(work), dir)
		}
		if fi, err := os.Stat(dir); err == nil && os.SameFile(fi, rootInfo) {
			return false, nil
		}
	}
	return true, nil
}
