package odb

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// walkResult is what a walk delivered and reported.
type walkResult struct {
	objects map[plumbing.Hash]Object // with their data copied
	counts  map[plumbing.Hash]int
	errs    []*ObjectError
}

// walkAll walks s with o and collects what it delivered and reported.
func walkAll(t testing.TB, s *Store, o WalkOptions) walkResult {
	t.Helper()
	r := walkResult{objects: make(map[plumbing.Hash]Object), counts: make(map[plumbing.Hash]int)}
	o.OnError = func(err error) {
		var oe *ObjectError
		if !errors.As(err, &oe) {
			t.Errorf("OnError got %T %v, want an *ObjectError", err, err)
			return
		}
		r.errs = append(r.errs, oe) // calls are never concurrent
	}
	var mu sync.Mutex
	err := s.Walk(context.Background(), o, func(worker int, obj Object) error {
		mu.Lock()
		defer mu.Unlock()
		obj.Data = bytes.Clone(obj.Data)
		r.objects[obj.ID] = obj
		r.counts[obj.ID]++
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	for id, n := range r.counts {
		if n != 1 {
			t.Errorf("object %s delivered %d times", id, n)
		}
	}
	return r
}

// errFor returns the error reported for id, or nil.
func (r walkResult) errFor(id plumbing.Hash) *ObjectError {
	for _, e := range r.errs {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func openStore(t testing.TB, dirs ...string) *Store {
	t.Helper()
	s, err := Open(dirs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestWalkBuildsDeltas(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := bytes.Repeat([]byte("line of text\n"), 100)
	b := append(bytes.Clone(a), "one more\n"...)
	c := append(bytes.Clone(b), "and another\n"...)
	aID := objectID(plumbing.BlobObject, a)
	tree := []byte("100644 a\x00" + string(aID[:]))
	entries := []testEntry{
		{typ: plumbing.BlobObject, data: a},
		{typ: typeOFSDelta, base: 0, data: makeDelta(a, b), id: objectID(plumbing.BlobObject, b)},
		{typ: typeREFDelta, baseRef: objectID(plumbing.BlobObject, b), data: makeDelta(b, c), id: objectID(plumbing.BlobObject, c)},
		{typ: plumbing.TreeObject, data: tree},
	}
	writeTestPack(t, dir, "1", entries)
	s := openStore(t, dir)
	r := walkAll(t, s, WalkOptions{Workers: 3})
	if len(r.errs) > 0 {
		t.Fatalf("errors: %v", r.errs)
	}
	for _, want := range [][]byte{a, b, c} {
		got, ok := r.objects[objectID(plumbing.BlobObject, want)]
		if !ok || got.Type != plumbing.BlobObject || !bytes.Equal(got.Data, want) {
			t.Errorf("blob of %d bytes: got %v %d bytes", len(want), got.Type, len(got.Data))
		}
	}
	if len(r.objects) != 4 {
		t.Errorf("delivered %d objects, want 4", len(r.objects))
	}
	blobs := walkAll(t, s, WalkOptions{Types: []plumbing.ObjectType{plumbing.BlobObject}})
	if len(blobs.objects) != 3 {
		t.Errorf("blobs only: delivered %d objects, want 3", len(blobs.objects))
	}
	for _, want := range [][]byte{a, b, c} {
		typ, got, err := s.Read(objectID(plumbing.BlobObject, want))
		if err != nil || typ != plumbing.BlobObject || !bytes.Equal(got, want) {
			t.Errorf("Read: %v %d bytes, %v", typ, len(got), err)
		}
	}
}

// TestWalkErrors checks that each kind of damage is reported through
// OnError, naming the object, while the rest of the pack is delivered.
func TestWalkErrors(t *testing.T) {
	t.Parallel()
	base := bytes.Repeat([]byte("base content\n"), 20)
	good := append(bytes.Clone(base), "good\n"...)
	goodID := objectID(plumbing.BlobObject, good)
	bad := plumbing.NewHash("badbadbadbadbadbadbadbadbadbadbadbadbad0")
	child := plumbing.NewHash("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0")
	tests := []struct {
		name  string
		entry testEntry
		want  string
		// readWant is what Read says, when it differs: without the
		// offsets of every entry, it reads a bad base offset as an entry.
		readWant string
	}{
		{"base out of range", testEntry{typ: typeOFSDelta, rel: 5, data: makeDelta(base, good), id: bad}, "not an object of the pack", "delta base at"},
		{"base before the pack", testEntry{typ: typeOFSDelta, rel: 1 << 20, data: makeDelta(base, good), id: bad}, "before the start of the pack", ""},
		{"base size mismatch", testEntry{typ: typeOFSDelta, data: makeDelta(base[1:], good), id: bad}, "base size mismatch", ""},
		{"result size mismatch", testEntry{typ: typeOFSDelta, data: append(appendSize(appendSize(nil, int64(len(base))), 500), 3, 'a', 'b', 'c'), id: bad}, "shorter than its declared size", ""},
		{"copy out of range", testEntry{typ: typeOFSDelta, data: append(appendSize(appendSize(nil, int64(len(base))), 10), 0x91, 255, 10), id: bad}, "copy out of the base's range", ""},
		{"missing REF base", testEntry{typ: typeREFDelta, baseRef: plumbing.NewHash("1111111111111111111111111111111111111111"), data: makeDelta(base, good), id: bad}, "object not found", ""},
		{"zlib error", testEntry{typ: plumbing.BlobObject, data: good, raw: []byte("this is not zlib at all"), id: bad}, "inflate", ""},
		{"size mismatch", testEntry{typ: plumbing.BlobObject, data: good, size: int64(len(good)) + 7, id: bad}, "inflate", ""},
		{"stream too long", testEntry{typ: plumbing.BlobObject, data: good, size: int64(len(good)) - 7, id: bad}, "longer than the object's size", ""},
		{"bad type", testEntry{typ: 5, data: good, id: bad}, "object type 5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			entries := []testEntry{{typ: plumbing.BlobObject, data: base}, tt.entry,
				// A delta on the damaged object must be reported too.
				{typ: typeOFSDelta, base: 1, data: makeDelta(good, append(bytes.Clone(good), 'x')), id: child},
				{typ: typeOFSDelta, base: 0, data: makeDelta(base, good)},
			}
			entries[3].id = goodID
			writeTestPack(t, dir, "1", entries)
			// The pack mapped, as it is where it can be, and read with
			// pread, as it is where it cannot.
			for _, noMap := range []bool{false, true} {
				s := openStore(t, dir)
				s.noMap = noMap
				r := walkAll(t, s, WalkOptions{})
				e := r.errFor(bad)
				if e == nil || !strings.Contains(e.Error(), tt.want) || e.Pack == "" || e.Offset == 0 {
					t.Fatalf("noMap %v: error for the damaged object: %v; want one naming its pack and offset and saying %q (all: %v)", noMap, e, tt.want, r.errs)
				}
				if r.errFor(child) == nil {
					t.Fatalf("noMap %v: the delta built on the damaged object was not reported (errors: %v)", noMap, r.errs)
				}
				// A delta's type is its chain's: a blob here, when the
				// chain reaches the whole blob in the pack.
				if tt.name == "base size mismatch" && (e.Type != plumbing.BlobObject || r.errFor(child).Type != plumbing.BlobObject) {
					t.Errorf("noMap %v: types of the errors %v and %v, want blobs", noMap, e.Type, r.errFor(child).Type)
				}
				if _, ok := r.objects[goodID]; !ok || len(r.objects) != 2 {
					t.Errorf("noMap %v: delivered %d objects, want the base and the good delta", noMap, len(r.objects))
				}
				want := cmp.Or(tt.readWant, tt.want)
				if _, _, err := s.Read(bad); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("noMap %v: Read of the damaged object: %v, want %q", noMap, err, want)
				}
			}
		})
	}
}

func TestWalkCRCMismatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := []byte("first blob\n"), []byte("second blob, longer than the first\n")
	path, ids, offs := writeTestPack(t, dir, "1", []testEntry{{typ: plumbing.BlobObject, data: a}, {typ: plumbing.BlobObject, data: b}})
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xff}, offs[1]+4) // inside the deflated data
	f.Close()
	for _, noMap := range []bool{false, true} {
		s := openStore(t, dir)
		s.noMap = noMap
		r := walkAll(t, s, WalkOptions{})
		if e := r.errFor(ids[1]); e == nil || !strings.Contains(e.Error(), "CRC32 mismatch") || e.Type != plumbing.BlobObject {
			t.Errorf("noMap %v: corrupt entry: %v, want a CRC32 mismatch of a blob (all: %v)", noMap, e, r.errs)
		}
		if _, ok := r.objects[ids[0]]; !ok {
			t.Errorf("noMap %v: the intact object was not delivered", noMap)
		}
	}
}

