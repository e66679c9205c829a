package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

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
	sr := fixture.NewRepo(t)
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
