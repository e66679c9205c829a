package provenance

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/rules"
)

var repoFlag = flag.String("repo", "", "a bare repository for BenchmarkScan (e.g. one scripts/bench-history.sh builds)")

// BenchmarkScan is the engine's part of clarolint history on -repo:
// every unique blob walked and searched for keys on every core, then the
// changes that introduced the blobs with a key. It is what issue #14's
// bar is measured on, against git cat-file --batch-all-objects | rg:
//
//	go test -c -o scan.test ./internal/odb/provenance
//	./scan.test -test.run '^$' -test.bench BenchmarkScan -test.benchtime 1x -repo /path/to/repo.git
func BenchmarkScan(b *testing.B) {
	if *repoFlag == "" {
		b.Skip("no -repo")
	}
	for b.Loop() {
		st := scanRepo(b, *repoFlag)
		b.SetBytes(st.bytes)
		b.ReportMetric(float64(st.blobs), "blobs")
		b.ReportMetric(float64(st.hits), "hits")
		b.ReportMetric(float64(st.changes), "changes")
		b.ReportMetric(st.walk.Seconds(), "walk-s")
		b.ReportMetric(st.prov.Seconds(), "provenance-s")
	}
}

type scanStats struct {
	blobs, bytes, hits, changes int64
	walk, prov                  time.Duration
}

func scanRepo(b *testing.B, repo string) scanStats {
	s, err := odb.Open(filepath.Join(repo, "objects"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	o := odb.WalkOptions{Types: []plumbing.ObjectType{plumbing.BlobObject}, OnError: func(err error) { b.Error(err) }}
	type perWorker struct {
		matches  []rules.Match
		hits     []plumbing.Hash
		blobs, n int64
		_        [64]byte // keep workers' counters off one cache line
	}
	workers := make([]perWorker, 64)
	var m rules.Matcher
	start := time.Now()
	err = s.Walk(context.Background(), o, func(w int, obj odb.Object) error {
		pw := &workers[w]
		pw.matches = m.FindIn(pw.matches[:0], obj.Data, 0, len(obj.Data))
		if len(pw.matches) > 0 {
			pw.hits = append(pw.hits, obj.ID)
		}
		pw.blobs++
		pw.n += int64(len(obj.Data))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	st := scanStats{walk: time.Since(start)}
	start = time.Now()
	hits := make(map[plumbing.Hash]bool)
	for _, pw := range workers {
		st.blobs += pw.blobs
		st.bytes += pw.n
		for _, h := range pw.hits {
			hits[h] = true
		}
	}
	st.hits = int64(len(hits))
	tips := refTipsOf(b, s, repo)
	var mu sync.Mutex
	err = Changes(context.Background(), s, Options{Tips: tips, Hits: hits, OnError: func(err error) { b.Error(err) }}, func(c Change) error {
		mu.Lock()
		st.changes++
		mu.Unlock()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	st.prov = time.Since(start)
	return st
}

// refTipsOf returns the commits the refs of repo name, tags peeled: what
// the scanner's ref reading gives the engine.
func refTipsOf(b *testing.B, s *odb.Store, repo string) []plumbing.Hash {
	var ids []plumbing.Hash
	add := func(hex string) {
		if plumbing.IsHash(hex) {
			ids = append(ids, plumbing.NewHash(hex))
		}
	}
	if f, err := os.Open(filepath.Join(repo, "packed-refs")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if line := sc.Text(); line != "" && line[0] != '#' && line[0] != '^' {
				add(strings.Fields(line)[0])
			}
		}
		f.Close()
	}
	filepath.WalkDir(filepath.Join(repo, "refs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if c, err := os.ReadFile(p); err == nil {
				add(strings.TrimSpace(string(c)))
			}
		}
		return nil
	})
	var tips []plumbing.Hash
	for _, id := range ids {
		for range 10 { // peel tags
			typ, data, err := s.Read(id)
			if err != nil {
				b.Fatalf("ref object %s: %v", id, err)
			}
			if typ != plumbing.TagObject {
				if typ == plumbing.CommitObject {
					tips = append(tips, id)
				}
				break
			}
			var target string
			fmt.Sscanf(string(data), "object %s", &target)
			id = plumbing.NewHash(target)
		}
	}
	return tips
}