func TestWalkREFCycle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x, y := plumbing.NewHash("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), plumbing.NewHash("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	d := makeDelta([]byte("abc"), []byte("abcd"))
	writeTestPack(t, dir, "1", []testEntry{
		{typ: typeREFDelta, baseRef: y, data: d, id: x},
		{typ: typeREFDelta, baseRef: x, data: d, id: y},
	})
	r := walkAll(t, openStore(t, dir), WalkOptions{})
	if len(r.errs) != 2 || r.errFor(x) == nil || r.errFor(y) == nil {
		t.Fatalf("errors %v, want both deltas of the loop", r.errs)
	}
	if !strings.Contains(r.errs[0].Error(), "loops") {
		t.Errorf("first error %v, want it to say that the chain loops", r.errs[0])
	}
}

func TestTruncatedIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := []byte("in the good pack\n"), []byte("in the pack with a truncated index\n")
	writeTestPack(t, dir, "1", []testEntry{{typ: plumbing.BlobObject, data: a}})
	writeTestPack(t, dir, "2", []testEntry{{typ: plumbing.BlobObject, data: b}})
	idx := filepath.Join(dir, "pack", "pack-2.idx")
	fi, _ := os.Stat(idx)
	os.Truncate(idx, fi.Size()-30)
	s := openStore(t, dir)
	r := walkAll(t, s, WalkOptions{})
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Error(), "pack-2.idx") || !strings.Contains(r.errs[0].Error(), "truncated") {
		t.Errorf("errors %v, want one naming the truncated index", r.errs)
	}
	if len(r.objects) != 1 {
		t.Errorf("delivered %d objects, want the good pack's one", len(r.objects))
	}
	_, _, err := s.Read(objectID(plumbing.BlobObject, b))
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("Read: %v, want ErrNotFound naming the truncated index", err)
	}
}

