package main

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// looseRepo writes a git repository (work tree, loose objects, refs and
// index) with the standard library alone, so that the CLI tests need
// neither go-git, which lives in package scanner, nor a git binary. Dates
// are given, so hashes are fixed.
type looseRepo struct {
	t   *testing.T
	dir string
}

func newLooseRepo(t *testing.T) *looseRepo {
	t.Helper()
	r := &looseRepo{t: t, dir: t.TempDir()}
	r.file(".git/HEAD", "ref: refs/heads/main\n")
	r.file(".git/config", "[core]\n\trepositoryformatversion = 0\n\tbare = false\n")
	for _, d := range []string{"heads", "tags"} {
		if err := os.MkdirAll(filepath.Join(r.dir, ".git", "refs", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// file writes a file of the repository, in the work tree or under .git.
func (r *looseRepo) file(name, body string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// object writes a loose object and returns its hash.
func (r *looseRepo) object(typ string, body []byte) [sha1.Size]byte {
	r.t.Helper()
	raw := append(fmt.Appendf(nil, "%s %d\x00", typ, len(body)), body...)
	sum := sha1.Sum(raw)
	h := hex.EncodeToString(sum[:])
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(raw)
	w.Close()
	r.file(".git/objects/"+h[:2]+"/"+h[2:], z.String())
	return sum
}

// tree writes the tree of files (slash-separated paths of any depth) and
// returns its hash.
func (r *looseRepo) tree(files map[string]string) [sha1.Size]byte {
	type entry struct {
		name, mode string
		hash       [sha1.Size]byte
	}
	var es []entry
	dirs := map[string]map[string]string{}
	for p, body := range files {
		if d, rest, ok := strings.Cut(p, "/"); ok {
			if dirs[d] == nil {
				dirs[d] = map[string]string{}
			}
			dirs[d][rest] = body
			continue
		}
		es = append(es, entry{p, "100644", r.object("blob", []byte(body))})
	}
	for d, fs := range dirs {
		es = append(es, entry{d, "40000", r.tree(fs)})
	}
	sortKey := func(e entry) string { // git sorts a directory as if its name ended in "/"
		if e.mode == "40000" {
			return e.name + "/"
		}
		return e.name
	}
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(sortKey(a), sortKey(b)) })
	var b []byte
	for _, e := range es {
		b = append(fmt.Appendf(b, "%s %s\x00", e.mode, e.name), e.hash[:]...)
	}
	return r.object("tree", b)
}

// commit writes a commit of files (the whole tree) by author at unix time
// ts after parent ("" for none), points main at it and returns its hash.
func (r *looseRepo) commit(files map[string]string, author string, ts int64, parent string) string {
	r.t.Helper()
	body := fmt.Sprintf("tree %x\n", r.tree(files))
	if parent != "" {
		body += "parent " + parent + "\n"
	}
	sig := fmt.Sprintf("%s <%s@example.com> %d +0200", author, strings.ToLower(author), ts)
	body += "author " + sig + "\ncommitter " + sig + "\n\nchange\n"
	sum := r.object("commit", []byte(body))
	h := hex.EncodeToString(sum[:])
	r.file(".git/refs/heads/main", h+"\n")
	return h
}

// commitAndStage commits files as HEAD's only commit and stages them: a
// clean index, for staged scans to compare against.
func (r *looseRepo) commitAndStage(files map[string]string) {
	r.t.Helper()
	r.commit(files, "A", 1700000000, "")
	r.stage(files)
}

// stage writes files to the work tree and makes them the whole index
// (version 2, without extensions).
func (r *looseRepo) stage(files map[string]string) {
	r.t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
		r.file(name, files[name])
	}
	slices.Sort(names)
	b := binary.BigEndian.AppendUint32([]byte("DIRC\x00\x00\x00\x02"), uint32(len(names)))
	for _, name := range names {
		start := len(b)
		b = append(b, make([]byte, 24)...) // ctime, mtime, dev, inode
		b = binary.BigEndian.AppendUint32(b, 0o100644)
		b = append(b, make([]byte, 12)...) // uid, gid, size
		h := r.object("blob", []byte(files[name]))
		b = append(b, h[:]...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(name)))
		b = append(b, name...)
		b = append(b, make([]byte, 8-(len(b)-start)%8)...)
	}
	sum := sha1.Sum(b)
	r.file(".git/index", string(append(b, sum[:]...)))
}
