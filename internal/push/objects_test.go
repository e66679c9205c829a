package push

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/internal/odb"
)

// TestWalk: the objects of a quarantine that the repository lacks, from
// its pack (through the .idx) and its loose objects: new blobs are
// handed over, old ones (a thin pack's bases) are not, new commits are
// counted, and the blobs of .env entries in new trees are collected,
// whether the blob is new or not. Neither object directory changes.
func TestWalk(t *testing.T) {
	t.Parallel()
	main := gogit.NewRepo(t)
	main.Stage(map[string]string{"README.md": "hello\n", "config/.env.example": "KEY=\n"})
	main.Commit("old")

	q := gogit.NewRepo(t)
	q.Stage(map[string]string{
		"README.md":           "hello\n",        // the repository has it: a thin pack's base
		"config/.env.example": "KEY=\n",         // an example: not a secret env file
		"app/.env":            "DEBUG=1\n",      // a new secret env file
		"app/.env.production": "hello\n",        // one whose content the repository has
		"app/main.go":         "package main\n", // a new blob
	})
	q.Commit("pushed")
	if err := q.Git.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	qdir := filepath.Join(q.Dir, ".git", "objects")
	dirs, _ := filepath.Glob(filepath.Join(qdir, "[0-9a-f][0-9a-f]"))
	for _, d := range dirs { // packed now: only the pack's index names them
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	loose := q.Blob("a loose object beside the pack\n")
	packs, _ := filepath.Glob(filepath.Join(qdir, "pack", "*.idx"))
	if len(packs) != 1 {
		t.Fatalf("the quarantine has %d packs, want 1", len(packs))
	}
	mainDir := filepath.Join(main.Dir, ".git", "objects")
	before := snapshot(t, qdir, mainDir)

	s, err := odb.Open(qdir, mainDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := odb.Open(mainDir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var mu sync.Mutex
	blobs := map[plumbing.Hash]string{}
	n, err := Walk(context.Background(), s, m, qdir, WalkOptions{
		Workers: 2,
		OnError: func(err error) { t.Errorf("OnError: %v", err) },
		Blob: func(_ int, o odb.Object) {
			mu.Lock()
			defer mu.Unlock()
			blobs[o.ID] = string(o.Data)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Values(blobs))
	want := []string{"DEBUG=1\n", "a loose object beside the pack\n", "package main\n"}
	if !slices.Equal(got, want) {
		t.Errorf("new blobs %q, want %q", got, want)
	}
	if _, ok := blobs[loose]; !ok {
		t.Errorf("the loose object %s was not handed over", loose)
	}
	blob := func(body string) plumbing.Hash { return plumbing.ComputeHash(plumbing.BlobObject, []byte(body)) }
	wantEnv := map[plumbing.Hash]bool{blob("DEBUG=1\n"): true, blob("hello\n"): true}
	if n.Commits != 1 || !maps.Equal(n.EnvBlobs, wantEnv) {
		t.Errorf("%d new commits, env blobs %v; want 1 and %v", n.Commits, n.EnvBlobs, wantEnv)
	}
	if after := snapshot(t, qdir, mainDir); !maps.Equal(before, after) {
		t.Errorf("the walk changed an object directory")
	}
}

// snapshot lists the files under dirs with their size and time of
// modification.
func snapshot(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			out[p] = fi.Mode().String() + " " + fi.ModTime().Format(time.RFC3339Nano) + " " + strconv.FormatInt(fi.Size(), 10)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
