package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clarolint/clarolint/internal/gitrepo"
)

// hookMarker is the line that marks a hook as clarolint's own: install-hook
// overwrites and --uninstall removes only hooks that hold it.
const hookMarker = "# clarolint pre-commit hook: installed by `clarolint install-hook`"

// hookBackup is where --force keeps the hook it replaced; --uninstall puts
// it back.
const hookBackup = "pre-commit.pre-clarolint"

func runInstallHook(_ context.Context, e env, args []string) int {
	var force, uninstall bool
	c := newCommand("install-hook", "clarolint install-hook [flags] [REPO]",
		`Install a git pre-commit hook in REPO (default ".") that runs "clarolint staged"
before every commit, for projects that do not use the pre-commit framework.
The hook goes where git runs hooks from: core.hooksPath if set, else
.git/hooks. An existing hook that clarolint did not write is left alone
unless --force, which keeps it as `+hookBackup+`.
Skip the hook once with: SKIP=clarolint git commit`,
		"clarolint install-hook",
		"clarolint install-hook --uninstall")
	c.boolFlag(&force, "force", "replace a pre-commit hook that clarolint did not write (it is kept as "+hookBackup+")", "--force")
	c.boolFlag(&uninstall, "uninstall", "remove clarolint's hook, and restore the one --force replaced", "--uninstall")
	repo, code, ok := c.parseRepoOrExit(e, args)
	if !ok {
		return code
	}
	wt, ok := gitrepo.FindWorkTree(repo)
	if !ok {
		return fail(e, "install-hook", fmt.Errorf("%s is not inside a git work tree (a bare repository runs no pre-commit hook)", repo))
	}
	dir := wt.HooksDir()
	hook := filepath.Join(dir, "pre-commit")
	var err error
	if uninstall {
		err = removeHook(e, hook)
	} else {
		err = installHook(e, hook, force)
	}
	if err != nil {
		return fail(e, "install-hook", err)
	}
	return exitClean
}

func installHook(e env, hook string, force bool) error {
	old, err := os.ReadFile(hook)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !bytes.Contains(old, []byte(hookMarker)):
		if !force {
			return fmt.Errorf("%s exists and was not written by clarolint; run \"clarolint staged\" from it yourself, or replace it with --force (it is kept as %s)", hook, hookBackup)
		}
		if err := os.Rename(hook, filepath.Join(filepath.Dir(hook), hookBackup)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kept the previous hook as %s\n", filepath.Join(filepath.Dir(hook), hookBackup))
	}
	if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(hook, []byte(hookScript(installedBinary())), 0o755); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "installed %s: commits that add Claro keys or .env files are now blocked\n", hook)
	return nil
}

func removeHook(e env, hook string) error {
	old, err := os.ReadFile(hook)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stdout, "no pre-commit hook at %s; nothing to remove\n", hook)
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Contains(old, []byte(hookMarker)) {
		return fmt.Errorf("%s was not written by clarolint; it is left as it is", hook)
	}
	if err := os.Remove(hook); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "removed %s\n", hook)
	backup := filepath.Join(filepath.Dir(hook), hookBackup)
	if _, err := os.Stat(backup); err == nil {
		if err := os.Rename(backup, hook); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "restored the previous hook from %s\n", backup)
	}
	return nil
}

// installedBinary returns the absolute path of the running clarolint, or
// "" when it is a throwaway build (go run), which the hook must not name.
func installedBinary() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return ""
	}
	if tmp, err := filepath.EvalSymlinks(os.TempDir()); err == nil && strings.HasPrefix(exe, tmp+string(filepath.Separator)) {
		return ""
	}
	return exe
}

// hookScript returns the hook: it honours SKIP=clarolint as the
// pre-commit framework does, runs the binary that installed it if it
// still exists, else clarolint from PATH, and says how to get one if
// neither exists.
func hookScript(bin string) string {
	quoted := "'" + strings.ReplaceAll(bin, "'", `'\''`) + "'"
	return `#!/bin/sh
` + hookMarker + `
# Blocks commits that add Claro API keys or .env files. Remove it with
# "clarolint install-hook --uninstall"; skip it once with SKIP=clarolint.
case ",${SKIP:-}," in *,clarolint,*) exit 0 ;; esac
bin=` + quoted + `
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	bin=$(command -v clarolint) || {
		echo "clarolint: not found; install it with: go install github.com/clarolint/clarolint/cmd/clarolint@latest" >&2
		echo "(skip this check once with SKIP=clarolint git commit)" >&2
		exit 1
	}
fi
exec "$bin" staged
`
}
