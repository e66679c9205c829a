package index

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
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
