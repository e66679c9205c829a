package scanner

import (
	"context"
	"fmt"
	"io"
	"path"
	"runtime"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/rules"
)

// MaxArchiveDepth is the deepest Options.ArchiveDepth: archives nested in
// archives nested in archives, and so on, five deep.
const MaxArchiveDepth = content.MaxArchiveDepth

// Options are a scan's settings. New checks them; the zero value is a
// valid default scan.
type Options struct {
	// Matcher decides what a key is (its MinEntropy comes from the config).
	Matcher rules.Matcher
	// DecodeDepth is how many layers of encoding are undone to find keys
	// written in base64, percent-encoding or JSON \u escapes, and in
	// UTF-16 files (a layer too): 1 finds a key encoded once, 2 also a
	// key base64-encoded after percent-encoding, up to
	// rules.MaxDecodeDepth. 0 finds only keys written as themselves.
	DecodeDepth int
	// ArchiveDepth is how many levels of archives are opened to scan the
	// files inside them, reported as archive!name: zip (and jar, war,
	// apk, …), gzip and tar, told by their content. 0 scans an archive as
	// bytes only, as any binary file; at most MaxArchiveDepth.
	ArchiveDepth int
	// NoIgnore scans untracked files that .gitignore would skip.
	NoIgnore bool
	// SkipBinary skips files with a NUL byte in their first 8 KiB (with
	// DecodeDepth, UTF-16 text is text, not binary). Without it, binary
	// files are scanned as bytes: a key compiled into a binary or stored
	// in a SQLite file is still a leak.
	SkipBinary bool
	// FollowSymlinks follows symbolic links to files and directories;
	// directories already visited are skipped, so loops end.
	FollowSymlinks bool
	// MaxFileSize skips files larger than this many bytes; 0 means no limit.
	MaxFileSize int64
	// AllowPaths are doublestar globs, matched against finding paths
	// joined to PathBase; matching files are not read. New rejects a bad
	// glob.
	AllowPaths []string
	// PathBase is where the finding paths of a tree scan start, as a
	// slash-separated path from the directory AllowPaths are relative to
	// (the top of the work tree): "sub" for a scan of sub/, so that its
	// file a.txt is matched as sub/a.txt. Empty when the two are the
	// same, as for history and index scans.
	PathBase string
	// AllowFingerprints are the fingerprints of accepted keys.
	AllowFingerprints []string
	// Disable lists rules whose findings are dropped.
	Disable []rules.RuleID
	// Workers is how many files are read and scanned at once; 0 means
	// GOMAXPROCS.
	Workers int
	// Warnings receives one line per warning; nil discards them (they are
	// still counted in Stats).
	Warnings io.Writer
}

// Scanner scans sources with one set of Options. Its methods may be
// called from several goroutines.
type Scanner struct {
	opts     Options
	allowFP  map[string]bool
	disabled map[rules.RuleID]bool
	warner   *finding.Warner
	// content is how inputs are read; each scan gives its workers Readers
	// of it, or of a copy that adds what that scan looks for.
	content content.Options
}

