package scanner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// needGit skips a test of the git fast path when git is not on PATH,
// unless CLAROLINT_E2E=1 makes that a failure.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CLAROLINT_E2E") == "1" {
			t.Fatal("git is not on PATH and CLAROLINT_E2E=1")
		}
		t.Skip("git is not on PATH")
	}
}

// detailed renders everything a history finding carries but the key.
func detailed(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		in := "unset"
		if f.InHead != nil {
			in = fmt.Sprint(*f.InHead)
		}
		out = append(out, fmt.Sprintf("%s:%d:%d-%d %s %s %s %s <%s> %s in_head=%s", f.Path, f.Line, f.Column, f.EndColumn,
			f.RuleID, f.Fingerprint, f.Commit, f.Author, f.Email, f.Date.Format("2006-01-02T15:04:05-07:00"), in))
	}
	return out
}

// sameBothWays scans hr with go-git and with git and fails unless the
// findings, the counts and the warnings are the same.
func sameBothWays(t *testing.T, name string, hr *histRepo, ho HistoryOptions) []string {
	t.Helper()
	ho.NoGit = true
	got, fs1, st1, w1 := runHistory(t, hr, Options{}, ho)
	ho.NoGit = false
	_, fs2, st2, w2 := runHistory(t, hr, Options{}, ho)
	if a, b := detailed(fs1), detailed(fs2); !slices.Equal(a, b) {
		t.Errorf("%s: go-git and git differ:\ngo-git %q\n   git %q", name, a, b)
	}
	st1.Duration, st2.Duration = 0, 0
	if st1 != st2 || w1 != w2 {
		t.Errorf("%s: stats or warnings differ:\ngo-git %+v %q\n   git %+v %q", name, st1, w1, st2, w2)
	}
	return got
}

func TestHistoryGitSameFindings(t *testing.T) {
	t.Parallel()
	needGit(t)
	hr := scenario(t, false)
	for _, o := range []HistoryOptions{{}, {Range: "HEAD~3..main"}, {Range: "HEAD~5..HEAD~4"}, {Range: "feature...v1"}, {Since: "feature~1"}, {Branch: "feature", Since: "HEAD~3"}} {
		sameBothWays(t, fmt.Sprintf("%+v", o), hr, o)
	}
	checkFindings(t, "git, all refs", sameBothWays(t, "bare", scenario(t, true), HistoryOptions{}), scenarioWant)

	packed := scenario(t, false)
	packed.r.Storer.(*filesystem.Storage).PackRefs()
	if err := packed.r.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	checkFindings(t, "git, packed", sameBothWays(t, "packed", packed, HistoryOptions{}), scenarioWant)

	shallow := scenario(t, false)
	for h, l := range shallow.labels {
		if l == "c5" {
			shallow.r.Storer.SetShallow([]plumbing.Hash{h})
		}
	}
	sameBothWays(t, "shallow", shallow, HistoryOptions{})
}

