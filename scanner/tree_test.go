package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// mustNew returns New(o), failing the test on an error.
func mustNew(t testing.TB, o Options) *Scanner {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// collect scans src with a scanner made from o (and then tuned, when tune
// is not nil) and returns "path:line:col rule" for each finding, sorted,
// with the findings, the stats and the warnings; an error fails t.
func collect(t *testing.T, o Options, src Source, tune func(*Scanner)) ([]string, []finding.Finding, finding.Stats, string) {
	t.Helper()
	var warnings strings.Builder
	o.Warnings = &warnings
	s := mustNew(t, o)
	if tune != nil {
		tune(s)
	}
	var got []finding.Finding
	st, err := s.Scan(context.Background(), src, func(f finding.Finding) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	finding.Sort(got)
	var out []string
	for _, f := range got {
		out = append(out, positionOf(f))
	}
	return out, got, st, warnings.String()
}

// scanTree scans Tree(roots...) as collect does, without the findings.
func scanTree(t *testing.T, o Options, roots ...string) ([]string, finding.Stats, string) {
	t.Helper()
	out, _, st, warnings := collect(t, o, Tree(roots...), nil)
	return out, st, warnings
}

func positionOf(f finding.Finding) string {
	return f.Path + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column) + " " + string(f.RuleID)
}

func TestTreeFindings(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Test, 2)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		"app/config.py": "import os\nAPI_KEY = \"" + live + "\"\n",
		"app/test.js":   "const k = '" + test + "'; // a sandbox key\n",
		"docs/README":   "use sk_live_your_key_here or " + live[:30] + "\n",
		"allowed.txt":   "KEY=" + live + " # clarolint:allow\n",
		"deep/a/b/c/d":  "\n\n\n   " + live,
	})
	got, st, warn := scanTree(t, Options{}, dir)
	want := []string{
		"app/config.py:2:12 claro-live-key",
		"app/test.js:1:12 claro-test-key",
		"deep/a/b/c/d:4:4 claro-live-key",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
	if st.FilesScanned != 5 || st.Suppressed != 1 || warn != "" {
		t.Errorf("stats %+v, warnings %q", st, warn)
	}

	// The finding itself: every field of a tree finding, and a redacted message.
	var f finding.Finding
	mustNew(t, Options{}).Scan(context.Background(), Tree(filepath.Join(dir, "app", "config.py")), func(x finding.Finding) error { f = x; return nil })
	if f.Severity != rules.Error || f.EndColumn != f.Column+rules.KeyLen || f.Redacted != rules.Redact([]byte(live)) ||
		f.Fingerprint != rules.Fingerprint([]byte(live)) || f.Secret.Reveal() != live || strings.Contains(f.Message, live[8:]) {
		t.Errorf("finding fields wrong: %+v", f)
	}
	if want := filepath.ToSlash(filepath.Join(dir, "app", "config.py")); f.Path != want {
		t.Errorf("a file root is reported as given: %q, want %q", f.Path, want)
	}
}

func TestTreeConfig(t *testing.T) {
	t.Parallel()
	live, other := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 3)
	test := rulestest.Key(rules.Test, 2)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		"src/a.go":         live + "\n" + other + "\n" + test + "\n",
		"testdata/fixture": live,
		"x/y/z.golden":     live,
		"src/nested/c.txt": other,
	})
	o := Options{
		AllowPaths:        []string{"testdata/**", "**/*.golden"},
		AllowFingerprints: []string{rules.Fingerprint([]byte(other))},
		Disable:           []rules.RuleID{rules.TestKey},
	}
	got, st, _ := scanTree(t, o, dir)
	if want := []string{"src/a.go:1:1 claro-live-key"}; !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	if st.AllowedPaths != 2 || st.Suppressed != 2 {
		t.Errorf("allowed paths %d, suppressed %d; want 2 and 2", st.AllowedPaths, st.Suppressed)
	}
}

