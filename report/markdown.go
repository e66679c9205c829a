package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/escape"
)

// writeMarkdown writes a GitHub-flavoured Markdown summary: a heading, the
// summary line and a table of findings, for a CI job summary
// ($GITHUB_STEP_SUMMARY) or a pull-request comment. Keys are redacted
// unless o.ShowSecrets, as in every format.
func writeMarkdown(w io.Writer, fs []finding.Finding, st finding.Stats, o Options) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### clarolint\n\n%s\n", escape.Text(Summary(fs, st)))
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
			// A key is base62 and underscores (redacted: and an
			// ellipsis), so it is safe in a code span, where Markdown
			// would not read backslash escapes.
			key := f.Redacted
			if o.ShowSecrets && f.Secret != "" {
				key = f.Secret.Reveal()
			}
			if key != "" {
				key = "`" + key + "`"
			}
			fmt.Fprintf(bw, "| %s | %s | %s:%d:%d | %s | %s |", level(f.Severity), escape.Markdown(string(f.RuleID)),
				escape.Markdown(f.Path), line, col, key, escape.Markdown(message(f, o)+verdict(f)))
			if withHistory {
				fmt.Fprintf(bw, " %s |", escape.Markdown(history(f)))
			}
			fmt.Fprintln(bw)
		}
	}
	return bw.Flush()
}
