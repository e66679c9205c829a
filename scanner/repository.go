package scanner

import (
	"path/filepath"

	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/internal/push"
)

// Repository is a git repository opened for a History or Push scan: a
// work tree's or a bare one. It is safe for concurrent use.
type Repository struct {
	r    *gitrepo.Repo
	push push.Env // where a pre-receive hook's objects are
}

// OpenRepository opens the repository that holds path, looking in path
// and its parents as git does: a directory with a .git directory or file
// (a work tree, a linked worktree, a submodule checkout), or a bare
// repository's own directory. A path in no repository is an error, and so
// is a repository that names its objects with SHA-256.
func OpenRepository(path string) (*Repository, error) {
	r, err := gitrepo.Find(path)
	if err != nil {
		return nil, err
	}
	return &Repository{r: r}, nil
}

// OpenPushRepository opens the repository at path as a pre-receive hook
// sees it, from git's environment (getenv: os.Getenv): the pushed objects
// are in a quarantine (GIT_OBJECT_DIRECTORY, and GIT_QUARANTINE_PATH from
// git 2.13 on), the repository's in GIT_ALTERNATE_OBJECT_DIRECTORIES
// (':'-separated, C-quoted), each followed by its info/alternates, so
// that Push and ReadFile read the pushed commits. Without those variables
// it is OpenRepository.
func OpenPushRepository(path string, getenv func(string) string) (*Repository, error) {
	env, err := push.ReadEnv(getenv)
	if err != nil {
		return nil, err
	}
	r, err := gitrepo.Find(path)
	if err != nil {
		return nil, err
	}
	r.ObjectDirs = env.Dirs(filepath.Join(r.CommonDir, "objects"))
	return &Repository{r: r, push: env}, nil
}

// Root returns the top directory of the work tree, or the git directory
// of a bare repository: where .clarolint.yaml is looked for.
func (r *Repository) Root() string { return r.r.Root() }

// ReadFile returns the content of the file at path (slash-separated, from
// the top of the tree) in the commit that rev names, and false when that
// commit has no such file. A revision that does not resolve, or an object
// that cannot be read, is an error.
func (r *Repository) ReadFile(rev, path string) ([]byte, bool, error) {
	return r.r.ReadFile(rev, path)
}

// Close releases the files the repository opened.
func (r *Repository) Close() error { return r.r.Close() }
