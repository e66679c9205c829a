package object

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

const (
	tree1 = "1111111111111111111111111111111111111111"
	par1  = "2222222222222222222222222222222222222222"
	par2  = "3333333333333333333333333333333333333333"
)

func TestParseCommit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		parents  []string
		author   string
		err      bool
	}{
		{"root", "tree " + tree1 + "\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 2 +0000\n\nmsg\n", nil, "A <a@x> 1 +0000", false},
		{"merge", "tree " + tree1 + "\nparent " + par1 + "\nparent " + par2 + "\nauthor A <a@x> 1 +0000\n\nparent " + par2 + "\n", []string{par1, par2}, "A <a@x> 1 +0000", false},
		// git reads parents only right after the tree line: a later
		// one (in a header git does not know) is not a parent.
		{"late parent", "tree " + tree1 + "\nauthor A <a@x> 1 +0000\nparent " + par1 + "\n\n", nil, "A <a@x> 1 +0000", false},
		{"no tree", "parent " + par1 + "\ntree " + tree1 + "\n", nil, "", true},
		{"bad parent", "tree " + tree1 + "\nparent 12345\n", nil, "", true},
		{"empty", "", nil, "", true},
	}
	var c Commit
	for _, tt := range tests {
		err := ParseCommit([]byte(tt.in), &c)
		if (err != nil) != tt.err {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		var ps []string
		for _, p := range c.Parents {
			ps = append(ps, p.String())
		}
		if c.Tree.String() != tree1 || strings.Join(ps, ",") != strings.Join(tt.parents, ",") || string(c.Author) != tt.author {
			t.Errorf("%s: got tree %s parents %v author %q", tt.name, c.Tree, ps, c.Author)
		}
	}
}

func TestTagTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"commit", "object " + par1 + "\ntype commit\ntag v1\ntagger T <t@x> 1 +0000\n\nv1\n", par1},
		{"no newline", "object " + par2, par2},
		{"type first", "type commit\nobject " + par1 + "\n", ""},
		{"short name", "object 1234\ntype commit\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		id, err := TagTarget([]byte(tt.in))
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: got %s, want an error", tt.name, id)
			}
			continue
		}
		if err != nil || id.String() != tt.want {
			t.Errorf("%s: got %s, %v, want %s", tt.name, id, err, tt.want)
		}
	}
}

func TestParseSignature(t *testing.T) {
	t.Parallel()
	name, email, when := ParseSignature([]byte("Ana Lopez <ana@example.com> 1700000000 -0130"))
	want := time.Unix(1700000000, 0)
	if name != "Ana Lopez" || email != "ana@example.com" || !when.Equal(want) {
		t.Errorf("got %q %q %v", name, email, when)
	}
	if _, off := when.Zone(); off != -(90 * 60) {
		t.Errorf("zone offset %d, want -5400", off)
	}
	if s := SignatureTime([]byte("Ana Lopez <ana@example.com> 1700000000 -0130")); s != 1700000000 {
		t.Errorf("SignatureTime: %d", s)
	}
	if _, _, when := ParseSignature([]byte("Broken <b@x> not-a-date")); !when.IsZero() {
		t.Errorf("malformed date: %v, want the zero time", when)
	}
	if s := SignatureTime([]byte("no email at all")); s != 0 {
		t.Errorf("SignatureTime without an email: %d", s)
	}
}

func entry(mode, name string, id plumbing.Hash) string {
	return mode + " " + name + "\x00" + string(id[:])
}

func TestTreeIter(t *testing.T) {
	t.Parallel()
	a, b := plumbing.NewHash(par1), plumbing.NewHash(par2)
	data := entry("100644", "a.txt", a) + entry("40000", "dir", b) + entry("160000", "sub", a) + entry("120000", "link", b)
	got, err := ParseTree([]byte(data), nil)
	if err != nil || len(got) != 4 {
		t.Fatalf("ParseTree: %d entries, %v", len(got), err)
	}
	if !got[0].IsBlob() || !got[1].IsTree() || got[2].Mode != filemode.Submodule || got[2].IsBlob() || !got[3].IsBlob() || got[1].ID != b {
		t.Errorf("entries: %+v", got)
	}
	for _, bad := range []string{"100644 a.txt", "10x644 a\x00" + strings.Repeat("x", 20), "100644 a\x00short", " a\x00" + strings.Repeat("x", 20)} {
		if _, err := ParseTree([]byte(data+bad), nil); err == nil {
			t.Errorf("malformed entry %q: no error", bad)
		}
	}
}

// TestIsBlob: files of every 100xxx mode and symbolic links are blobs;
// trees, gitlinks and the empty mode are not.
func TestIsBlob(t *testing.T) {
	t.Parallel()
	for m, want := range map[filemode.FileMode]bool{
		filemode.Regular: true, filemode.Executable: true, filemode.Deprecated: true, 0o100600: true,
		filemode.Symlink: true, filemode.Dir: false, filemode.Submodule: false, filemode.Empty: false,
	} {
		if got := IsBlob(m); got != want {
			t.Errorf("IsBlob(%o) = %v, want %v", m, got, want)
		}
	}
}

func TestCompareEntries(t *testing.T) {
	t.Parallel()
	file := func(n string) *TreeEntry { return &TreeEntry{Mode: filemode.Regular, Name: []byte(n)} }
	dir := func(n string) *TreeEntry { return &TreeEntry{Mode: filemode.Dir, Name: []byte(n)} }
	// git's order: a file "a" < "a.b" < the directory "a" (as "a/") < "ab".
	order := []*TreeEntry{file("a"), file("a.b"), dir("a"), file("ab")}
	for i := range order {
		for j := range order {
			got := CompareEntries(order[i], order[j])
			if (got < 0) != (i < j) || (got == 0) != (i == j) {
				t.Errorf("CompareEntries(%s, %s) = %d", order[i].Name, order[j].Name, got)
			}
		}
	}
}
