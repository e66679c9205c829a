package gitrepo

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/clarolint/clarolint/internal/fixture/gogit"
)

func testIndex(version uint32) *index.Index {
	h := func(n byte) plumbing.Hash { return plumbing.Hash{n, 1, 2, 3} }
	return &index.Index{Version: version, Entries: []*index.Entry{
		{Name: "a.txt", Hash: h(1), Mode: filemode.Regular},
		{Name: "dir/b.sh", Hash: h(2), Mode: filemode.Executable},
		{Name: "dir/c", Hash: h(3), Mode: filemode.Symlink},
		{Name: "dir/conflict", Hash: h(4), Mode: filemode.Regular, Stage: index.AncestorMode},
		{Name: "dir/conflict", Hash: h(5), Mode: filemode.Regular, Stage: index.OurMode},
		{Name: "dir/conflict", Hash: h(6), Mode: filemode.Regular, Stage: index.TheirMode},
		{Name: "dir/sub/new", Hash: h(7), Mode: filemode.Regular, IntentToAdd: true},
		{Name: "lib", Hash: h(8), Mode: filemode.Submodule},
		{Name: strings.Repeat("long/", 1000) + "x", Hash: h(9), Mode: filemode.Regular},
	}}
}

// TestParseIndex reads the entries of every index version as go-git
// writes them.
func TestParseIndex(t *testing.T) {
	t.Parallel()
	for _, v := range []uint32{2, 3, 4} {
		want := testIndex(v)
		got, err := ParseIndex(gogit.EncodeIndex(t, want))
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if len(got.Entries) != len(want.Entries) || got.Tree != nil {
			t.Fatalf("version %d: %d entries, tree %v", v, len(got.Entries), got.Tree)
		}
		for i, e := range got.Entries {
			w := want.Entries[i]
			if e.Path != w.Name || e.Hash != w.Hash || e.Mode != w.Mode || e.Stage != int(w.Stage) || e.IntentToAdd != w.IntentToAdd {
				t.Errorf("version %d, entry %d: got %+v, want %+v", v, i, e, w)
			}
		}
	}
}

// TestParseCacheTree: invalidated nodes keep their place, so the valid
// nodes below them stay where they belong.
func TestParseCacheTree(t *testing.T) {
	t.Parallel()
	h := plumbing.Hash{7}
	tree := "\x00-1 2\n" + // root, invalidated, two subtrees
		"a\x00-1 1\n" + // a/, invalidated, one subtree
		"b\x003 0\n" + string(h[:]) + // a/b/, valid
		"c\x002 0\n" + string(h[:]) // c/, valid
	got, err := ParseIndex(gogit.EncodeIndex(t, testIndex(2), "TREE", tree, "UNTR", "ignored optional extension"))
	if err != nil {
		t.Fatal(err)
	}
	var show func(c *CacheTree) string
	show = func(c *CacheTree) string {
		var kids []string
		for _, k := range c.Children {
			kids = append(kids, show(k))
		}
		return fmt.Sprintf("%q:%d:%v[%s]", c.Name, c.Count, c.Hash == h, strings.Join(kids, " "))
	}
	if s, want := show(got.Tree), `"":-1:false["a":-1:false["b":3:true[]] "c":2:true[]]`; s != want {
		t.Errorf("cache tree %s, want %s", s, want)
	}
	if got.Tree.Child("a").Child("b") == nil || got.Tree.Child("x") != nil {
		t.Error("child lookup")
	}
}

// TestParseIndexErrors: malformed input is an error, never a panic, and
// the required extensions clarolint cannot read are named.
func TestParseIndexErrors(t *testing.T) {
	t.Parallel()
	good := gogit.EncodeIndex(t, testIndex(2))
	for _, tt := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "no DIRC header"},
		{"version 5", append(append([]byte("DIRC"), 0, 0, 0, 5), good[8:]...), "version 5"},
		{"truncated", good[:len(good)/2], "malformed index"},
		{"too many entries", append(append([]byte{}, good[:8]...), append([]byte{0, 1, 0, 0}, good[12:]...)...), "entries in"},
		{"split index", gogit.EncodeIndex(t, testIndex(2), "link", strings.Repeat("x", 20)), "split index (core.splitIndex) is not supported"},
		{"unknown required extension", gogit.EncodeIndex(t, testIndex(2), "abcd", ""), `required extension "abcd"`},
		{"bad cache tree", gogit.EncodeIndex(t, testIndex(2), "TREE", "\x00x y\n"), "cache tree"},
		{"extension past the end", append(good[:len(good)-indexHashLen], "TREE\xff\xff\xff\xff"+strings.Repeat("\x00", 20)...), "truncated TREE"},
	} {
		if _, err := ParseIndex(tt.b); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error holding %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParseIndex(f *testing.F) {
	for _, v := range []uint32{2, 3, 4} {
		var buf bytes.Buffer
		index.NewEncoder(&buf).Encode(testIndex(v))
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := ParseIndex(b)
		if err == nil && idx == nil {
			t.Fatal("no index and no error")
		}
	})
}

func TestIndexVarint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   []byte
		v    uint64
		size int
	}{
		{[]byte{0}, 0, 1},
		{[]byte{0x7f, 0xff}, 127, 1},
		{[]byte{0x80, 0x00}, 128, 2}, // git's offset encoding: (0+1)<<7
		{[]byte{0x81, 0x7f}, 383, 2},
		{[]byte{0x80}, 0, 0},
		{nil, 0, 0},
	} {
		if v, n := indexVarint(tt.in); v != tt.v || n != tt.size {
			t.Errorf("%x: got %d, %d; want %d, %d", tt.in, v, n, tt.v, tt.size)
		}
	}
}