// New checks o and returns a Scanner for it: an out-of-range depth, a bad
// glob, an unknown rule or a negative size is an error naming the setting.
func New(o Options) (*Scanner, error) {
	switch {
	case o.DecodeDepth < 0 || o.DecodeDepth > rules.MaxDecodeDepth:
		return nil, fmt.Errorf("decode depth %d: use 0 (no decoding) to %d", o.DecodeDepth, rules.MaxDecodeDepth)
	case o.ArchiveDepth < 0 || o.ArchiveDepth > MaxArchiveDepth:
		return nil, fmt.Errorf("archive depth %d: use 0 (archives as bytes) to %d", o.ArchiveDepth, MaxArchiveDepth)
	case o.MaxFileSize < 0:
		return nil, fmt.Errorf("max file size %d: use 0 for no limit", o.MaxFileSize)
	case o.Workers < 0:
		return nil, fmt.Errorf("%d workers: use 0 for one per processor", o.Workers)
	}
	for _, g := range o.AllowPaths {
		if !doublestar.ValidatePattern(g) {
			return nil, fmt.Errorf("allow path %q is not a valid glob", g)
		}
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	s := &Scanner{
		opts:     o,
		allowFP:  make(map[string]bool, len(o.AllowFingerprints)),
		disabled: make(map[rules.RuleID]bool, len(o.Disable)),
		warner:   finding.NewWarner(o.Warnings),
	}
	for _, fp := range o.AllowFingerprints {
		s.allowFP[fp] = true
	}
	for _, id := range o.Disable {
		if _, ok := rules.Lookup(id); !ok {
			return nil, fmt.Errorf("unknown rule %q", id)
		}
		s.disabled[id] = true
	}
	s.content = content.Options{
		Matcher:      &s.opts.Matcher,
		DecodeDepth:  o.DecodeDepth,
		ArchiveDepth: o.ArchiveDepth,
		SkipBinary:   o.SkipBinary,
		MaxFileSize:  o.MaxFileSize,
		Warner:       s.warner,
	}
	return s, nil
}

// A Source is what a scan reads: a tree of files (Tree), what the next
// commit would add (Index), a history of commits (History), or one input
// (Reader).
type Source interface {
	scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error)
}

// Scan scans src and calls emit for each finding: for a tree, its .env
// checks too; for a history, after the whole history has been read, in
// finding.Sort's order. Findings of trees, indexes and readers come as
// they are found, from one goroutine at a time. emit's error ends the scan
// and is returned; so is an error that keeps the source from being read
// at all (a root that does not exist, a path in no repository). Anything
// wrong inside a source is a warning, counted in the Stats, and the rest
// of it is still scanned.
func (s *Scanner) Scan(ctx context.Context, src Source, emit func(finding.Finding) error) (finding.Stats, error) {
	start := time.Now()
	st, err := src.scan(ctx, s, emit)
	st.Duration = time.Since(start)
	return st, err
}

// ScanReader scans r to its end as one file called name, which findings
// and warnings carry ("-" for standard input); it is Scan of Reader(name,
// r).
func (s *Scanner) ScanReader(ctx context.Context, name string, r io.Reader, emit func(finding.Finding) error) (finding.Stats, error) {
	return s.Scan(ctx, Reader(name, r), emit)
}

// reader returns a content Reader with the scanner's settings, for one
// goroutine.
func (s *Scanner) reader() *content.Reader { return content.NewReader(&s.content) }

// enabled reports whether findings of rule id are wanted.
func (s *Scanner) enabled(id rules.RuleID) bool { return !s.disabled[id] }

// allowedPath reports whether an allow.paths glob matches rel, a finding
// path, taken from PathBase.
func (s *Scanner) allowedPath(rel string) bool {
	if s.opts.PathBase != "" {
		rel = path.Join(s.opts.PathBase, rel)
	}
	for _, g := range s.opts.AllowPaths {
		// The globs were validated in New, so the unvalidated matcher
		// cannot meet a bad pattern.
		if doublestar.MatchUnvalidated(g, rel) {
			return true
		}
	}
	return false
}

// readerSource is a Source of one input.
type readerSource struct {
	name string
	r    io.Reader
}

// Reader is the Source of one input read from r to its end, called name
// in findings and warnings ("-" for standard input): keys as themselves
// and encoded, and with Options.ArchiveDepth the files of an archive.
// AllowPaths do not apply, since name is no path in a tree. A read error
// is a warning counted in Stats.NotScanned, and the keys before it are
// still emitted; a context that ends before r does ends the scan.
func Reader(name string, r io.Reader) Source { return readerSource{name, r} }

func (src readerSource) scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error) {
	var st finding.Stats
	err := s.reader().Read(content.Source{Path: src.name, Label: src.name}, ctxReader{ctx, src.r}, &st, s.keyEmitter(&st, emit))
	if err == nil {
		err = ctx.Err()
	}
	return st, err
}

// ctxReader reads r until ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