func TestLargeOffsets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := bytes.Repeat([]byte("before the hole\n"), 10)
	b := append(bytes.Clone(a), "after the hole\n"...)
	_, ids, offs := writeTestPack(t, dir, "1", []testEntry{
		{typ: plumbing.BlobObject, data: a},
		{typ: typeOFSDelta, base: 0, gap: 3 << 30, data: makeDelta(a, b), id: objectID(plumbing.BlobObject, b)},
	})
	if offs[1] < 1<<31 {
		t.Fatalf("offset %d: want one past 2 GiB", offs[1])
	}
	s := openStore(t, dir)
	typ, got, err := s.Read(ids[1])
	if err != nil || typ != plumbing.BlobObject || !bytes.Equal(got, b) {
		t.Fatalf("Read past 2 GiB: %v %q %v", typ, got, err)
	}
	// A walk reads each entry up to the next one, so this sparse pack
	// (a hole in it, where a real pack has objects) is not walked: its
	// index's offsets are checked instead.
	p, _, _, _ := s.find(ids[1])
	_, all, _, err := p.idx.All()
	if err != nil || !slices.Contains(all, offs[1]) {
		t.Errorf("index offsets %v (%v), want %d among them", all, err, offs[1])
	}
}

func TestWalkOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := []byte("in both packs and loose\n"), []byte("only in the second\n")
	writeTestPack(t, dir, "1", []testEntry{{typ: plumbing.BlobObject, data: a}})
	writeTestPack(t, dir, "2", []testEntry{{typ: plumbing.BlobObject, data: b}, {typ: plumbing.BlobObject, data: a}})
	writeLoose(t, dir, plumbing.BlobObject, a)
	c := []byte("only loose\n")
	writeLoose(t, dir, plumbing.BlobObject, c)
	s := openStore(t, dir)
	r := walkAll(t, s, WalkOptions{Workers: 2})
	if len(r.errs) > 0 || len(r.objects) != 3 {
		t.Errorf("delivered %d objects (errors %v), want 3 once each", len(r.objects), r.errs)
	}
	if got := r.objects[objectID(plumbing.BlobObject, c)]; !bytes.Equal(got.Data, c) {
		t.Errorf("loose object: %q", got.Data)
	}
}