func TestTreeMultipleRoots(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{"a/k.txt": key, "b/k.txt": key})
	got, _, _ := scanTree(t, Options{}, filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	want := []string{
		filepath.ToSlash(filepath.Join(dir, "a")) + "/k.txt:1:1 claro-live-key",
		filepath.ToSlash(filepath.Join(dir, "b")) + "/k.txt:1:1 claro-live-key",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := mustNew(t, Options{}).Scan(context.Background(), Tree(filepath.Join(dir, "missing")), func(finding.Finding) error { return nil }); err == nil {
		t.Error("a missing root is no error")
	}
}

// TestTreeGitignore: nested .gitignore files, negation, .git/info/exclude,
// a scan rooted below the top of the work tree, a nested repository with
// its own rules, and --no-ignore.
func TestTreeGitignore(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	fixture.WriteFiles(t, dir, map[string]string{
		".gitignore":                    "*.log\n!keep.log\nbuild/\n# a comment\n\n/rootonly.txt\r\n",
		".git/info/exclude":             "excluded.txt\n",
		"app.log":                       key,
		"keep.log":                      key,
		"build/out.js":                  key,
		"rootonly.txt":                  key,
		"sub/rootonly.txt":              key,
		"excluded.txt":                  key,
		"sub/.gitignore":                "local.txt\n",
		"sub/local.txt":                 key,
		"local.txt":                     key,
		"sub/deeper/x.log":              key,
		"vendor/lib/.git":               "gitdir: ../../.git/modules/lib\n", // a submodule's work tree
		"vendor/lib/.gitignore":         "generated/\n",
		"vendor/lib/app.log":            key, // the parent's *.log does not reach into it
		"vendor/lib/generated/k":        key,
		".git/modules/lib/info/exclude": "",
	})
	got, st, warn := scanTree(t, Options{}, dir)
	want := []string{
		"keep.log:1:1 claro-live-key",
		"local.txt:1:1 claro-live-key",
		"sub/rootonly.txt:1:1 claro-live-key",
		"vendor/lib/app.log:1:1 claro-live-key",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q\nwarnings: %s", got, want, warn)
	}
	// app.log, build/, rootonly.txt, excluded.txt, sub/local.txt,
	// sub/deeper/x.log, vendor/lib/generated/
	if st.Ignored != 7 {
		t.Errorf("ignored %d, want 7", st.Ignored)
	}

	// Rooted below the top: the top's .gitignore still applies.
	got, _, _ = scanTree(t, Options{}, filepath.Join(dir, "sub"))
	if want := []string{"rootonly.txt:1:1 claro-live-key"}; !slices.Equal(got, want) {
		t.Errorf("scan of sub/: %q, want %q", got, want)
	}

	got, st, _ = scanTree(t, Options{NoIgnore: true}, dir)
	if len(got) != 11 || st.Ignored != 0 {
		t.Errorf("--no-ignore: %d findings (want 11), %d ignored", len(got), st.Ignored)
	}
}

// TestTreeGlobalExcludes reads core.excludesFile's default location; it
// sets XDG_CONFIG_HOME, so it cannot run in parallel.
func TestTreeGlobalExcludes(t *testing.T) {
	key := rulestest.Key(rules.Live, 1)
	home, dir := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	fixture.WriteFiles(t, home, map[string]string{"xdg/git/ignore": "*.secret\n"})
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	fixture.WriteFiles(t, dir, map[string]string{"a.secret": key, "b.txt": key})
	got, st, _ := scanTree(t, Options{}, dir)
	if want := []string{"b.txt:1:1 claro-live-key"}; !slices.Equal(got, want) || st.Ignored != 1 {
		t.Errorf("got %q (ignored %d), want %q", got, st.Ignored, want)
	}

	// core.excludesFile in ~/.gitconfig takes precedence over the default.
	fixture.WriteFiles(t, home, map[string]string{".gitconfig": "[core]\n\texcludesFile = ~/my-ignore\n", "my-ignore": "b.txt\n"})
	got, _, _ = scanTree(t, Options{}, dir)
	if want := []string{"a.secret:1:1 claro-live-key"}; !slices.Equal(got, want) {
		t.Errorf("with core.excludesFile: got %q, want %q", got, want)
	}
}

func TestTreeOutsideRepository(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	// A .gitignore outside any work tree means nothing.
	fixture.WriteFiles(t, dir, map[string]string{".gitignore": "*\n", "a.txt": key, ".env": "CLARO_KEY=" + key})
	got, st, _ := scanTree(t, Options{}, dir)
	if len(got) != 2 || st.Ignored != 0 {
		t.Errorf("outside a repository: %q, %d ignored", got, st.Ignored)
	}
}

func TestTreeBinary(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	bin := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00"), make([]byte, 20000)...)
	bin = append(bin, key...) // past the first 8 KiB, as in a compiled string table
	bin = append(bin, 0, 0xff, 0xfe)
	fixture.WriteFiles(t, dir, map[string]string{"app.bin": string(bin), "db.sqlite": "SQLite format 3\x00" + key, "ok.txt": "nothing"})
	got, st, _ := scanTree(t, Options{}, dir)
	if len(got) != 2 || st.BinaryFiles != 2 || st.SkippedBinary != 0 || st.FilesScanned != 3 {
		t.Errorf("binary files scanned: %q %+v", got, st)
	}
	got, st, _ = scanTree(t, Options{SkipBinary: true}, dir)
	if len(got) != 0 || st.BinaryFiles != 2 || st.SkippedBinary != 2 || st.FilesScanned != 1 {
		t.Errorf("--skip-binary: %q %+v", got, st)
	}
}

func TestTreeMaxFileSize(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{"small": key, "big": key + strings.Repeat("x", 1000)})
	got, st, _ := scanTree(t, Options{MaxFileSize: 500}, dir)
	if want := []string{"small:1:1 claro-live-key"}; !slices.Equal(got, want) || st.SkippedTooLarge != 1 {
		t.Errorf("got %q, %d too large", got, st.SkippedTooLarge)
	}
}

