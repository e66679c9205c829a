// Package repotest builds git repositories for the tests of odb and its
// subpackages: histories with merges, renames, deletions, re-adds,
// gitlinks and mode changes, written with git fast-import. Tests that use
// it need git (fixture.NeedGit).
package repotest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Git runs git with args in the repository dir, with stdin as its input,
// and returns its standard output; a failure fails t.
func Git(t testing.TB, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(cmd.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// History builds a bare repository in dir with n commits on main and
// topic branches (merged, some with a resolution of their own, some
// octopus merges, some left unmerged; some commits empty), made
// reproducibly from seed. It
// returns nothing: the refs are refs/heads/main, refs/heads/topic*,
// refs/tags/v* and HEAD.
func History(t testing.TB, dir string, n int, seed uint64) {
	t.Helper()
	Git(t, dir, nil, "init", "-q", "--bare", ".")
	g := &gen{rnd: rand.New(rand.NewPCG(seed, 7)), deleted: map[string]file{}}
	main := &branch{name: "refs/heads/main", files: map[string]file{}}
	for range 20 {
		main.files[g.path()] = file{mode: "100644", body: g.body(40)}
	}
	var topics []*branch
	for i := range n {
		b := main
		if len(topics) > 0 && g.rnd.IntN(2) == 0 {
			b = topics[g.rnd.IntN(len(topics))]
		}
		edits := g.edit(b)
		if i%13 == 12 {
			edits = nil // an empty commit: its tree is its parent's
		}
		g.commit(b, edits, nil)
		switch {
		case i%7 == 3 || i%7 == 4 || i%7 == 5 && i%3 == 0:
			topics = append(topics, fork(fmt.Sprintf("refs/heads/topic%d", i), main))
		case i%7 == 6 && len(topics) > 0:
			g.merge(main, topics)
			topics = topics[:0]
		}
		if i%11 == 5 {
			fmt.Fprintf(&g.out, "reset refs/tags/v%d\nfrom :%d\n\n", i, b.tip)
		}
	}
	Git(t, dir, g.out.Bytes(), "fast-import", "--quiet")
	Git(t, dir, nil, "symbolic-ref", "HEAD", "refs/heads/main")
}

type gen struct {
	rnd     *rand.Rand
	deleted map[string]file // for re-adds of the same content
	out     bytes.Buffer
	mark    int
	when    int
}

type file struct {
	mode string // 100644, 100755, 120000 or 160000 (then body is a commit id)
	body string
}

type branch struct {
	name    string
	files   map[string]file
	tip     int
	changed map[string]bool
}

func fork(name string, from *branch) *branch {
	nb := &branch{name: name, files: map[string]file{}, tip: from.tip, changed: map[string]bool{}}
	for p, f := range from.files {
		nb.files[p] = f
	}
	return nb
}

var words = strings.Fields("alpha beta gamma delta key value config token secret main util test data lorem ipsum")

func (g *gen) path() string {
	dirs := []string{"", "src/", "src/a/", "src/b/", "docs/", "deep/x/y/z/"}
	return dirs[g.rnd.IntN(len(dirs))] + words[g.rnd.IntN(len(words))] + fmt.Sprint(g.rnd.IntN(30)) + ".txt"
}

func (g *gen) body(lines int) string {
	var s strings.Builder
	for range 1 + g.rnd.IntN(lines) {
		for range 1 + g.rnd.IntN(6) {
			s.WriteString(words[g.rnd.IntN(len(words))] + " ")
		}
		s.WriteString("\n")
	}
	return s.String()
}

// edit returns a commit's changes to b: path to file, nil to delete.
func (g *gen) edit(b *branch) map[string]*file {
	edits := map[string]*file{}
	paths := slices.Sorted(mapsKeys(b.files))
	pick := func() string { return paths[g.rnd.IntN(len(paths))] }
	for range 1 + g.rnd.IntN(3) {
		p := pick()
		f := b.files[p]
		switch r := g.rnd.IntN(20); {
		case f.mode == "160000" || f.mode == "120000":
		case r < 12:
			f.body += g.body(3)
		case r < 13:
			edits[p] = nil // deleted, maybe re-added later with the same content
			g.deleted[p] = f
			continue
		case r < 14:
			f.mode = map[string]string{"100644": "100755", "100755": "100644"}[f.mode] // the same blob, another mode
		case r < 15:
			edits[p] = nil // renamed
			p = g.path()
		case r < 16:
			f.body = "" // emptied
		}
		edits[p] = &f
	}
	switch r := g.rnd.IntN(30); {
	case r == 0:
		edits["vendor/lib"+fmt.Sprint(g.rnd.IntN(3))] = &file{mode: "160000", body: fmt.Sprintf("%040x", g.rnd.Uint64())}
	case r == 1:
		edits["link"+fmt.Sprint(g.rnd.IntN(3))] = &file{mode: "120000", body: pick()}
	case r == 2 && !strings.Contains(pick(), "/"):
		p := pick() // a file becomes a directory
		edits[p] = nil
		edits[p+"/inner.txt"] = &file{mode: "100644", body: g.body(5)}
	case r == 3 && len(g.deleted) > 0:
		for p, f := range g.deleted { // re-added as it was
			if _, ok := b.files[p]; !ok {
				edits[p] = &f
			}
			delete(g.deleted, p)
			break
		}
	case r < 6:
		edits[g.path()] = &file{mode: "100644", body: g.body(20)}
	}
	return edits
}

func mapsKeys(m map[string]file) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// commit writes a commit on b with edits; merge names the other parents.
func (g *gen) commit(b *branch, edits map[string]*file, merge []int) {
	var body bytes.Buffer
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range edits {
			if !yield(k) {
				return
			}
		}
	}) {
		f := edits[p]
		if b.changed != nil {
			b.changed[p] = true
		}
		if f == nil {
			delete(b.files, p)
			fmt.Fprintf(&body, "D %s\n", p)
			continue
		}
		b.files[p] = *f
		if f.mode == "160000" {
			fmt.Fprintf(&body, "M 160000 %s %s\n", f.body, p)
			continue
		}
		fmt.Fprintf(&body, "M %s inline %s\ndata %d\n%s\n", f.mode, p, len(f.body), f.body)
	}
	g.mark++
	g.when += 60
	fmt.Fprintf(&g.out, "commit %s\nmark :%d\nauthor A <a@example.com> %d +0000\ncommitter A <a@example.com> %d +0000\ndata 2\nc\n", b.name, g.mark, 1e9+g.when, 1e9+g.when)
	if b.tip != 0 {
		fmt.Fprintf(&g.out, "from :%d\n", b.tip)
	}
	for _, m := range merge {
		fmt.Fprintf(&g.out, "merge :%d\n", m)
	}
	g.out.Write(body.Bytes())
	g.out.WriteString("\n")
	b.tip = g.mark
}

// merge merges topics into main: the files each topic changed are taken
// from it, except a few that the merge resolves with content of its own;
// the last topic stays unmerged when there are several.
func (g *gen) merge(main *branch, topics []*branch) {
	if len(topics) > 1 {
		topics = topics[:len(topics)-1]
	}
	edits := map[string]*file{}
	var parents []int
	for _, t := range topics {
		if t.tip == main.tip {
			continue
		}
		parents = append(parents, t.tip)
		for p := range t.changed {
			f, ok := t.files[p]
			switch {
			case !ok:
				edits[p] = nil
			case g.rnd.IntN(5) == 0 && f.mode != "160000":
				f.body += "resolved in the merge\n" + g.body(2)
				edits[p] = &f
			default:
				edits[p] = &f
			}
		}
	}
	if len(parents) > 0 {
		g.commit(main, edits, parents)
	}
}

// Text returns n bytes of source-like text, as compressible as the blobs
// of a history, the same on every call.
func Text(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"func", "return", "err", "nil", "if", "for", "range", "the", "key", "value", ":=", "{", "}", "\n\t", "\n"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.Bytes()[:n]
}