// writeLoose writes a loose object into objects directory dir.
func writeLoose(t testing.TB, dir string, typ plumbing.ObjectType, data []byte) plumbing.Hash {
	t.Helper()
	id := objectID(typ, data)
	p := loosePath(dir, id)
	os.MkdirAll(filepath.Dir(p), 0o755)
	raw := deflate(append([]byte(typ.String()+" "+strconv.Itoa(len(data))+"\x00"), data...))
	if err := os.WriteFile(p, raw, 0o444); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWalkDirs(t *testing.T) {
	t.Parallel()
	main, quarantine := t.TempDir(), t.TempDir()
	a, b := []byte("already in the repository\n"), []byte("pushed\n")
	writeTestPack(t, main, "1", []testEntry{{typ: plumbing.BlobObject, data: a}})
	writeTestPack(t, quarantine, "2", []testEntry{{typ: plumbing.BlobObject, data: b}})
	s := openStore(t, quarantine, main)
	r := walkAll(t, s, WalkOptions{Dirs: []string{quarantine}})
	if len(r.objects) != 1 || r.objects[objectID(plumbing.BlobObject, b)].Data == nil {
		t.Errorf("quarantine walk delivered %d objects, want the pushed blob alone", len(r.objects))
	}
	if ok, err := s.Has(objectID(plumbing.BlobObject, a)); !ok || err != nil {
		t.Errorf("Has of an object outside the quarantine: %v %v", ok, err)
	}
	if err := s.Walk(context.Background(), WalkOptions{Dirs: []string{t.TempDir()}}, nil); err == nil {
		t.Error("a walk of a directory outside the store did not fail")
	}
	if got := s.Dirs(); !slices.Equal(got, []string{quarantine, main}) {
		t.Errorf("Dirs: %v", got)
	}
}

// TestEntriesByOffset checks the radix sort of a walk's entries against
// a stable comparison sort, duplicate offsets (a damaged index) and
// offsets past what the packed keys hold included.
func TestEntriesByOffset(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		n       int
		maxOff  int64
		largest int64 // an offset set at the end, beyond maxOff
	}{
		{"empty", 0, 1, 0},
		{"small", 1000, 1 << 20, 0},
		{"duplicates", 5000, 300, 0},
		{"large pack", 3000, 1 << 40, 0},
		{"past the keys", 1000, 1 << 30, 1 << keyOffBits},
	} {
		r := rand.New(rand.NewPCG(uint64(tt.n), 1))
		offsets := make([]int64, tt.n)
		for i := range offsets {
			offsets[i] = r.Int64N(tt.maxOff)
		}
		if tt.largest != 0 {
			offsets[len(offsets)-1] = tt.largest
		}
		want := make([]walkEntry, len(offsets))
		for i, off := range offsets {
			want[i] = walkEntry{off: off, pos: int32(i)}
		}
		slices.SortStableFunc(want, func(a, b walkEntry) int { return cmp.Compare(a.off, b.off) })
		if got := entriesByOffset(offsets); !slices.Equal(got, want) {
			t.Errorf("%s: entries not sorted by offset, then position", tt.name)
		}
	}
}
