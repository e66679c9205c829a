package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/escape"
)

// Workflow command escaping, as the GitHub Actions runner decodes it. The
// replacers are never modified and are safe for concurrent use.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// writeGitHub writes one ::error or ::warning workflow command per finding,
// which GitHub shows as an annotation on the file and line, and the summary
// as a plain log line. A finding about a whole file is annotated at its
// line without columns.
func writeGitHub(w io.Writer, fs []finding.Finding, st finding.Stats, o Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		line, col, end, whole := span(f)
		// The file must be the path as it is for the annotation to land
		// on the file; a name that cannot be printed lands on no file.
		file := f.Path
		if escape.Unprintable(file) {
			file = escape.Text(file)
		}
		props := fmt.Sprintf("file=%s,line=%d", escapeProperty(file), line)
		if !whole {
			props += fmt.Sprintf(",col=%d,endColumn=%d", col, end)
		}
		props += ",title=" + escapeProperty(string(f.RuleID))
		text := escape.Text(message(f, o) + verdict(f))
		if h := history(f); h != "" {
			text += "\n" + escape.Text(h)
		}
		fmt.Fprintf(bw, "::%s %s::%s\n", level(f.Severity), props, escapeData(text))
	}
	if !o.Quiet {
		fmt.Fprintln(bw, escape.Text(Summary(fs, st)))
	}
	return bw.Flush() // bufio keeps the first write error
}

// escapeData escapes the message of a workflow command.
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a property value of a workflow command, where ':'
// and ',' are delimiters.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
