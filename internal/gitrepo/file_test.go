package gitrepo

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clarolint/clarolint/internal/fixture/gogit"
)

// TestReadFile: a file at a commit by revision, by full object name, by
// an annotated tag (peeled) and by a tree; a directory, a missing file,
// a path through a file and any path of a blob are no file; a commit that only another
// object directory holds (a pre-receive hook's quarantine) is read
// through ObjectDirs, which go-git's view of the repository lacks.
func TestReadFile(t *testing.T) {
	t.Parallel()
	r := gogit.NewRepo(t)
	r.Stage(map[string]string{".clarolint.yaml": "entropy: 4.0\n", "dir/sub/f.txt": "deep\n"})
	c := r.Commit("first")
	sig := &object.Signature{Name: "T", Email: "t@example.com", When: time.Unix(1700000000, 0)}
	tag, err := r.Git.CreateTag("v1", c, &git.CreateTagOptions{Tagger: sig, Message: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	commit, err := r.Git.CommitObject(c)
	if err != nil {
		t.Fatal(err)
	}
	quarantine := gogit.NewRepo(t)
	quarantine.Stage(map[string]string{".clarolint.yaml": "entropy: 3.0\n"})
	pushed := quarantine.Commit("pushed")

	repo, err := Find(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	pushRepo := &Repo{Top: repo.Top, GitDir: repo.GitDir, CommonDir: repo.CommonDir,
		ObjectDirs: []string{filepath.Join(quarantine.Dir, ".git", "objects"), filepath.Join(repo.CommonDir, "objects")}}
	defer pushRepo.Close()
	for _, tt := range []struct {
		repo      *Repo
		rev, path string
		want      string
		ok, err   bool
	}{
		{repo, "HEAD", ".clarolint.yaml", "entropy: 4.0\n", true, false},
		{repo, c.String(), "dir/sub/f.txt", "deep\n", true, false},
		{repo, tag.Hash().String(), "dir/sub/f.txt", "deep\n", true, false},
		{repo, "v1", ".clarolint.yaml", "entropy: 4.0\n", true, false},
		{repo, commit.TreeHash.String(), "dir/sub/f.txt", "deep\n", true, false},
		{repo, r.Blob("deep\n").String(), ".clarolint.yaml", "", false, false},
		{repo, "HEAD", "dir/sub", "", false, false},
		{repo, "HEAD", "dir/missing", "", false, false},
		{repo, "HEAD", "dir/sub/f.txt/x", "", false, false},
		{repo, "nope", ".clarolint.yaml", "", false, true},
		{repo, plumbing.NewHash("0123456789012345678901234567890123456789").String(), ".clarolint.yaml", "", false, true},
		{repo, pushed.String(), ".clarolint.yaml", "", false, true},
		{pushRepo, pushed.String(), ".clarolint.yaml", "entropy: 3.0\n", true, false},
	} {
		b, ok, err := tt.repo.ReadFile(tt.rev, tt.path)
		if string(b) != tt.want || ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("ReadFile(%s, %s) = %q, %v, %v; want %q, %v, error %v", tt.rev, tt.path, b, ok, err, tt.want, tt.ok, tt.err)
		}
	}
}
