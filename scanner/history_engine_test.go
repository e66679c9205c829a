package scanner

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
)

// needGit skips a test that builds or checks a repository with the git
// binary when git is not on PATH, unless CLAROLINT_E2E=1 makes that a
// failure. The scanner itself never runs git.
// gitOut runs git in dir and returns its standard output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "core.quotePath=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

var keyPattern = regexp.MustCompile(`sk_(live|test)_[A-Za-z0-9]{42}`)

// gitReference works out, with the git binary and no code of ours, which
// commit introduced which key at which path: every commit git rev-list
// --all --reflog lists, every blob of its tree (git ls-tree -r), and each
// key of that blob (on a line without clarolint:allow) that the blob at
// the same path in no parent holds.
// Entries are "path commit key".
func gitReference(t *testing.T, dir string) []string {
	t.Helper()
	keys := make(map[string][]string) // blob → keys
	blobKeys := func(blob string) []string {
		if k, ok := keys[blob]; ok {
			return k
		}
		var k []string
		for _, line := range strings.Split(gitOut(t, dir, "cat-file", "blob", blob), "\n") {
			if !strings.Contains(line, "clarolint:allow") {
				k = append(k, keyPattern.FindAllString(line, -1)...)
			}
		}
		keys[blob] = k
		return k
	}
	trees := make(map[string]map[string]string) // commit → path → blob
	treeOf := func(commit string) map[string]string {
		if m, ok := trees[commit]; ok {
			return m
		}
		m := make(map[string]string)
		sc := bufio.NewScanner(strings.NewReader(gitOut(t, dir, "ls-tree", "-r", "-z", commit)))
		sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
			if i := bytes.IndexByte(data, 0); i >= 0 {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil
		})
		for sc.Scan() {
			meta, path, _ := strings.Cut(sc.Text(), "\t")
			if f := strings.Fields(meta); f[1] == "blob" {
				m[path] = f[2]
			}
		}
		trees[commit] = m
		return m
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(gitOut(t, dir, "rev-list", "--all", "--reflog", "--parents")), "\n") {
		ids := strings.Fields(line)
		for path, blob := range treeOf(ids[0]) {
			for _, k := range blobKeys(blob) {
				introduced := true
				for _, p := range ids[1:] {
					if pb, ok := treeOf(p)[path]; ok && slices.Contains(blobKeys(pb), k) {
						introduced = false
					}
				}
				if introduced {
					out = append(out, path+" "+ids[0]+" "+k)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// introduced renders findings of Claro keys as gitReference does.
func introduced(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		if k := f.Secret.Reveal(); k != "" && f.RuleID != rules.KeyReused {
			out = append(out, f.Path+" "+f.Commit+" "+k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// detailed renders everything a history finding carries but the key.
func detailed(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		in := "unset"
		if f.InHead != nil {
			in = fmt.Sprint(*f.InHead)
		}
		out = append(out, fmt.Sprintf("%s:%d:%d-%d %s %s %s %s <%s> %s in_head=%s stash_only=%v", f.Path, f.Line, f.Column, f.EndColumn,
			f.RuleID, f.Fingerprint, f.Commit, f.Author, f.Email, f.Date.Format("2006-01-02T15:04:05-07:00"), in, f.StashOnly))
	}
	return out
}

// againstGit scans hr's whole history and checks the keys, paths and
// commits against gitReference; then it scans branch alone, which takes
// the other way through the engine (commits diffed first, blobs read one
// by one), and checks that every finding the whole scan made on a commit
// branch reaches is the same, in every detail.
func againstGit(t *testing.T, name string, hr *histRepo, branch string) []string {
	t.Helper()
	got, all, _, _ := runHistory(t, hr, Options{}, HistoryOptions{})
	if a, b := introduced(all), gitReference(t, hr.dir); !slices.Equal(a, b) {
		t.Errorf("%s: the engine and git differ:\nengine %q\n   git %q", name, a, b)
	}
	_, one, _, _ := runHistory(t, hr, Options{}, HistoryOptions{Branch: branch})
	reach := make(map[string]bool)
	for _, c := range strings.Fields(gitOut(t, hr.dir, "rev-list", branch)) {
		reach[c] = true
	}
	var want []finding.Finding
	for _, f := range all {
		if reach[f.Commit] {
			want = append(want, f)
		}
	}
	if a, b := detailed(want), detailed(one); !slices.Equal(a, b) {
		t.Errorf("%s: the whole history and branch %s differ on its commits:\nwhole  %q\nbranch %q", name, branch, a, b)
	}
	return got
}

// TestHistoryAgainstGit checks the engine against git itself on the
// scenario, loose, bare and packed.
func TestHistoryAgainstGit(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // dozens of git processes
	fixture.NeedGit(t)
	checkFindings(t, "scenario", againstGit(t, "scenario", scenario(t, false), "main"), scenarioWant)
	checkFindings(t, "bare", againstGit(t, "bare", scenario(t, true), "main"), scenarioWant)

	packed := scenario(t, false)
	packed.r.Storer.(*filesystem.Storage).PackRefs()
	if err := packed.r.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	checkFindings(t, "packed", againstGit(t, "packed", packed, "main"), scenarioWant)
}

// TestHistoryGitRepository checks the engine against git on a history
// that git itself wrote, loose and then packed with deltas: a conflict
// resolved in a merge, an octopus merge, renames, a file becoming a
// directory and a symbolic link, a mode change, names with spaces and
// non-ASCII, a submodule, a stash and a lightweight tag.
func TestHistoryGitRepository(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t) // dozens of git processes
	fixture.NeedGit(t)
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
	if got := againstGit(t, "loose", hr, "main"); len(got) < 9 {
		t.Errorf("findings: %q", got)
	}
	run("gc", "-q", "--aggressive")
	againstGit(t, "packed", hr, "main")
}

// corruptInPack packs dir's objects with git, without deltas, and
// damages the deflated data of blob in the pack; the other objects stay
// readable.
func corruptInPack(t *testing.T, dir string, blob plumbing.Hash) {
	t.Helper()
	gitOut(t, dir, "repack", "-adq", "--depth=0", "--window=0")
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %q", packs)
	}
	var off int64 = -1
	for _, line := range strings.Split(gitOut(t, dir, "verify-pack", "-v", strings.TrimSuffix(packs[0], ".pack")+".idx"), "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == blob.String() {
			fmt.Sscan(f[4], &off)
		}
	}
	if off < 0 {
		t.Fatalf("blob %s is not in the pack", blob)
	}
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := off + 4; i < off+12; i++ { // past the object header and the zlib header
		b[i] ^= 0x5a
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryDamagedPack: a blob whose copy in the pack is damaged is
// not scanned, and says so (Stats.NotScanned, a warning naming it); the
// other 20 keys are all found, in the whole history and in a branch.
// When the store holds another copy (loose here, as after a re-fetch),
// that copy is scanned instead and all 21 keys are found.
func TestHistoryDamagedPack(t *testing.T) {
	t.Parallel()
	fixture.NeedGit(t)
	hr := newHistRepo(t, false)
	files := make(map[string]string)
	for i := range 21 {
		files[fmt.Sprintf("f%02d.txt", i)] = fmt.Sprintf("line %d\nCLARO=%s\n", i, key(uint64(200+i)))
	}
	hr.branch("main", hr.commit("c1", files))
	poison := hr.blob(files["f07.txt"])
	corruptInPack(t, hr.dir, poison)

	for _, ho := range []HistoryOptions{{}, {Branch: "main"}} {
		got, _, st, warn := runHistory(t, hr, Options{}, ho)
		if len(got) != 20 || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "f07.txt") }) {
			t.Errorf("%+v: findings %q", ho, got)
		}
		if st.NotScanned != 1 || !strings.Contains(warn, poison.String()[:12]) || !strings.Contains(warn, "not scanned") {
			t.Errorf("%+v: stats %+v, warnings:\n%s", ho, st, warn)
		}
	}

	if hr.blob(files["f07.txt"]) != poison { // a loose copy beside the damaged one
		t.Fatal("blob hash changed")
	}
	for _, ho := range []HistoryOptions{{}, {Branch: "main"}} {
		got, _, st, warn := runHistory(t, hr, Options{}, ho)
		if len(got) != 21 || st.NotScanned != 0 {
			t.Errorf("%+v: with a loose copy: %d findings, stats %+v, warnings:\n%s", ho, len(got), st, warn)
		}
	}
}

// TestHistoryDamagedCommit: a commit whose copy in the pack is damaged
// is one warning, from the listing of the changes, though the walk that
// reads the blobs reads the commits too; the history under it that
// another branch reaches is still scanned.
func TestHistoryDamagedCommit(t *testing.T) {
	t.Parallel()
	fixture.NeedGit(t)
	hr := newHistRepo(t, false)
	a := map[string]string{"a.txt": "CLARO=" + key(301) + "\n"}
	c1 := hr.commit("c1", a)
	b := with(a, "b.txt", "CLARO="+key(302)+"\n")
	c2 := hr.commit("c2", b, c1)
	c3 := hr.commit("c3", with(b, "c.txt", "plain\n"), c2)
	hr.branch("main", c3)
	hr.branch("old", c1)
	corruptInPack(t, hr.dir, c2)
	got, fs, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	if !slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Commit == c1.String() && f.Path == "a.txt" }) {
		t.Errorf("findings %q, want the key c1 introduced", got)
	}
	if st.NotScanned != 1 || strings.Count(warn, "warning:") != 1 || !strings.Contains(warn, c2.String()) {
		t.Errorf("stats %+v, want one warning naming %s:\n%s", st, c2, warn)
	}
}

