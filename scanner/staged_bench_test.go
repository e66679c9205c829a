package scanner

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// The shape of git/git: 4.8k files in about 250 directories, 85k commits.
const (
	benchFiles   = 4800
	benchCommits = 85000
)

// BenchmarkStaged times a pre-commit run of the staged scan, with one file
// staged, in a repository the size of git/git: its history replayed with
// git fast-import and packed with git repack, as a clone is. Building it
// takes about a minute; set CLAROLINT_BENCH_REPO to a directory to keep
// it between runs.
//
//	go test ./scanner -run '^$' -bench BenchmarkStaged -benchtime 50x
//
// Sub-benchmarks: the index as git writes it (with a cache tree), the
// same index without its cache tree (as go-git writes indexes), and --all.
func BenchmarkStaged(b *testing.B) {
	dir := benchRepo(b)
	key := rulestest.Key(rules.Live, 1)
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("reset", "-q", "--hard")
	// One file some directories deep gets a key.
	var target string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if target == "" && d.Name() == "f2000.c" {
			target = p
		}
		return err
	})
	body, err := os.ReadFile(target)
	if err != nil {
		b.Fatal(err)
	}
	os.WriteFile(target, append(body, "KEY="+key+"\n"...), 0o644)
	rel, _ := filepath.Rel(dir, target)
	git("add", rel)
	b.Cleanup(func() { git("reset", "-q", "--hard") })

	// The same index without the TREE extension.
	noTree := filepath.Join(dir, ".git", "index-without-cache-tree")
	f, err := os.Open(filepath.Join(dir, ".git", "index"))
	if err != nil {
		b.Fatal(err)
	}
	var idx index.Index
	err = index.NewDecoder(f).Decode(&idx)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	idx.Cache = nil
	out, err := os.Create(noTree)
	if err != nil {
		b.Fatal(err)
	}
	if err := index.NewEncoder(out).Encode(&idx); err != nil {
		b.Fatal(err)
	}
	out.Close()

	for _, bb := range []struct {
		name  string
		o     IndexOptions
		files int
	}{
		{"one-file", IndexOptions{}, 1},
		{"one-file-no-cache-tree", IndexOptions{IndexFile: noTree}, 1},
		{"all", IndexOptions{All: true}, benchFiles},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				st, err := mustNew(b, Options{}).Scan(context.Background(), Index(dir, bb.o), func(finding.Finding) error { n++; return nil })
				if err != nil || n != 1 || st.FilesScanned != bb.files {
					b.Fatalf("%v: %d findings, %d files", err, n, st.FilesScanned)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
		})
	}
}

// benchRepo returns the benchmark repository, building it when
// CLAROLINT_BENCH_REPO does not name one already built.
func benchRepo(b *testing.B) string {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not on PATH: it builds the benchmark repository")
	}
	dir := os.Getenv("CLAROLINT_BENCH_REPO")
	if dir == "" {
		dir = b.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "clarolint-bench")); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	git := func(stdin func(io.Writer) error, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		w, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		out, err := os.CreateTemp(b.TempDir(), "git")
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		var werr error
		if stdin != nil {
			bw := bufio.NewWriterSize(w, 1<<20)
			if werr = stdin(bw); werr == nil {
				werr = bw.Flush()
			}
		}
		w.Close()
		if err := cmd.Wait(); err != nil || werr != nil {
			msg, _ := os.ReadFile(out.Name())
			b.Fatalf("git %v: %v %v\n%s", args, err, werr, msg)
		}
	}
	b.Logf("building a repository of %d files and %d commits in %s", benchFiles, benchCommits, dir)
	git(nil, "init", "-q", "-b", "main", dir)
	git(func(w io.Writer) error { return fastImport(w, benchFiles, benchCommits) }, "fast-import", "--quiet")
	git(nil, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10")
	git(nil, "reset", "-q", "--hard")
	if err := os.WriteFile(filepath.Join(dir, ".git", "clarolint-bench"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// fastImport writes a git fast-import stream of a history on branch main:
// a first commit of files text files of 20 to 180 lines in a tree of
// directories up to five deep, then commits that each change a line in
// one or two files, a third of the time among the top directory's.
func fastImport(w io.Writer, files, commits int) error {
	r := rand.New(rand.NewPCG(1, 2))
	line := func() []byte {
		const letters = "abcdefghijklmnopqrstuvwxyz    ();=+-"
		b := make([]byte, 10+r.IntN(60), 71)
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return append(b, '\n')
	}
	type dir struct {
		path  string
		depth int
	}
	dirs := []dir{{"", 0}}
	for i := 0; len(dirs) < files/19; i++ {
		p := dirs[r.IntN(len(dirs))]
		if p.depth < 4 {
			dirs = append(dirs, dir{filepath.ToSlash(filepath.Join(p.path, fmt.Sprintf("d%03d", i))), p.depth + 1})
		}
	}
	top := files / 12
	paths := make([]string, files)
	content := make([][][]byte, files)
	for i := range files {
		d := dirs[0]
		if i >= top {
			d = dirs[1+r.IntN(len(dirs)-1)]
		}
		paths[i] = filepath.ToSlash(filepath.Join(d.path, fmt.Sprintf("f%04d.c", i)))
		for range 20 + r.IntN(160) {
			content[i] = append(content[i], line())
		}
	}
	blob := func(i int) error {
		size := 0
		for _, l := range content[i] {
			size += len(l)
		}
		if _, err := fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", paths[i], size); err != nil {
			return err
		}
		for _, l := range content[i] {
			w.Write(l)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	for c := range commits {
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter A U Thor <a@example.com> %d +0000\ndata 12\ncommit %05d\n", 1600000000+c*60, c%100000)
		if c == 0 {
			for i := range files {
				if err := blob(i); err != nil {
					return err
				}
			}
		}
		for range (1 + r.IntN(2)) * min(c, 1) {
			i := r.IntN(files)
			if r.IntN(3) == 0 {
				i = r.IntN(top)
			}
			content[i][r.IntN(len(content[i]))] = line()
			if err := blob(i); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	return nil
}
