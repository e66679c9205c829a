package odb

import (
	"bytes"
	"cmp"
	stdzlib "compress/zlib"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/internal/repotest"
	"github.com/clarolint/clarolint/internal/odb/object"
)

var repoFlag = flag.String("repo", "", "a bare repository for BenchmarkWalk (e.g. one scripts/bench-history.sh builds)")

// BenchmarkInflate compares klauspost/compress's zlib (the inflater's)
// with the standard library's on a 32 KiB blob, reusing the reader as the
// walk does.
func BenchmarkInflate(b *testing.B) {
	src := repotest.Text(32 << 10)
	z := deflate(src)
	dst := make([]byte, len(src))
	b.Run("klauspost", func(b *testing.B) {
		var in inflater
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if err := in.inflate(dst, z); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		var r io.ReadCloser
		br := bytes.NewReader(z)
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			br.Reset(z)
			var err error
			if r == nil {
				r, err = stdzlib.NewReader(br)
			} else {
				err = r.(stdzlib.Resetter).Reset(br, nil)
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(r, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWalk walks the blobs of -repo on every core: inflating and
// building them, not searching them.
func BenchmarkWalk(b *testing.B) {
	if *repoFlag == "" {
		b.Skip("no -repo")
	}
	s, err := Open(filepath.Join(*repoFlag, "objects"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		var n [64]int64
		err := s.Walk(context.Background(), WalkOptions{Types: []plumbing.ObjectType{plumbing.BlobObject}}, func(w int, o Object) error {
			n[w] += int64(len(o.Data))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		var total int64
		for _, x := range n {
			total += x
		}
		b.SetBytes(total)
	}
}

// BenchmarkLookups is what a staged scan asks of -repo: a store opened,
// HEAD's commit and root tree read, and a path's trees and blob looked
// up, each iteration from a new store, so that no index is loaded yet.
// It shows that a few lookups read no whole index.
func BenchmarkLookups(b *testing.B) {
	if *repoFlag == "" {
		b.Skip("no -repo")
	}
	head := resolveHead(b, *repoFlag)
	for b.Loop() {
		s, err := Open(filepath.Join(*repoFlag, "objects"))
		if err != nil {
			b.Fatal(err)
		}
		_, data, err := s.Read(head)
		var c object.Commit
		if err == nil {
			err = object.ParseCommit(data, &c)
		}
		if err != nil {
			b.Fatal(err)
		}
		// Down the last subtree of each tree to a blob, as the staged
		// scan follows a changed path through HEAD's trees (on the
		// benchmark repository: src/, not assets/ and its large CSV
		// files), and the blob read.
		id := c.Tree
		for depth := 0; depth < 10; depth++ {
			typ, data, err := s.Read(id)
			if err != nil {
				b.Fatal(err)
			}
			if typ != plumbing.TreeObject {
				break
			}
			it := object.NewTreeIter(data)
			var e object.TreeEntry
			var sub, blob plumbing.Hash
			for it.Next(&e) {
				if e.IsTree() {
					sub = e.ID
				} else if blob.IsZero() && e.IsBlob() {
					blob = e.ID
				}
			}
			id = cmp.Or(sub, blob)
		}
		s.Close()
	}
}

// resolveHead returns the commit HEAD names in repo, through a branch.
func resolveHead(b *testing.B, repo string) plumbing.Hash {
	head, err := os.ReadFile(filepath.Join(repo, "HEAD"))
	if err != nil {
		b.Fatal(err)
	}
	ref, ok := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !ok {
		return plumbing.NewHash(strings.TrimSpace(string(head)))
	}
	if id, err := os.ReadFile(filepath.Join(repo, ref)); err == nil {
		return plumbing.NewHash(strings.TrimSpace(string(id)))
	}
	packed, _ := os.ReadFile(filepath.Join(repo, "packed-refs"))
	for line := range strings.Lines(string(packed)) {
		if f := strings.Fields(line); len(f) == 2 && f[1] == ref {
			return plumbing.NewHash(f[0])
		}
	}
	b.Fatalf("HEAD: %s not found", ref)
	return plumbing.ZeroHash
}
