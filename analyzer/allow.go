package analyzer

import (
	"bytes"
	"go/ast"
	"go/token"
	"strings"
)

// allowMarker in a comment suppresses reports, as it does for clarolint's
// text scanner.
const allowMarker = "clarolint:allow"

// allowed reports whether a comment holding allowMarker suppresses the keys
// in e: a comment on any line that e spans, or a comment alone on the line
// just above e. A comment that ends a line of code does not reach the next
// line, so that an allowed key does not hide the key below it.
func (w *walker) allowed(f *ast.File, e ast.Node) bool {
	tf := w.pass.Fset.File(e.Pos())
	first, last := tf.Line(e.Pos()), tf.Line(e.End())
	for _, g := range f.Comments {
		if tf.Line(g.Pos()) > last {
			break // f.Comments is sorted by position
		}
		if tf.Line(g.End()) < first-1 {
			continue
		}
		for _, c := range g.List {
			if !strings.Contains(c.Text, allowMarker) {
				continue
			}
			from, to := tf.Line(c.Pos()), tf.Line(c.End())
			if from <= last && to >= first || to == first-1 && w.aloneOnLine(tf, c) {
				return true
			}
		}
	}
	return false
}

// aloneOnLine reports whether only blanks precede comment c on its line.
func (w *walker) aloneOnLine(tf *token.File, c *ast.Comment) bool {
	src, err := w.pass.ReadFile(tf.Name())
	if err != nil || tf.Size() != len(src) {
		return false // cannot tell: report the key rather than hide it
	}
	start := tf.Offset(tf.LineStart(tf.Line(c.Pos())))
	return len(bytes.TrimLeft(src[start:tf.Offset(c.Pos())], " \t")) == 0
}
