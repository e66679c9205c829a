package content

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"

	"github.com/clarolint/clarolint/finding"
)

// MaxArchiveDepth is the deepest Options.ArchiveDepth: archives nested in
// archives nested in archives, and so on, five deep.
const MaxArchiveDepth = 5

// archiveSep joins an archive's path and the path of a file inside it, as
// in "build/app.jar!config/app.properties", as gitleaks and Java's jar: URLs
// write it.
const archiveSep = "!"

const (
	// archiveMaxSize is the largest archive that is opened: zip keeps its
	// directory at the end, so an archive is read whole before its files
	// are. A larger one is scanned as bytes, with a warning.
	archiveMaxSize = 64 << 20
	// archiveSniff is how much of a file decides whether it is an archive:
	// a tar header's magic ends at byte 262.
	archiveSniff = 512
)

// DefaultArchiveBudget is how many bytes all the files in one archive,
// nested archives included, may decompress to before the rest is not
// scanned: a guard against decompression bombs.
const DefaultArchiveBudget = 4 << 30

// archiveKind is a format whose files the scanner reads.
type archiveKind string

const (
	zipArchive  archiveKind = "zip" // also jar, war, apk, docx, whl, …
	gzipArchive archiveKind = "gzip"
	tarArchive  archiveKind = "tar"
)

// sniffArchive returns the format that head, the start of a file, begins,
// or "" if it is none of them. It goes by content, not by name.
func sniffArchive(head []byte) archiveKind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")): // an empty zip is all directory
		return zipArchive
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 8}): // deflate, the only method gzip defines
		return gzipArchive
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return tarArchive
	}
	return ""
}

// expandBudget is what is left of the budget for one outermost archive.
type expandBudget struct {
	left int64
	over bool // the budget ran out: no more files are read
}

// budgeted reads r until the budget runs out.
type budgeted struct {
	r io.Reader
	b *expandBudget
}

// errExpandBudget ends the scan of the file inside an archive that
// reached its budget; the files after it are not read either.
var errExpandBudget = errors.New("the archive decompresses to more than the 4 GiB read from one archive; the files after this one in it are not scanned")

func (br budgeted) Read(p []byte) (int, error) {
	if br.b.left <= 0 {
		br.b.over = true
		return 0, errExpandBudget
	}
	if int64(len(p)) > br.b.left {
		p = p[:br.b.left]
	}
	n, err := br.r.Read(p)
	br.b.left -= int64(n)
	return n, err
}

// openArchive reads the first bytes of r, read from src, to see
// whether it is an archive to look into (depth > 0). If so, it reads the
// whole archive and returns it; the reader returned then reads it again
// from the start for the scan as bytes that follows when it cannot be
// opened. Otherwise it returns a reader of all of r and no data.
func (rd *Reader) openArchive(src Source, r io.Reader, stats *finding.Stats) (io.Reader, archiveKind, []byte) {
	head, kind, whole, err := rd.st.sniff(r)
	if kind == "" || err != nil {
		return rejoin(head, r, err), "", nil
	}
	if whole { // all of it is in head, which the next file reuses
		data := bytes.Clone(head)
		return bytes.NewReader(data), kind, data
	}
	n := len(head)
	data := bytes.NewBuffer(make([]byte, 0, 64<<10))
	data.Write(head)
	m, err := io.Copy(data, io.LimitReader(r, archiveMaxSize-int64(n)+1))
	switch {
	case err != nil:
		return io.MultiReader(bytes.NewReader(data.Bytes()), errorReader{err}), "", nil
	case int64(n)+m > archiveMaxSize:
		rd.o.Warner.NotScanned(stats, "%s: a %s archive larger than %d MiB; its files are not scanned, only its bytes", src.Label, kind, archiveMaxSize>>20)
		return io.MultiReader(bytes.NewReader(data.Bytes()), r), "", nil
	}
	return bytes.NewReader(data.Bytes()), kind, data.Bytes()
}

// sniff reads up to archiveSniff bytes of r into the stream's head buffer
// and returns them, the archive kind they begin ("" for none), whether
// they are all of r, and a read error.
func (st *stream) sniff(r io.Reader) (head []byte, kind archiveKind, whole bool, err error) {
	head = st.head[:archiveSniff]
	n, err := io.ReadFull(r, head)
	head = head[:n]
	switch err {
	case nil:
	case io.EOF, io.ErrUnexpectedEOF:
		whole, err = true, nil
	default:
		return head, "", false, err
	}
	return head, sniffArchive(head), whole, nil
}

// rejoin returns a reader of head and then the rest of r, from which head
// was read, or of head and then err.
func rejoin(head []byte, r io.Reader, err error) io.Reader {
	if err != nil {
		return io.MultiReader(bytes.NewReader(head), errorReader{err})
	}
	return io.MultiReader(bytes.NewReader(head), r)
}