// TestTreeChunkEdge scans files whose key straddles the scanner's read
// chunk edge, with the production chunk size.
func TestTreeChunkEdge(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	files := map[string]string{}
	var want []string
	for _, off := range []int{-49, -25, -1, 0, 1} {
		name := "edge" + strconv.Itoa(off+100)
		col := content.DefaultChunk + off // the key starts at byte content.DefaultChunk+off-1
		files[name] = strings.Repeat("a", col-2) + " " + key + "\n"
		want = append(want, name+":1:"+strconv.Itoa(col)+" claro-live-key")
	}
	fixture.WriteFiles(t, dir, files)
	got, _, _ := scanTree(t, Options{}, dir)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTreeLargeOneLine: a 10 MB single-line file is scanned in bounded
// memory, and its key found at the right column. It measures allocation,
// so it does not run in parallel with other tests.
func TestTreeLargeOneLine(t *testing.T) {
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	line := []byte(strings.Repeat("{\"k\":1},", (10<<20)/8))
	at := len(line) - 1000
	copy(line[at:], "\""+key+"\"")
	fixture.WriteFiles(t, dir, map[string]string{"payload.json": string(line)})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, st, _ := scanTree(t, Options{Workers: 1}, dir)
	runtime.ReadMemStats(&after)
	if want := []string{"payload.json:1:" + strconv.Itoa(at+2) + " claro-live-key"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if st.BytesScanned != int64(len(line)) {
		t.Errorf("scanned %d bytes, want %d", st.BytesScanned, len(line))
	}
	// One worker's buffer is a chunk; reading the file whole would take 10 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*content.DefaultChunk {
		t.Errorf("scanning a 10 MB line allocated %d bytes", alloc)
	}
}

func TestTreeSymlinks(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		"real/k.txt":   key,
		"real/loop":    "\x00link:..",   // a loop back up
		"real/self":    "\x00link:self", // a link to itself
		"link-to-file": "\x00link:real/k.txt",
		"broken":       "\x00link:nowhere",
	})
	got, st, warn := scanTree(t, Options{}, dir)
	if want := []string{"real/k.txt:1:1 claro-live-key"}; !slices.Equal(got, want) {
		t.Errorf("not following: %q", got)
	}
	if st.Symlinks != 2 || st.SkippedUnreadable != 2 || !strings.Contains(warn, "broken: broken symbolic link") || !strings.Contains(warn, "real/self") {
		t.Errorf("not following: %+v, warnings %q", st, warn)
	}

	got, st, warn = scanTree(t, Options{FollowSymlinks: true}, dir)
	want := []string{"link-to-file:1:1 claro-live-key", "real/k.txt:1:1 claro-live-key"}
	if !slices.Equal(got, want) || !strings.Contains(warn, "real/loop: symbolic link loop") {
		t.Errorf("following: %q, warnings %q", got, warn)
	}
}

