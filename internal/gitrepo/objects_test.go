package gitrepo

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// TestObjectStore reads every object of a repository, packed with offset
// deltas or with reference deltas, and loose, and compares it with what
// go-git's storage reads; with a delta cache small enough to evict.
func TestObjectStore(t *testing.T) {
	t.Parallel()
	for _, refDeltas := range []bool{false, true} {
		for _, limit := range []int{deltaCacheSize, 1 << 10} {
			sr := fixture.NewRepo(t)
			body := strings.Repeat("a line of settings that repeats\n", 100)
			// Versions that shrink: packers make the larger, older ones
			// the bases, so the newer ones are deltas.
			for i := 20; i > 0; i-- {
				sr.Stage(map[string]string{"conf/app.txt": body + strings.Repeat("more\n", i), "conf/other.txt": strings.Repeat("x", i)})
				sr.Commit("version")
			}
			if err := sr.Git.RepackObjects(&git.RepackConfig{UseRefDeltas: refDeltas}); err != nil {
				t.Fatal(err)
			}
			if n := packDeltas(t, sr.Dir); n == 0 {
				t.Fatalf("refDeltas=%v: the pack holds no deltas, so this test reads none", refDeltas)
			}
			loose := sr.Blob("a loose object\n")
			s := newObjects(filepath.Join(sr.Dir, ".git", "objects"))
			s.cache.limit = limit
			it, err := sr.Git.Storer.IterEncodedObjects(plumbing.AnyObject)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			err = it.ForEach(func(o plumbing.EncodedObject) error {
				r, _ := o.Reader()
				want, _ := io.ReadAll(r)
				r.Close()
				got, err := s.Read(o.Hash(), o.Type())
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("refDeltas=%v, limit %d: %s %s: %v; content equal %v", refDeltas, limit, o.Type(), o.Hash(), err, bytes.Equal(got, want))
				}
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n < lazyLookups {
				t.Errorf("only %d objects: the pack index is never read whole", n)
			}
			if b, err := s.Read(loose, plumbing.BlobObject); err != nil || string(b) != "a loose object\n" {
				t.Errorf("loose object: %q, %v", b, err)
			}
			if _, err := s.Read(loose, plumbing.TreeObject); err == nil || !strings.Contains(err.Error(), "is a blob, not a tree") {
				t.Errorf("wrong type: %v", err)
			}
			if _, err := s.Read(plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"), plumbing.BlobObject); !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Errorf("missing object: %v", err)
			}
			s.Close()
		}
	}
}

// TestObjectStoreAlternates: objects borrowed through info/alternates, by
// absolute and by relative path, as `git clone --shared` and
// `--reference` set up.
func TestObjectStoreAlternates(t *testing.T) {
	t.Parallel()
	lender := fixture.NewRepo(t)
	h := lender.Blob("borrowed\n")
	for _, rel := range []bool{false, true} {
		dir := t.TempDir()
		objects := filepath.Join(dir, "objects")
		path := filepath.Join(lender.Dir, ".git", "objects")
		if rel {
			path, _ = filepath.Rel(objects, path)
		}
		fixture.WriteFiles(t, objects, map[string]string{"info/alternates": "# a comment\n" + path + "\n"})
		s := newObjects(objects)
		if b, err := s.Read(h, plumbing.BlobObject); err != nil || string(b) != "borrowed\n" {
			t.Errorf("relative=%v: %q, %v", rel, b, err)
		}
		s.Close()
	}
}

// TestObjectStoreCorrupt: a damaged pack or loose object is an error,
// never a panic.
func TestObjectStoreCorrupt(t *testing.T) {
	t.Parallel()
	sr := fixture.NewRepo(t)
	sr.Stage(map[string]string{"a.txt": strings.Repeat("content\n", 50)})
	sr.Commit("first")
	if err := sr.Git.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	head, _ := sr.Git.Head()
	packs, _ := filepath.Glob(filepath.Join(sr.Dir, ".git", "objects", "pack", "*.pack"))
	b, _ := os.ReadFile(packs[0])
	for i := 12; i < len(b)-20; i++ {
		b[i] ^= 0xff
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := sr.Blob("will be damaged\n")
	hex := bad.String()
	if err := os.WriteFile(filepath.Join(sr.Dir, ".git", "objects", hex[:2], hex[2:]), []byte("not zlib"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newObjects(filepath.Join(sr.Dir, ".git", "objects"))
	defer s.Close()
	if _, err := s.Read(head.Hash(), plumbing.CommitObject); err == nil {
		t.Error("a damaged pack read without error")
	}
	if _, err := s.Read(bad, plumbing.BlobObject); err == nil || !strings.Contains(err.Error(), "loose object "+hex) {
		t.Errorf("a damaged loose object: %v", err)
	}

	idx := strings.TrimSuffix(packs[0], ".pack") + ".idx"
	b, _ = os.ReadFile(idx)
	os.Chmod(idx, 0o644)
	os.WriteFile(idx, b[:len(b)-30], 0o644) // the header is whole, the tables are not
	s2 := newObjects(filepath.Join(sr.Dir, ".git", "objects"))
	defer s2.Close()
	if _, err := s2.Read(head.Hash(), plumbing.CommitObject); err == nil || !strings.Contains(err.Error(), ".idx: truncated") {
		t.Errorf("a truncated pack index: %v", err)
	}
}

// packDeltas returns how many objects in dir's packs are deltas, listing
// them with go-git's index decoder and reading their headers with ours.
func packDeltas(t *testing.T, dir string) int {
	t.Helper()
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	n := 0
	for _, path := range idxs {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		mi := idxfile.NewMemoryIndex()
		err = idxfile.NewDecoder(f).Decode(mi)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		p, err := openPackIndex(strings.TrimSuffix(path, ".idx"))
		if err != nil {
			t.Fatal(err)
		}
		pack, err := p.packFile()
		if err != nil {
			t.Fatal(err)
		}
		it, _ := mi.Entries()
		for {
			e, err := it.Next()
			if err != nil {
				break
			}
			pe, err := p.entry(pack, int64(e.Offset))
			if err != nil {
				t.Fatal(err)
			}
			if pe.typ == packOFSDelta || pe.typ == packREFDelta {
				n++
			}
		}
		p.close()
	}
	return n
}

// TestDeltaCache: objects over an eighth of the limit are not kept, and
// the oldest go first when the limit is reached.
func TestDeltaCache(t *testing.T) {
	t.Parallel()
	c := deltaCache{limit: 80}
	p := &packIndex{}
	c.put(p, 1, plumbing.BlobObject, make([]byte, 10))
	c.put(p, 2, plumbing.BlobObject, make([]byte, 11))
	for off := int64(3); off <= 10; off++ {
		c.put(p, off, plumbing.TreeObject, make([]byte, 10))
	}
	c.put(p, 10, plumbing.TreeObject, make([]byte, 10)) // already kept
	for off, want := range map[int64]bool{1: false, 2: false, 3: true, 10: true} {
		if _, ok := c.get(p, off); ok != want {
			t.Errorf("offset %d kept: %v, want %v", off, ok, want)
		}
	}
	if c.size != 80 || len(c.order) != 8 {
		t.Errorf("size %d, %d objects", c.size, len(c.order))
	}
}
