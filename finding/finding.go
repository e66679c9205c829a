package finding

import (
	"cmp"
	"slices"
	"time"

	"github.com/clarolint/clarolint/rules"
)

// Finding is one thing to report: a key at a position, or a problem with a
// file (a tracked .env file) or with the repository (.gitignore).
type Finding struct {
	RuleID   rules.RuleID
	Severity rules.Severity
	// Path is slash-separated and relative to the scan root (for a tree
	// scan given several roots, to the current directory) or to the
	// repository root for history and staged scans.
	Path string
	// Line and Column are 1-based; Column counts bytes, or, in a UTF-16
	// file, characters of the decoded text (UTF-16 code units). EndColumn
	// is exclusive, as SARIF's endColumn. For an encoded key they span the
	// encoded text. A finding about a whole file (env-file-tracked,
	// env-not-ignored) is at line 1, column 1, with an empty span:
	// EndColumn 1.
	Line, Column, EndColumn int
	// UTF16Column is Column counted in UTF-16 code units of the line
	// read as UTF-8, the unit of SARIF's default columnKind and of
	// editors: less than Column after two-, three- and four-byte
	// characters (a four-byte one counts two). The key as written is
	// ASCII, so its end is UTF16Column + EndColumn - Column. It is 0 for
	// a finding about a whole file.
	UTF16Column int
	// Secret is the full key, empty for findings that are not about a key.
	// It redacts itself whenever it is printed; see rules.Secret.
	Secret rules.Secret
	// Redacted is rules.Redact of the key: what reports show.
	Redacted string
	// Fingerprint is rules.Fingerprint of the key.
	Fingerprint string
	Message     string
	// Encoding is how the key was written where it was found, "" when as
	// itself: a rules.Encoding such as "base64" or "percent", several
	// joined by "+" in the order they were applied ("percent+base64"),
	// with "utf-16le" or "utf-16be" last for a key in a UTF-16 file.
	// Secret, Redacted and Fingerprint are always the decoded key's.
	Encoding string

	// History findings: the commit that introduced the key at Path.
	Commit string
	Author string
	Email  string
	Date   time.Time
	// InHead is set for history findings: true when the same key is still
	// in the HEAD tree.
	InHead *bool
	// StashOnly is set for a history finding whose commit only the stash
	// reaches (refs/stash and its reflog): the key is in this clone's
	// stash alone, which is never pushed.
	StashOnly bool

	// Verification is what the Claro API said of the key (--verify); nil
	// when it was not asked.
	Verification *Verification
}

// Sort orders findings by path, line, column and rule, then commit, so that
// reports and golden files are deterministic.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.Commit, b.Commit),
		)
	})
}

// Stats says what a scan read and what it passed over.
type Stats struct {
	FilesScanned int   // files or blobs whose bytes were searched
	BytesScanned int64 // bytes searched
	// BinaryFiles counts files with a NUL in their first 8 KiB, scanned
	// as bytes or, with --skip-binary, skipped; with decoding, UTF-16
	// text files are not among them.
	BinaryFiles int
	// Files passed over, each counted once, with the reason.
	SkippedBinary     int // --skip-binary: a NUL in the first 8 KiB
	SkippedTooLarge   int // over max-file-size
	SkippedUnreadable int // open or read failed, broken symlink, not a regular file
	Ignored           int // files and directories ignored by .gitignore; a directory counts once
	Symlinks          int // symbolic links not followed
	AllowedPaths      int // matched allow.paths in the config
	Suppressed        int // findings dropped by clarolint:allow, allowed fingerprints or the baseline
	Warnings          int // warnings written
	// NotScanned counts content that could not be scanned: unreadable
	// files, directories and blobs, read errors, archive files past the
	// expansion budget or the archive depth, paths too long to open. Any
	// of it makes the scan incomplete: a key may be there. Each is also
	// a warning.
	NotScanned int
	// With verification: findings dropped because the API rejected
	// their key (--only-active), and distinct keys it could not judge.
	DroppedInvalid, Unverified int
	Duration                   time.Duration
}

// Add adds the counts of o to st, for a command that runs several scans;
// Duration is the caller's to set.
func (st *Stats) Add(o Stats) {
	st.FilesScanned += o.FilesScanned
	st.BytesScanned += o.BytesScanned
	st.BinaryFiles += o.BinaryFiles
	st.SkippedBinary += o.SkippedBinary
	st.SkippedTooLarge += o.SkippedTooLarge
	st.SkippedUnreadable += o.SkippedUnreadable
	st.Ignored += o.Ignored
	st.Symlinks += o.Symlinks
	st.AllowedPaths += o.AllowedPaths
	st.Suppressed += o.Suppressed
	st.Warnings += o.Warnings
	st.NotScanned += o.NotScanned
	st.DroppedInvalid += o.DroppedInvalid
	st.Unverified += o.Unverified
}