// A Source is a file or blob being read: its path, which hits carry, and
// its label, which warnings name it by (for a blob in history, the path
// and the blob's hash).
type Source struct {
	Path, Label string
	inner       int // where in Path the name of a file in an archive starts; 0 outside one
}

// at returns the source of the file name inside the archive src.
func (src Source) at(name string) Source {
	return Source{src.Path + archiveSep + name, src.Label + archiveSep + name, len(src.Path) + len(archiveSep)}
}

// base returns the last element of the file's own name, without the
// directories and archives that hold it.
func (src Source) base() string {
	name := src.Path[src.inner:]
	return name[strings.LastIndexByte(name, '/')+1:]
}

// errorReader fails every read with err.
type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// readArchive reads the files in data, an archive of kind read from src,
// as Read reads a file: each as src.Path!name, and each in turn looked
// into if it is an archive and depth is above 0. It reports whether the
// archive could be opened; if not, it warned, and its caller reads it as
// bytes. Only emit's error is returned.
func (rd *Reader) readArchive(src Source, kind archiveKind, data []byte, depth int, b *expandBudget, stats *finding.Stats, emit func(Hit) error) (bool, error) {
	entry := func(name string, size int64, r io.Reader) error {
		if rd.o.MaxFileSize > 0 && size > rd.o.MaxFileSize {
			stats.SkippedTooLarge++
			return nil
		}
		return rd.read(src.at(name), budgeted{r, b}, depth, b, stats, emit)
	}
	switch kind {
	case zipArchive:
		return rd.zipFiles(src, data, b, stats, entry)
	case gzipArchive:
		return rd.gzipFile(src, data, stats, entry)
	}
	return rd.tarFiles(src, data, b, stats, entry)
}

// zipFiles reads the files of a zip archive with entry.
func (rd *Reader) zipFiles(src Source, data []byte, b *expandBudget, stats *finding.Stats, entry func(string, int64, io.Reader) error) (bool, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		rd.o.Warner.Warn(stats, "%s: %v; scanned as bytes", src.Label, err)
		return false, nil
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || b.over {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			stats.SkippedUnreadable++
			rd.o.Warner.NotScanned(stats, "%s: %v; not scanned", src.at(f.Name).Label, err)
			continue
		}
		err = entry(f.Name, int64(f.UncompressedSize64), rc)
		rc.Close()
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// gzipFile reads the one file of a gzip stream with entry.
func (rd *Reader) gzipFile(src Source, data []byte, stats *finding.Stats, entry func(string, int64, io.Reader) error) (bool, error) {
	gr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		rd.o.Warner.Warn(stats, "%s: %v; scanned as bytes", src.Label, err)
		return false, nil
	}
	name := gr.Name // the compressed file's name, when gzip kept it
	if name == "" {
		name = GzipName(src.base())
	}
	return true, entry(name, -1, gr)
}

// Unnamed stands for the name of the file in a gzip stream that kept
// none, read from a source without a path (a blob scanned before its
// paths are known): hit paths start with "!"+Unnamed then, and NameHit
// puts the name in once the path is known.
const Unnamed = "\x00"

// GzipName is the name of the file in a gzip stream that kept none, read
// from a file named base: base without ".gz", or with ".tgz" made ".tar";
// Unnamed when base is "".
func GzipName(base string) string {
	if base == "" {
		return Unnamed
	}
	name := strings.TrimSuffix(base, ".gz")
	if strings.HasSuffix(name, ".tgz") {
		name = strings.TrimSuffix(name, ".tgz") + ".tar"
	}
	return name
}

// NameHit returns the path of a hit inside a file read without a path
// (Hit.Path "" or "!inner...") once that file is known to be at path.
func NameHit(path, inner string) string {
	if rest, ok := strings.CutPrefix(inner, archiveSep+Unnamed); ok {
		return path + archiveSep + GzipName(path[strings.LastIndexByte(path, '/')+1:]) + rest
	}
	return path + inner
}

// tarFiles reads the regular files of a tar archive with entry.
func (rd *Reader) tarFiles(src Source, data []byte, b *expandBudget, stats *finding.Stats, entry func(string, int64, io.Reader) error) (bool, error) {
	tr := tar.NewReader(bytes.NewReader(data))
	for first := true; !b.over; first = false {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && first { // tar has no directory: this is where it fails to open
			rd.o.Warner.Warn(stats, "%s: %v; scanned as bytes", src.Label, err)
			return false, nil
		}
		if err != nil {
			stats.SkippedUnreadable++
			rd.o.Warner.NotScanned(stats, "%s: %v; the rest of the archive is not scanned", src.Label, err)
			break
		}
		if hdr.Typeflag != tar.TypeReg {
			continue // directories, links and devices hold no bytes of their own
		}
		if err := entry(hdr.Name, hdr.Size, tr); err != nil {
			return true, err
		}
	}
	return true, nil
}
