package scanner

import (
	"fmt"
	"path/filepath"
)

// HooksDir returns the directory git runs hooks from for the work tree
// holding dir: core.hooksPath when it is set (a relative path is taken
// from the top of the work tree, as git does), else the hooks directory of
// the repository's git directory, which linked worktrees share.
func HooksDir(dir string) (string, error) {
	wt, ok := findWorktree(dir)
	if !ok {
		return "", fmt.Errorf("%s is not inside a git work tree (a bare repository runs no pre-commit hook)", dir)
	}
	if p := gitConfig(wt.commonDir, "hookspath"); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(wt.root, p)
		}
		return p, nil
	}
	return filepath.Join(wt.commonDir, "hooks"), nil
}
