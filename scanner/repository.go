package scanner

import "github.com/clarolint/clarolint/internal/gitrepo"

// Repository is a git repository opened for a History scan: a work tree's
// or a bare one. It is safe for concurrent use.
type Repository struct {
	r *gitrepo.Repo
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
	return &Repository{r}, nil
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
