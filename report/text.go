package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/escape"
	"github.com/clarolint/clarolint/rules"
)

// ANSI escape sequences for Options.Color.
const (
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

// writeText writes `path:line:col: severity rule-id: message` per finding,
// an indented line with the commit for history findings, and a summary.
func writeText(w io.Writer, fs []finding.Finding, st finding.Stats, o Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		line, col, _, _ := span(f)
		where := fmt.Sprintf("%s:%d:%d:", escape.Text(f.Path), line, col)
		sev, sevColor := level(f.Severity), red
		if f.Severity == rules.Warning {
			sevColor = yellow
		}
		fmt.Fprintf(bw, "%s %s %s: %s\n", paint(o.Color, bold, where), paint(o.Color, sevColor, sev), f.RuleID, escape.Text(message(f, o)+verdict(f)))
		if h := history(f); h != "" {
			fmt.Fprintf(bw, "    %s\n", escape.Text(h))
		}
	}
	if !o.Quiet {
		fmt.Fprintln(bw, Summary(fs, st))
	}
	return bw.Flush() // bufio keeps the first write error
}

// paint wraps s in an ANSI colour when on.
func paint(on bool, color, s string) string {
	if !on {
		return s
	}
	return color + s + reset
}

// Summary returns the one-line account of a scan that ends the text and
// github reports: findings by severity, what was scanned, what was passed
// over and why, and "incomplete: N not scanned" whenever content could not
// be scanned. Commands print it on standard error when the report goes to
// a file.
func Summary(fs []finding.Finding, st finding.Stats) string {
	var b strings.Builder
	if len(fs) == 0 {
		b.WriteString("no Claro keys found")
	} else {
		warnings := 0
		for _, f := range fs {
			if f.Severity == rules.Warning {
				warnings++
			}
		}
		fmt.Fprintf(&b, "%s (%s, %s)", plural(len(fs), "finding"), plural(len(fs)-warnings, "error"), plural(warnings, "warning"))
	}
	fmt.Fprintf(&b, "; scanned %s (%s) in %s", plural(st.FilesScanned, "file"), size(st.BytesScanned), Duration(st.Duration))
	// The rest is said only when it happened, so the common line stays short.
	for _, part := range []struct {
		n    int
		what string
	}{
		{st.BinaryFiles - st.SkippedBinary, "binary scanned as bytes"},
		{st.SkippedBinary, "binary skipped"},
		{st.SkippedTooLarge, "too large, skipped"},
		{st.SkippedUnreadable, "unreadable, skipped"},
		{st.Symlinks, "symlinks not followed"},
		{st.Ignored, "ignored by .gitignore"},
		{st.AllowedPaths, "allowed by path"},
	} {
		if part.n > 0 {
			fmt.Fprintf(&b, "; %d %s", part.n, part.what)
		}
	}
	if st.Suppressed > 0 {
		fmt.Fprintf(&b, "; %s suppressed", plural(st.Suppressed, "finding"))
	}
	if st.DroppedInvalid > 0 {
		fmt.Fprintf(&b, "; %s dropped: the API rejected the key", plural(st.DroppedInvalid, "finding"))
	}
	if st.Unverified > 0 {
		fmt.Fprintf(&b, "; %s could not be verified (kept)", plural(st.Unverified, "key"))
	}
	if st.Warnings > 0 {
		fmt.Fprintf(&b, "; %s", plural(st.Warnings, "warning"))
	}
	if st.NotScanned > 0 {
		fmt.Fprintf(&b, "; incomplete: %d not scanned", st.NotScanned)
	}
	return b.String()
}

// Duration shows d as people read how long a run took: whole
// milliseconds under a second ("850ms"), seconds with one decimal under a
// minute ("3.2s"), else minutes and seconds ("12m05s").
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int((d % time.Minute).Seconds()))
}

// plural returns n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// size returns n bytes in binary units: 512 B, 4.2 KiB, 1.0 GiB.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