// TestTreeUnreadable needs a user that file permissions apply to.
func TestTreeUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads any file; cmd/clarolint's TestUnreadableAsNobody covers this")
	}
	key := rulestest.Key(rules.Live, 1)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{"a.txt": key, "secret/b.txt": key, "c.txt": key})
	os.Chmod(filepath.Join(dir, "c.txt"), 0)
	os.Chmod(filepath.Join(dir, "secret"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "secret"), 0o755) })
	got, st, warn := scanTree(t, Options{}, dir)
	if want := []string{"a.txt:1:1 claro-live-key"}; !slices.Equal(got, want) || st.SkippedUnreadable != 2 ||
		!strings.Contains(warn, "c.txt: permission denied") || !strings.Contains(warn, "secret: permission denied") {
		t.Errorf("got %q, %+v, warnings %q", got, st, warn)
	}
}

func TestTreeEmitError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 50 {
		files["f"+strconv.Itoa(i)] = rulestest.Key(rules.Live, uint64(i))
	}
	fixture.WriteFiles(t, dir, files)
	stop := os.ErrClosed
	n := 0
	_, err := mustNew(t, Options{}).Scan(context.Background(), Tree(dir), func(finding.Finding) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("got %d calls and %v, want 1 call and emit's error", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := mustNew(t, Options{}).Scan(ctx, Tree(dir), func(finding.Finding) error { return nil }); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

// TestTreeUTF16Column: a finding carries its column in bytes and in UTF-16
// code units, which differ after characters of two, three and four bytes.
func TestTreeUTF16Column(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{"intl.txt": "x\n\"é€😀\" " + rulestest.Key(rules.Live, 3) + "\n"})
	var got []finding.Finding
	if _, err := mustNew(t, Options{}).Scan(context.Background(), Tree(dir), func(f finding.Finding) error {
		got = append(got, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// "é€😀" is 2+3+4 bytes but 1+1+2 code units; with its quotes and
	// the space, the key starts at byte 13 and at code unit 8.
	if len(got) != 1 || got[0].Line != 2 || got[0].Column != 13 || got[0].UTF16Column != 8 {
		t.Errorf("findings %+v, want one at line 2, column 13, UTF-16 column 8", got)
	}
}

// TestIssue11TrackedFilesNeverIgnored: git's ignore rules apply to
// untracked files only, so a committed file that .gitignore lists (a .env,
// config/secrets.yml, a file in an ignored directory) is scanned; an
// untracked ignored file is not.
func TestIssue11TrackedFilesNeverIgnored(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	keys := map[string]string{}
	for i, p := range []string{".env", "config/secrets.yml", "gen/out.js", "deep/ignored/dir/app.yaml"} {
		keys[p] = rulestest.Key(rules.Live, uint64(1100+i))
		sr.Stage(map[string]string{p: "KEY=" + keys[p] + "\n"})
	}
	sr.Stage(map[string]string{".gitignore": coveredIgnore + "config/secrets.yml\ngen/\ndeep/\n"})
	sr.Commit("keys committed, then ignored")
	fixture.WriteFiles(t, sr.Dir, map[string]string{
		"gen/tmp.js":         "KEY=" + rulestest.Key(rules.Live, 1190) + "\n", // untracked and ignored
		"deep/ignored/x.txt": "KEY=" + rulestest.Key(rules.Live, 1191) + "\n",
		"config/local.yml":   "KEY=" + rulestest.Key(rules.Live, 1192) + "\n", // untracked, not ignored
	})
	got, _, st, warn := scanRepo(t, Options{}, 0, sr.Dir)
	checkFindings(t, "root", got, []string{
		".env:1:1 env-file-tracked",
		".env:1:5 claro-live-key",
		"config/local.yml:1:5 claro-live-key",
		"config/secrets.yml:1:5 claro-live-key",
		"deep/ignored/dir/app.yaml:1:5 claro-live-key",
		"gen/out.js:1:5 claro-live-key",
	})
	if st.Ignored != 2 || warn != "" {
		t.Errorf("ignored %d (want 2: gen/tmp.js, deep/ignored/x.txt), warnings %q", st.Ignored, warn)
	}
	// A path on the command line: a subdirectory, and a file in it.
	got, _, _, _ = scanRepo(t, Options{}, 0, filepath.Join(sr.Dir, "gen"))
	checkFindings(t, "ignored directory as root", got, []string{"out.js:1:5 claro-live-key"})
	got, _, _, _ = scanRepo(t, Options{}, 0, filepath.Join(sr.Dir, "deep", "ignored"))
	checkFindings(t, "ignored subdirectory as root", got, []string{"dir/app.yaml:1:5 claro-live-key"})

	// An index that cannot be read: nothing is ignored, with a warning.
	if err := os.WriteFile(filepath.Join(sr.Dir, ".git", "index"), []byte("DIRC garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, _, warn = scanRepo(t, Options{Disable: []rules.RuleID{rules.EnvFileTracked, rules.EnvNotIgnored}}, 0, sr.Dir)
	if len(got) != 7 || !strings.Contains(warn, "files that .gitignore ignores are scanned too") {
		t.Errorf("unreadable index: findings %q, warnings %q", got, warn)
	}
}

// TestTreeArchives: with an archive depth, the files inside zip, gzip and
// tar archives are scanned, at their own lines, as archive!name; nested
// archives only as deep as asked; without it, archives are bytes, so only
// the keys that a tar or a stored (uncompressed) zip entry holds as they
// are, are found, in the archive's bytes.
func TestTreeArchives(t *testing.T) {
	t.Parallel()
	k := func(i uint64) string { return rulestest.Key(rules.Live, 700+i) }
	dir := t.TempDir()
	inner := fixture.Zip(t, false, "deep.txt", "x\n"+k(1)+"\n")
	files := map[string][]byte{
		"app.jar":    fixture.Zip(t, false, "META-INF/", "", "config/app.properties", "# config\n\napi.key="+k(2)+"\n", "lib/inner.zip", string(inner)),
		"stored.zip": fixture.Zip(t, true, "a.txt", "key: "+k(3)+"\n"),
		"logs.tar.gz": fixture.Gzip(t, "", fixture.Tar(t, "dir/app.log", "line\nline\nGET /?token="+k(4)+"\n",
			"dir/empty.txt", "")),
		"dump.sql.gz": fixture.Gzip(t, "dump.sql", []byte("INSERT INTO keys VALUES ('"+k(5)+"');\n")),
		"plain.tar":   fixture.Tar(t, "dir/.env", "CLARO_API_KEY="+k(6)+"\n"),
		// A gzip file without its name inside a zip: the name it gets
		// comes from its own, not from the zip's.
		"bundle.zip": fixture.Zip(t, false, "notes.txt.gz", string(fixture.Gzip(t, "", []byte("\n\n"+k(8)+"\n")))),
		"tiny.zip":   fixture.Zip(t, false),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		depth int
		want  []string
		files int
		// Archives nested past the depth: scanned as bytes, their files
		// not, so the scan is incomplete and says so (issue 12).
		deeper []string
	}{
		{0, []string{ // as bytes, with no newline before the keys
			"plain.tar:1:" + fmt.Sprint(bytes.Index(files["plain.tar"], []byte(k(6)))+1) + " claro-live-key",
			"stored.zip:1:" + fmt.Sprint(bytes.Index(files["stored.zip"], []byte(k(3)))+1) + " claro-live-key",
		}, 7, nil},
		{1, []string{
			"app.jar!config/app.properties:3:9 claro-live-key",
			"dump.sql.gz!dump.sql:1:27 claro-live-key",
			"logs.tar.gz!logs.tar:3:13 claro-live-key", // the tar as bytes: its headers hold no newline
			"plain.tar!dir/.env:1:15 claro-live-key",
			"stored.zip!a.txt:1:6 claro-live-key",
		}, 7 + 7, []string{"app.jar!lib/inner.zip", "bundle.zip!notes.txt.gz", "logs.tar.gz!logs.tar"}},
		{2, []string{
			"app.jar!config/app.properties:3:9 claro-live-key",
			"app.jar!lib/inner.zip!deep.txt:2:1 claro-live-key",
			"bundle.zip!notes.txt.gz!notes.txt:3:1 claro-live-key",
			"dump.sql.gz!dump.sql:1:27 claro-live-key",
			"logs.tar.gz!logs.tar!dir/app.log:3:13 claro-live-key",
			"plain.tar!dir/.env:1:15 claro-live-key",
			"stored.zip!a.txt:1:6 claro-live-key",
		}, 7 + 7 + 4, nil},
	} {
		got, st, warn := scanTree(t, Options{ArchiveDepth: tt.depth}, dir)
		if !slices.Equal(got, tt.want) {
			t.Errorf("depth %d: findings\n got %q\nwant %q", tt.depth, got, tt.want)
		}
		if st.FilesScanned != tt.files || st.NotScanned != len(tt.deeper) || strings.Count(warn, "\n") != len(tt.deeper) {
			t.Errorf("depth %d: %d files scanned, want %d; %d not scanned, want %d; warnings:\n%s", tt.depth, st.FilesScanned, tt.files, st.NotScanned, len(tt.deeper), warn)
		}
		for _, p := range tt.deeper {
			if !strings.Contains(warn, "warning: "+p+": a ") || !strings.Contains(warn, "nested deeper than --archive-depth 1") {
				t.Errorf("depth %d: no warning about %s:\n%s", tt.depth, p, warn)
			}
		}
	}
}

// TestTreeArchiveTrouble: an archive that cannot be opened (a zip without
// its directory, a tar whose first header is bad) is scanned as bytes,
// with a warning; a file inside one that cannot be read, or that
// is too large, is counted and the rest are scanned; and an archive that
// expands past the budget stops there, saying so.
func TestTreeArchiveTrouble(t *testing.T) {
	t.Parallel()
	k := func(i uint64) string { return rulestest.Key(rules.Live, 720+i) }
	dir := t.TempDir()
	good := fixture.Zip(t, false, "a.txt", k(1)+"\n", "big.txt", strings.Repeat("z", 2<<20), "b.txt", k(2)+"\n")
	corrupt := append([]byte("PK\x03\x04 not really a zip; "), k(3)...)
	// Enough text that no deflate block holds it all, so that the first
	// half of the archive gives the key before it breaks off.
	var text bytes.Buffer
	for i := range 40000 {
		fmt.Fprintf(&text, "%x\n", uint32(i)*2654435761)
	}
	gz := fixture.Gzip(t, "x.txt", []byte(k(4)+"\n"+text.String()))
	bomb := fixture.Zip(t, false, "1.txt", strings.Repeat("0", 3000), "2.txt", k(5)+"\n", "3.txt", k(6)+"\n")
	broken := fixture.Tar(t, "x.txt", k(7)+"\n")
	copy(broken[148:], "bad sum!") // the first header's checksum
	for name, data := range map[string][]byte{
		"good.zip":      good,
		"corrupt.zip":   corrupt,
		"broken.tar":    broken,
		"truncated.gz":  gz[:len(gz)/2],
		"bomb/bomb.zip": bomb,
	} {
		fixture.WriteFiles(t, dir, map[string]string{name: string(data)})
	}

	got, st, warn := scanTree(t, Options{ArchiveDepth: 1, MaxFileSize: 1 << 20}, dir)
	want := []string{
		"bomb/bomb.zip!2.txt:1:1 claro-live-key",
		"bomb/bomb.zip!3.txt:1:1 claro-live-key",
		"broken.tar:1:" + fmt.Sprint(bytes.Index(broken, []byte(k(7)))+1) + " claro-live-key",
		"corrupt.zip:1:" + fmt.Sprint(len(corrupt)-rules.KeyLen+1) + " claro-live-key",
		"good.zip!a.txt:1:1 claro-live-key",
		"good.zip!b.txt:1:1 claro-live-key",
		"truncated.gz!x.txt:1:1 claro-live-key",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n got %q\nwant %q", got, want)
	}
	if st.SkippedTooLarge != 1 || st.SkippedUnreadable != 1 ||
		!strings.Contains(warn, "corrupt.zip: zip: not a valid zip file; scanned as bytes") ||
		!strings.Contains(warn, "broken.tar: archive/tar: invalid tar header; scanned as bytes") ||
		!strings.Contains(warn, "truncated.gz!x.txt: read: unexpected EOF; scanned the first") {
		t.Errorf("stats %+v, warnings:\n%s", st, warn)
	}

	// With a budget of 3,020 bytes, 1.txt takes 3,000 and 2.txt is cut
	// short before its key is whole: the scan says so, and 3.txt is not
	// read.
	s := mustNew(t, Options{ArchiveDepth: 1, Warnings: new(strings.Builder)})
	s.content.ArchiveBudget = 3020
	var found []string
	st, err := s.Scan(context.Background(), Tree(filepath.Join(dir, "bomb")), func(f finding.Finding) error {
		found = append(found, positionOf(f))
		return nil
	})
	w := s.opts.Warnings.(*strings.Builder).String()
	if err != nil || len(found) != 0 || st.Warnings != 1 || !strings.Contains(w, "bomb.zip!2.txt: read: the archive decompresses to more than the 4 GiB read from one archive; the files after this one in it are not scanned") {
		t.Errorf("budget: err %v, findings %q, stats %+v, warnings:\n%s", err, found, st, w)
	}
}

// TestStagedArchive: a staged archive's files are scanned; a key that
// HEAD's version of the archive already held is not reported again, a new
// one is.
func TestStagedArchive(t *testing.T) {
	t.Parallel()
	old, added := rulestest.Key(rules.Live, 731), rulestest.Key(rules.Live, 732)
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"dist/app.zip": string(fixture.Zip(t, false, "config.js", "k='"+old+"'\n"))})
	sr.Commit("first")
	sr.Stage(map[string]string{"dist/app.zip": string(fixture.Zip(t, false, "config.js", "k='"+old+"'\n", "more.js", "\nk='"+added+"'\n"))})

	got, _, _, warn := scanStaged(t, Options{ArchiveDepth: 1}, sr.Dir, IndexOptions{})
	// Under dist/, a key is in a build artefact: handed to clients.
	checkFindings(t, "staged archive", got, []string{"dist/app.zip!more.js:2:4 claro-key-client-exposed"})
	if warn != "" {
		t.Errorf("warnings:\n%s", warn)
	}
	got, _, _, _ = scanStaged(t, Options{}, sr.Dir, IndexOptions{})
	checkFindings(t, "staged archive as bytes", got, nil)
}

// TestHistoryArchive: the files of an archive committed in history are
// scanned.
func TestHistoryArchive(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Test, 733)
	hr := newHistRepo(t, false)
	hr.branch("main", hr.commit("c1", map[string]string{
		"backup.tar.gz": string(fixture.Gzip(t, "", fixture.Tar(t, "backup/.env", "\nCLARO_API_KEY="+key+"\n"))),
	}))
	got, _, _, warn := runHistory(t, hr, Options{ArchiveDepth: 2}, HistoryOptions{})
	checkFindings(t, "history archive", got, []string{"backup.tar.gz!backup.tar!backup/.env:2:15 c1 in HEAD"})
	if warn != "" {
		t.Errorf("warnings:\n%s", warn)
	}
}

// TestIssue12ArchiveNames: names inside an archive that climb out of it
// ("zip-slip") or hold control characters are only names: nothing is
// written anywhere, the findings carry them under the archive's path, and
// warnings print them escaped.
func TestIssue12ArchiveNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := rulestest.Key(rules.Live, 1261)
	fixture.WriteFiles(t, dir, map[string]string{
		"in/slip.zip": string(fixture.Zip(t, false, "../../outside.env", "KEY="+k+"\n", "/etc/abs.env", "KEY="+k+"\n", "x\n::error::forged.zip", "PK\x03\x04 a broken zip")),
	})
	before, _ := os.ReadDir(filepath.Dir(dir))
	got, _, warn := scanTree(t, Options{ArchiveDepth: 2}, filepath.Join(dir, "in"))
	want := []string{"slip.zip!../../outside.env:1:5 claro-live-key", "slip.zip!/etc/abs.env:1:5 claro-live-key"}
	if !slices.Equal(got, want) || strings.Contains(warn, "\n::") || !strings.Contains(warn, `warning: slip.zip!x\n::error::forged.zip: zip: not a valid zip file; scanned as bytes`) {
		t.Errorf("findings %q, want %q; warnings %q", got, want, warn)
	}
	after, _ := os.ReadDir(filepath.Dir(dir))
	if len(after) != len(before) {
		t.Errorf("the scan wrote next to the tree: %d entries, then %d", len(before), len(after))
	}
}
