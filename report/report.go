package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
)

// Format is an output format, as named by --format.
type Format string

// The output formats, as --format names them.
const (
	Text   Format = "text"   // one line per finding and a summary line, for people
	JSON   Format = "json"   // one object with findings and stats; what baselines are made of
	SARIF  Format = "sarif"  // SARIF 2.1.0, for GitHub code scanning
	GitHub Format = "github" // GitHub Actions workflow commands: pull-request annotations
	// Markdown is a heading, the summary and a table of findings, for a CI
	// job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment.
	Markdown Format = "markdown"
)

// ParseFormat returns the Format named s; the error lists the valid names.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Text, JSON, SARIF, GitHub, Markdown:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use text, json, sarif, github or markdown", s)
}

// Options says how to write a report. The zero value writes no colour,
// shows every key redacted and ends text and github output with a summary.
type Options struct {
	// ShowSecrets puts full keys in the output (--show-secrets). Without it
	// no format holds a key, only its redacted form and fingerprint.
	ShowSecrets bool
	// Color adds ANSI colours to the text format. The caller decides: on a
	// terminal, and not with --no-color. Other formats ignore it.
	Color bool
	// Quiet leaves out the summary line of the text and github formats
	// (--quiet), so that only findings are printed.
	Quiet bool
	// Version is clarolint's version, written into json and sarif reports.
	Version string
}

// Write writes a report of fs and st to w in format f. The findings must
// already be sorted (finding.Sort); Write does not modify them. Positions are
// 1-based; a finding about a whole file (Line 0, or an empty column span) is
// shown at its line (1 if none), column 1. Write returns the first error from
// w, and an error for an unknown format.
func Write(w io.Writer, f Format, fs []finding.Finding, st finding.Stats, o Options) error {
	switch f {
	case Text:
		return writeText(w, fs, st, o)
	case JSON:
		return writeJSON(w, fs, st, o)
	case SARIF:
		return writeSARIF(w, fs, o)
	case GitHub:
		return writeGitHub(w, fs, st, o)
	case Markdown:
		return writeMarkdown(w, fs, st, o)
	}
	return fmt.Errorf("unknown format %q", f)
}

// span returns where f is shown: its 1-based line, column and exclusive end
// column. whole is true for a finding about a whole file rather than a run
// of bytes: the scanner gives those Line 0 or an empty span, and reports
// show them at column 1 of their line (line 1 if none).
func span(f finding.Finding) (line, col, end int, whole bool) {
	if f.Line < 1 || f.EndColumn <= f.Column {
		return max(f.Line, 1), 1, 1, true
	}
	return f.Line, f.Column, f.EndColumn, false
}

// message returns f.Message as reports show it. With o.ShowSecrets the full
// key takes the place of its redacted form (or is appended when the message
// does not show the key); without it, a full key that found its way into the
// message is redacted, so that no format leaks one.
func message(f finding.Finding, o Options) string {
	if f.Secret == "" {
		return f.Message
	}
	key, redacted := f.Secret.Reveal(), f.Secret.String()
	if !o.ShowSecrets {
		return strings.ReplaceAll(f.Message, key, redacted)
	}
	if strings.Contains(f.Message, redacted) {
		return strings.ReplaceAll(f.Message, redacted, key)
	}
	return f.Message + " (" + key + ")"
}

// verdict is what --verify learnt of f's key, as a suffix for the
// message in human-facing formats; json has a field of its own.
func verdict(f finding.Finding) string {
	if f.Verification == nil {
		return ""
	}
	return fmt.Sprintf(" [verified: %s: %s]", f.Verification.Status, f.Verification.Reason)
}

// history describes where a history finding came from, and says plainly
// when the key is no longer in HEAD; it is "" for other findings.
func history(f finding.Finding) string {
	if f.Commit == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("introduced in commit " + shortHash(f.Commit))
	if f.Author != "" {
		b.WriteString(" by " + f.Author)
		if f.Email != "" {
			b.WriteString(" <" + f.Email + ">")
		}
	}
	if !f.Date.IsZero() {
		b.WriteString(" on " + f.Date.Format(time.DateOnly))
	}
	switch {
	case f.StashOnly:
		b.WriteString("; only in refs/stash: the key lives in this clone's stash, which is never pushed; drop the stash entry (git stash drop) once its changes are safe, and rotate the key if it was ever shared")
		if f.InHead != nil && *f.InHead {
			b.WriteString("; the same key is in HEAD too")
		}
	case f.InHead == nil:
	case *f.InHead:
		b.WriteString("; still in HEAD")
	default:
		b.WriteString("; not in HEAD: the key lives on in history, where every clone can read it; deleting it does not un-leak it: rotate it")
	}
	return b.String()
}

// shortHash abbreviates a commit hash to 12 hex digits, enough to stay
// unambiguous in large repositories.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// level maps a severity to the word SARIF levels and workflow commands
// share. Anything but a warning is an error, so an unexpected severity is
// never played down.
func level(s rules.Severity) string {
	if s == rules.Warning {
		return "warning"
	}
	return "error"
}
