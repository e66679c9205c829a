package content

import (
	"errors"
	"io"
	"io/fs"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
)

// DefaultChunk is how many new bytes each read brings into a Reader's
// buffer: large enough that most source files take one read, small enough
// that a 10 MB single-line file costs no more memory than this.
const DefaultChunk = 256 << 10

// Options say how Readers read inputs. Readers keep a pointer to them,
// which must not change while any reads.
type Options struct {
	// Matcher decides what a key is.
	Matcher *rules.Matcher
	// DecodeDepth is how many layers of encoding are undone to find keys
	// (rules.MaxDecodeDepth at most); a UTF-16 input counts as a layer.
	DecodeDepth int
	// ArchiveDepth is how many levels of zip, gzip and tar archives are
	// opened to read the files inside; 0 reads an archive as bytes.
	ArchiveDepth int
	// SkipBinary skips inputs with a NUL in their first 8 KiB.
	SkipBinary bool
	// MaxFileSize skips files inside archives larger than this, by the
	// size the archive records; 0 means no limit. (Files and blobs are
	// measured by their callers, before they are read.)
	MaxFileSize int64
	// Warner receives the warnings about inputs.
	Warner *finding.Warner
	// Mention, when set, is shown the start of each text input.
	Mention *Mention
	// ChunkSize is how many new bytes each read brings; 0 means
	// DefaultChunk. ArchiveBudget is how much one archive may decompress
	// to; 0 means DefaultArchiveBudget. Tests set both smaller.
	ChunkSize     int
	ArchiveBudget int64
}

// A Reader reads inputs one at a time through a fixed buffer and finds
// the keys in them. One Reader belongs to one goroutine.
type Reader struct {
	o  *Options
	st *stream
}

// NewReader returns a Reader with o.
func NewReader(o *Options) *Reader {
	chunk := o.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	rd := &Reader{o: o, st: newStream(o.Matcher, o.DecodeDepth, chunk)}
	rd.st.mention = o.Mention
	return rd
}

// Read reads in to its end as the input src, counts it in stats, and
// calls emit for each key in it that no allow marker covers, in order.
// With Options.ArchiveDepth, an archive's files are read instead of its
// bytes, each as src.Path!name. A read error is a warning, counted in
// stats.NotScanned, and the keys before it are still emitted; only emit's
// error is returned.
func (rd *Reader) Read(src Source, in io.Reader, stats *finding.Stats, emit func(Hit) error) error {
	return rd.read(src, in, rd.o.ArchiveDepth, nil, stats, emit)
}

// read is Read looking depth archives deep, inside an archive whose
// budget is b (nil for an input that is in none).
func (rd *Reader) read(src Source, r io.Reader, depth int, b *expandBudget, stats *finding.Stats, emit func(Hit) error) error {
	if depth == 0 && b != nil {
		// An archive in an archive at the depth limit is read as bytes;
		// its files are not, and the scan says so.
		head, kind, _, err := rd.st.sniff(r)
		if kind != "" {
			rd.o.Warner.NotScanned(stats, "%s: a %s archive nested deeper than --archive-depth %d; its files are not scanned, only its bytes", src.Label, kind, rd.o.ArchiveDepth)
		}
		r = rejoin(head, r, err)
	}
	if depth > 0 {
		var kind archiveKind
		var data []byte
		if r, kind, data = rd.openArchive(src, r, stats); kind != "" {
			if b == nil {
				b = &expandBudget{left: rd.budget()}
			}
			opened, err := rd.readArchive(src, kind, data, depth-1, b, stats, emit)
			if opened {
				stats.FilesScanned++
				stats.BytesScanned += int64(len(data))
				return err
			}
		}
	}
	return rd.readBytes(src, r, stats, emit)
}

// readBytes reads one input as bytes.
func (rd *Reader) readBytes(src Source, r io.Reader, stats *finding.Stats, emit func(Hit) error) error {
	var emitErr error
	rd.st.name = src.Path
	res, err := rd.st.scan(r, rd.o.SkipBinary, func(h Hit) error {
		h.Path = src.Path
		emitErr = emit(h)
		return emitErr
	})
	stats.Suppressed += res.allowed
	if res.binary {
		stats.BinaryFiles++
		if rd.o.SkipBinary {
			stats.SkippedBinary++
			return nil
		}
	}
	if emitErr != nil {
		return emitErr
	}
	stats.BytesScanned += res.bytes
	if err != nil {
		stats.SkippedUnreadable++
		rd.o.Warner.NotScanned(stats, "%s: read: %v; scanned the first %d bytes only", src.Label, unwrapPath(err), res.bytes)
		return nil
	}
	stats.FilesScanned++
	return nil
}

// Keys reads in to its end as bytes, whatever Options.SkipBinary says and
// without opening archives, and calls emit for each key no allow marker
// covers: what a staged scan needs to know of HEAD's version of a file.
// It returns a read error, or emit's.
func (rd *Reader) Keys(in io.Reader, emit func(Hit) error) error {
	rd.st.name = ""
	_, err := rd.st.scan(in, false, emit)
	return err
}

func (rd *Reader) budget() int64 {
	if rd.o.ArchiveBudget > 0 {
		return rd.o.ArchiveBudget
	}
	return DefaultArchiveBudget
}

// unwrapPath drops the operation and path from an *fs.PathError, which the
// warning already names in its own form.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
