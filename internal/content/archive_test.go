package content

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// FuzzArchive feeds anything to the archive reader, three levels deep:
// whatever the bytes, the scan ends without a panic, and an archive's
// files are scanned within the expansion budget.
func FuzzArchive(f *testing.F) {
	key := rulestest.Key(rules.Live, 740)
	zipped := fixture.Zip(f, false, "a.txt", key, "in.zip", string(fixture.Zip(f, true, "b.txt", key)))
	f.Add(zipped)
	f.Add(fixture.Gzip(f, "", fixture.Tar(f, "dir/c.txt", key)))
	f.Add(fixture.Tar(f, "d.tar", string(fixture.Tar(f, "e.txt", key))))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(&Options{Matcher: new(rules.Matcher), ArchiveDepth: 3, ChunkSize: 4096, ArchiveBudget: 1 << 20})
		var st finding.Stats
		err := rd.Read(Source{Path: "f", Label: "f"}, bytes.NewReader(data), &st, func(h Hit) error {
			if !strings.HasPrefix(h.Path, "f") || !rules.IsKey(h.Key) {
				t.Errorf("hit at %q", h.Path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