// TestHistoryGitRepository compares both ways on a history that git
// itself wrote: a conflict resolved in a merge, an octopus merge, renames,
// a file becoming a directory and a symbolic link, a mode change, names
// with spaces and non-ASCII, a submodule, a stash and a lightweight tag.
func TestHistoryGitRepository(t *testing.T) {
	t.Parallel()
	needGit(t)
	dir := t.TempDir()
	tick := 0
	run := func(args ...string) {
		t.Helper()
		tick++
		cmd := exec.Command("git", append([]string{"-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"}, args...)...)
		cmd.Dir = dir
		date := fmt.Sprintf("@%d +0200", 1700000000+tick*60)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date, "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil && args[0] != "merge" {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q", ".")
	write("conf.txt", "a\n"+key(1)+"\n")
	write("sp ace/ünï.txt", "x "+key(2)+"\n")
	write("node", "file\n")
	run("add", ".")
	run("commit", "-qm", "c1")
	run("checkout", "-qb", "side")
	write("conf.txt", "side\n"+key(1)+"\n")
	run("commit", "-qam", "side")
	run("checkout", "-q", "main")
	write("conf.txt", "main\n"+key(1)+"\n")
	run("commit", "-qam", "main")
	run("merge", "-q", "side", "-m", "merge")
	write("conf.txt", "resolved "+key(3)+"\n"+key(1)+"\n")
	run("commit", "-qam", "resolution")
	for i, b := range []string{"o1", "o2", "o3"} {
		run("checkout", "-qb", b, "main")
		write(b+".txt", key(uint64(10+i))+"\n")
		run("add", ".")
		run("commit", "-qm", b)
	}
	run("checkout", "-q", "main")
	run("merge", "-q", "o1", "o2", "o3", "-m", "octopus")
	run("mv", "sp ace/ünï.txt", "renamed.txt")
	run("rm", "-q", "node")
	write("node/inside.txt", key(4)+"\n")
	os.Symlink(key(5), filepath.Join(dir, "link"))
	os.Chmod(filepath.Join(dir, "conf.txt"), 0o755)
	run("add", "-A")
	run("commit", "-qm", "typechanges")
	run("update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("ab", 20)+",sub")
	run("commit", "-qm", "submodule")
	run("tag", "light", "o2")
	write("renamed.txt", "stashed "+key(6)+"\n")
	run("stash", "-q")

	hr := &histRepo{t: t, dir: dir}
	got := sameBothWays(t, "git-made", hr, HistoryOptions{})
	if len(got) < 9 {
		t.Errorf("findings: %q", got)
	}
}

// TestHistoryGitDamaged: git log stops at a missing tree, so listing
// falls back to go-git with a warning and finds the same keys; a missing
// blob is a warning either way.
func TestHistoryGitDamaged(t *testing.T) {
	t.Parallel()
	needGit(t)
	hr := newHistRepo(t, false)
	files := map[string]string{"lost.txt": key(1) + "\n", "kept.txt": key(2) + "\n", "gone/x.txt": key(3) + "\n"}
	hr.branch("main", hr.commit("c1", files))
	removeObject(t, hr, hr.blob(key(1)+"\n"))
	removeObject(t, hr, hr.tree(map[string]string{"x.txt": key(3) + "\n"}))
	want, fs1, _, _ := runHistory(t, hr, Options{}, HistoryOptions{NoGit: true})
	got, fs2, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "damaged", got, want)
	if !slices.Equal(detailed(fs1), detailed(fs2)) || len(got) != 1 {
		t.Errorf("findings %q", got)
	}
	if !strings.Contains(warn, "git log: ") || !strings.Contains(warn, "listing history with go-git instead") ||
		!strings.Contains(warn, "lost.txt (blob") || st.SkippedUnreadable != 2 {
		t.Errorf("stats %+v, warnings:\n%s", st, warn)
	}
}

// TestHistoryGitDies: when git cat-file exits on a blob, as it may on a
// corrupt object, that blob is a warning and a new process reads the
// rest. A stand-in git, first on PATH, dies on one blob.
func TestHistoryGitDies(t *testing.T) {
	needGit(t)
	real, _ := exec.LookPath("git")
	hr := newHistRepo(t, false)
	files := map[string]string{"poison.txt": key(1) + "\n"}
	for i := range 40 {
		files[fmt.Sprintf("f%02d.txt", i)] = key(uint64(100+i)) + "\n"
	}
	hr.branch("main", hr.commit("c1", files))
	bin := t.TempDir()
	script := `#!/bin/sh
case " $* " in
*" cat-file "*)
	while read -r id; do
		[ "$id" = "$CLAROLINT_TEST_POISON" ] && { echo "fatal: bad object $id" >&2; exit 128; }
		echo "$id" | "$CLAROLINT_TEST_GIT" "$@"
	done
	exit 0 ;;
esac
exec "$CLAROLINT_TEST_GIT" "$@"
`
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("CLAROLINT_TEST_GIT", real)
	t.Setenv("CLAROLINT_TEST_POISON", hr.blob(key(1)+"\n").String())

	got, _, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	if len(got) != 40 || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "poison.txt") }) {
		t.Errorf("findings %q", got)
	}
	if st.SkippedUnreadable != 1 || !strings.Contains(warn, "poison.txt (blob") || !strings.Contains(warn, "git cat-file: fatal: bad object") {
		t.Errorf("stats %+v, warnings:\n%s", st, warn)
	}
}
