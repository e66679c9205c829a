package report

import (
	"encoding/json"
	"io"
	"time"
	"unicode/utf8"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
)

// jsonReport is the json format: a version, the findings and the
// stats.
type jsonReport struct {
	Version  string        `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Stats    jsonStats     `json:"stats"`
}

// jsonFinding is a finding with the json field names users rely on. ReadBaseline reads
// rule_id, path and fingerprint back.
type jsonFinding struct {
	RuleID   rules.RuleID   `json:"rule_id"`
	Severity rules.Severity `json:"severity"`
	Path     string         `json:"path"`
	// PathBytes holds the path's bytes (base64 in JSON) when they are not
	// valid UTF-8, which JSON strings cannot carry: path then shows each
	// invalid byte as U+FFFD, and path_bytes keeps the name recoverable.
	PathBytes   []byte `json:"path_bytes,omitempty"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	EndColumn   int    `json:"end_column"`
	Redacted    string `json:"redacted"`
	Secret      string `json:"secret,omitempty"` // only with ShowSecrets
	Fingerprint string `json:"fingerprint"`
	// Encoding is how the key was written (finding.Finding.Encoding);
	// left out for a key written as itself.
	Encoding string `json:"encoding,omitempty"`
	Message  string `json:"message"`
	*historyFields
	Verification *verification `json:"verification,omitempty"`
}

// verification is finding.Verification as json and SARIF show it.
type verification struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func newVerification(f finding.Finding) *verification {
	if f.Verification == nil {
		return nil
	}
	return &verification{f.Verification.Status, f.Verification.Reason}
}

// historyFields are the fields of a history finding, in json findings and
// in SARIF result properties. A nil pointer leaves them all out.
type historyFields struct {
	Commit string `json:"commit"`
	Author string `json:"author"`
	Email  string `json:"email"`
	Date   string `json:"date"` // RFC 3339
	InHead *bool  `json:"in_head,omitempty"`
	// StashOnly: the commit is reached by refs/stash alone.
	StashOnly bool `json:"stash_only,omitempty"`
}

// jsonStats is finding.Stats in snake case, with the duration in whole
// milliseconds.
type jsonStats struct {
	FilesScanned      int   `json:"files_scanned"`
	BytesScanned      int64 `json:"bytes_scanned"`
	BinaryFiles       int   `json:"binary_files"`
	SkippedBinary     int   `json:"skipped_binary"`
	SkippedTooLarge   int   `json:"skipped_too_large"`
	SkippedUnreadable int   `json:"skipped_unreadable"`
	Ignored           int   `json:"ignored"`
	Symlinks          int   `json:"symlinks"`
	AllowedPaths      int   `json:"allowed_paths"`
	Suppressed        int   `json:"suppressed"`
	Warnings          int   `json:"warnings"`
	NotScanned        int   `json:"not_scanned"` // above 0: the scan is incomplete
	DroppedInvalid    int   `json:"dropped_invalid"`
	Unverified        int   `json:"unverified"`
	DurationMS        int64 `json:"duration_ms"`
}

func writeJSON(w io.Writer, fs []finding.Finding, st finding.Stats, o Options) error {
	r := jsonReport{
		Version:  o.Version,
		Findings: make([]jsonFinding, 0, len(fs)), // [] rather than null when there are none
		Stats: jsonStats{
			FilesScanned:      st.FilesScanned,
			BytesScanned:      st.BytesScanned,
			BinaryFiles:       st.BinaryFiles,
			SkippedBinary:     st.SkippedBinary,
			SkippedTooLarge:   st.SkippedTooLarge,
			SkippedUnreadable: st.SkippedUnreadable,
			Ignored:           st.Ignored,
			Symlinks:          st.Symlinks,
			AllowedPaths:      st.AllowedPaths,
			Suppressed:        st.Suppressed,
			Warnings:          st.Warnings,
			NotScanned:        st.NotScanned,
			DroppedInvalid:    st.DroppedInvalid,
			Unverified:        st.Unverified,
			DurationMS:        st.Duration.Round(time.Millisecond).Milliseconds(),
		},
	}
	for _, f := range fs {
		line, col, end, _ := span(f)
		jf := jsonFinding{
			RuleID:        f.RuleID,
			Severity:      f.Severity,
			Path:          f.Path,
			PathBytes:     pathBytes(f.Path),
			Line:          line,
			Column:        col,
			EndColumn:     end,
			Redacted:      f.Redacted,
			Fingerprint:   f.Fingerprint,
			Encoding:      f.Encoding,
			Message:       message(f, o),
			historyFields: newHistoryFields(f),
			Verification:  newVerification(f),
		}
		if o.ShowSecrets {
			jf.Secret = f.Secret.Reveal()
		}
		r.Findings = append(r.Findings, jf)
	}
	return encode(w, r)
}

// pathBytes returns p's bytes when p is not valid UTF-8, and nil when it is.
func pathBytes(p string) []byte {
	if utf8.ValidString(p) {
		return nil
	}
	return []byte(p)
}

// newHistoryFields returns the history fields of f, or nil if f is not a
// history finding.
func newHistoryFields(f finding.Finding) *historyFields {
	if f.Commit == "" {
		return nil
	}
	return &historyFields{
		Commit:    f.Commit,
		Author:    f.Author,
		Email:     f.Email,
		Date:      f.Date.Format(time.RFC3339),
		InHead:    f.InHead,
		StashOnly: f.StashOnly,
	}
}

// encode writes v as JSON indented by two spaces, with a final newline.
// HTML characters are left as they are: "<ana@example.com>" stays readable.
func encode(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(v)
}
