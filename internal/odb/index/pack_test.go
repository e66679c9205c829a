package index

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/odb/internal/repotest"
)

// TestSearchNames checks the interpolating search against a plain one,
// on uniform names, clustered ones, and names absent from the table.
func TestSearchNames(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 31, 33, 1000, 5000} {
		ids := make([]plumbing.Hash, n)
		for i := range ids {
			for j := range ids[i] {
				ids[i][j] = byte(r.Uint32())
			}
			if i%3 == 0 { // a cluster: names sharing eight bytes
				copy(ids[i][:8], "\x80\x00\x00\x00\x00\x00\x00\x01")
			}
		}
		slices.SortFunc(ids, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
		names := make([]byte, 0, n*hashLen)
		for _, id := range ids {
			names = append(names, id[:]...)
		}
		probes := append(slices.Clone(ids), plumbing.ZeroHash, plumbing.NewHash("ffffffffffffffffffffffffffffffffffffffff"))
		for range 200 {
			var id plumbing.Hash
			for j := range id {
				id[j] = byte(r.Uint32())
			}
			probes = append(probes, id)
		}
		for _, id := range probes {
			want, wantOK := slices.BinarySearchFunc(ids, id, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
			if got, ok := Search(names, id); got != want || ok != wantOK {
				t.Fatalf("%d names, %s: got %d %v, want %d %v", n, id, got, ok, want, wantOK)
			}
		}
	}
}

// TestPackLookups: every object of a pack git wrote is found at the
// offset git lists, and a name it lacks is not, with the index mapped
// and with it read piecemeal, then whole, past lazyLookups lookups.
func TestPackLookups(t *testing.T) {
	fixture.NeedGit(t)
	t.Parallel()
	dir := t.TempDir()
	repotest.Git(t, dir, nil, "init", "-q", "--bare", ".")
	var blobs bytes.Buffer // git fast-import writes them straight into a pack
	for i := range 300 {
		body := fmt.Sprintf("blob %d\n", i)
		fmt.Fprintf(&blobs, "blob\ndata %d\n%s\n", len(body), body)
	}
	repotest.Git(t, dir, blobs.Bytes(), "fast-import", "--quiet")
	idxs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("indexes: %q", idxs)
	}
	want := make(map[plumbing.Hash]int64)
	for line := range strings.Lines(string(repotest.Git(t, dir, nil, "verify-pack", "-v", idxs[0]))) {
		var id string
		var typ string
		var size, packed, off int64
		if n, _ := fmt.Sscan(line, &id, &typ, &size, &packed, &off); n == 5 && plumbing.IsHash(id) {
			want[plumbing.NewHash(id)] = off
		}
	}
	if len(want) != 300 {
		t.Fatalf("git lists %d objects, want 300", len(want))
	}
	for _, mapIt := range []bool{true, false} {
		x, err := open(idxs[0], mapIt)
		if err != nil {
			t.Fatal(err)
		}
		for id, off := range want {
			pos, ok, err := x.Find(id)
			if err != nil || !ok {
				t.Fatalf("mapped %v: %s not found: %v", mapIt, id, err)
			}
			if got, err := x.Offset(pos); err != nil || got != off {
				t.Errorf("mapped %v: %s at %d, %v; git says %d", mapIt, id, got, err, off)
			}
		}
		if _, ok, err := x.Find(plumbing.NewHash("0123456789012345678901234567890123456789")); ok || err != nil {
			t.Errorf("mapped %v: a missing name found: %v", mapIt, err)
		}
		names, offsets, crcs, err := x.All()
		if err != nil || len(names) != 300*hashLen || len(offsets) != 300 || len(crcs) != 300 {
			t.Errorf("mapped %v: All: %d names, %d offsets, %d CRCs, %v", mapIt, len(names)/hashLen, len(offsets), len(crcs), err)
		}
		if err := x.Close(); err != nil {
			t.Error(err)
		}
	}
}
