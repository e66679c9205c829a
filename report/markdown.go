package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/clarolint/clarolint/scanner"
)

// writeMarkdown writes a GitHub-flavoured Markdown summary: a heading, the
// summary line and a table of findings, for a CI job summary
// ($GITHUB_STEP_SUMMARY) or a pull-request comment. Keys are redacted
// unless o.ShowSecrets, as in every format.
func writeMarkdown(w io.Writer, fs []scanner.Finding, st scanner.Stats, o Options) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### clarolint\n\n%s\n", mdCell(summary(fs, st)))
	if len(fs) > 0 {
		withHistory := false
		for _, f := range fs {
			withHistory = withHistory || f.Commit != ""
		}
		fmt.Fprintf(bw, "\n| severity | rule | location | key | message |")
		if withHistory {
			fmt.Fprintf(bw, " history |")
		}
		fmt.Fprintf(bw, "\n|---|---|---|---|---|")
		if withHistory {
			fmt.Fprintf(bw, "---|")
		}
		fmt.Fprintln(bw)
		for _, f := range fs {
			line, col, _, _ := span(f)
			key := f.Redacted
			if o.ShowSecrets && f.Secret != "" {
				key = f.Secret.Reveal()
			}
			if key != "" {
				key = "`" + key + "`"
			}
			fmt.Fprintf(bw, "| %s | `%s` | `%s:%d:%d` | %s | %s |", level(f.Severity), f.RuleID,
				strings.ReplaceAll(mdCell(f.Path), "`", "'"), line, col, key, mdCell(message(f, o)+verdict(f)))
			if withHistory {
				fmt.Fprintf(bw, " %s |", mdCell(history(f)))
			}
			fmt.Fprintln(bw)
		}
	}
	return bw.Flush()
}

// mdCell makes s safe inside a Markdown table cell: no line breaks, pipes
// escaped, non-printable runes escaped.
func mdCell(s string) string {
	s = strings.ReplaceAll(printable(s), "|", `\|`)
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