// TestHistoryPartialClone: a partial clone lacks the blobs it did not
// fetch, so its history scan is incomplete and says so, and still
// reports the keys of the blobs it has (those of HEAD, which the
// checkout fetched).
func TestHistoryPartialClone(t *testing.T) {
	t.Parallel()
	fixture.NeedGit(t)
	src := scenario(t, false)
	dir := t.TempDir()
	cmd := exec.Command("git", "-c", "uploadpack.allowFilter=true", "clone", "-q", "--no-local", "--filter=blob:none", "file://"+src.dir, dir)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	_, fs, st, warn := runHistory(t, &histRepo{t: t, dir: dir}, Options{}, HistoryOptions{})
	if st.NotScanned == 0 || !strings.Contains(warn, "partial clone (promisor remote origin)") {
		t.Errorf("stats %+v, warnings:\n%s", st, warn)
	}
	inHead := 0
	for _, f := range fs {
		if *f.InHead {
			inHead++
		}
	}
	if inHead == 0 {
		t.Errorf("no finding in HEAD: %q", detailed(fs))
	}
}

// TestHistoryUnreachable: a blob holding a key that no ref reaches (left
// by a rewritten branch) is not a finding, since it has no commit or
// path, but a whole-history scan says it is there.
func TestHistoryUnreachable(t *testing.T) {
	t.Parallel()
	hr := newHistRepo(t, false)
	hr.branch("main", hr.commit("c1", map[string]string{"a.txt": key(1) + "\n"}))
	hr.commit("rewritten", map[string]string{"a.txt": "x " + key(2) + "\n"}) // no ref
	got, _, st, warn := runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "unreachable", got, []string{"a.txt:1:1 c1 in HEAD"})
	if !strings.Contains(warn, "1 unreachable blobs hold keys (first: "+hr.blob("x "+key(2)+"\n").String()) || st.Warnings != 1 {
		t.Errorf("stats %+v, warnings:\n%s", st, warn)
	}
}
