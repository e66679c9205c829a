package push

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestParseUpdates(t *testing.T) {
	t.Parallel()
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	zero := plumbing.ZeroHash.String()
	tests := []struct {
		name, in string
		want     []Update
		err      string
	}{
		{"one", a + " " + b + " refs/heads/main\n", []Update{{plumbing.NewHash(a), plumbing.NewHash(b), "refs/heads/main"}}, ""},
		{"new and deleted", zero + " " + b + " refs/heads/new\n" + a + " " + zero + " refs/tags/old\n",
			[]Update{{plumbing.ZeroHash, plumbing.NewHash(b), "refs/heads/new"}, {plumbing.NewHash(a), plumbing.ZeroHash, "refs/tags/old"}}, ""},
		{"no final newline, CRLF, blank lines", "\n" + a + " " + b + " refs/heads/x\r\n\n" + b + " " + a + " refs/heads/y",
			[]Update{{plumbing.NewHash(a), plumbing.NewHash(b), "refs/heads/x"}, {plumbing.NewHash(b), plumbing.NewHash(a), "refs/heads/y"}}, ""},
		{"empty", "", nil, ""},
		{"two fields", a + " " + b + "\n", nil, "line 1"},
		{"four fields", a + " " + b + " refs/heads/x y\n", nil, "line 1"},
		{"empty ref", a + " " + b + " \n", nil, "line 1"},
		{"not hex", a + " " + strings.Repeat("g", 40) + " refs/heads/x\n", nil, "not a SHA-1 object name"},
		{"SHA-256", strings.Repeat("a", 64) + " " + strings.Repeat("b", 64) + " refs/heads/x\n", nil, "SHA-1 repositories only"},
		{"bad second line", a + " " + b + " refs/heads/x\nnonsense\n", nil, "line 2"},
	}
	for _, tt := range tests {
		got, err := ParseUpdates(strings.NewReader(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// TestParseUpdatesEveryLine: a push of many refs (a mirror, an import)
// is read to its last line; no count stops it.
func TestParseUpdatesEveryLine(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	const n = 5000
	for i := range n {
		fmt.Fprintf(&in, "%s %040x refs/tags/v%d\n", plumbing.ZeroHash, i+1, i)
	}
	got, err := ParseUpdates(strings.NewReader(in.String()))
	if err != nil || len(got) != n || got[n-1].Ref != fmt.Sprintf("refs/tags/v%d", n-1) {
		t.Fatalf("read %d updates (%v), want %d", len(got), err, n)
	}
	if got[0].IsDelete() || !(Update{Old: got[0].New}).IsDelete() {
		t.Errorf("IsDelete: a created ref is not a deletion, a zero new name is")
	}
}
