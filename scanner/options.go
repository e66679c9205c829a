package scanner

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/clarolint/clarolint/finding"

	"github.com/clarolint/clarolint/internal/escape"
	"github.com/clarolint/clarolint/rules"
)

// Options are resolved settings: cmd has validated globs and applied the
// config and defaults before building them.
type Options struct {
	// Matcher decides what a key is (its MinEntropy comes from the config).
	Matcher rules.Matcher
	// DecodeDepth is how many layers of encoding are undone to find keys
	// written in base64, percent-encoding or JSON \u escapes, and in
	// UTF-16 files (a layer too): 1 finds a key encoded once, 2 also a
	// key base64-encoded after percent-encoding, up to
	// rules.MaxDecodeDepth. 0 finds only keys written as themselves; cmd
	// sets 1 unless told otherwise.
	DecodeDepth int
	// ArchiveDepth is how many levels of archives are opened to scan the
	// files inside them, reported as archive!name: zip (and jar, war,
	// apk, …), gzip and tar, told by their content. 0 scans an archive as
	// bytes only, as any binary file; at most MaxArchiveDepth.
	ArchiveDepth int
	// NoIgnore scans files that .gitignore would skip.
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
	// AllowPaths are doublestar globs, already validated by config.Load,
	// matched against finding paths joined to PathBase; matching files
	// are not read.
	AllowPaths []string
	// PathBase is where the finding paths of a tree scan start, as a
	// slash-separated path from the directory AllowPaths are relative to
	// (the top of the work tree): "sub" for a scan of sub/, so that its
	// file a.txt is matched as sub/a.txt. Empty when the two are the
	// same, as for history and staged scans.
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
	opts      Options
	allowFP   map[string]bool
	disabled  map[rules.RuleID]bool
	warnMu    sync.Mutex
	chunkSize int
	expand    int64 // archiveExpand
}

// defaultChunk is how many new bytes each read brings into a worker's
// buffer: large enough that most source files take one read, small enough
// that a 10 MB single-line file costs no more memory than this.
const defaultChunk = 256 << 10

// New returns a Scanner for o.
func New(o Options) *Scanner {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	s := &Scanner{
		opts:      o,
		allowFP:   make(map[string]bool, len(o.AllowFingerprints)),
		disabled:  make(map[rules.RuleID]bool, len(o.Disable)),
		chunkSize: defaultChunk,
		expand:    archiveExpand,
	}
	for _, fp := range o.AllowFingerprints {
		s.allowFP[fp] = true
	}
	for _, id := range o.Disable {
		s.disabled[id] = true
	}
	return s
}

// warn writes one warning and counts it. The warning names paths and
// refs that the repository controls, so it is escaped as one line of
// printable text: a name cannot add a line (a forged workflow command in
// a CI log) or send escape sequences to a terminal.
func (s *Scanner) warn(st *finding.Stats, format string, args ...any) {
	st.Warnings++
	if s.opts.Warnings == nil {
		return
	}
	line := "warning: " + escape.Text(fmt.Sprintf(format, args...)) + "\n"
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	io.WriteString(s.opts.Warnings, line)
}

// notScanned warns that content could not be scanned and counts it in
// st.NotScanned: the scan is incomplete, and a key may be there.
func (s *Scanner) notScanned(st *finding.Stats, format string, args ...any) {
	st.NotScanned++
	s.warn(st, format, args...)
}

// enabled reports whether findings of rule id are wanted.
func (s *Scanner) enabled(id rules.RuleID) bool { return !s.disabled[id] }
