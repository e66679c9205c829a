package analyzer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"strconv"
	"unicode/utf8"

	"github.com/clarolint/clarolint/rules"
)

// A piece is an operand that supplies the bytes [start, end) of the value of
// a constant expression: a string literal, a named constant, or an
// expression that is not split further (such as string(rune(115))).
type piece struct {
	expr       ast.Expr
	start, end int
	named      bool          // expr names a constant, whose declaration reports its keys
	lit        *ast.BasicLit // expr as a string literal, or nil
}

// split appends to dst the pieces of the string constant e, whose value
// starts at offset off of the whole value. It sees through parentheses,
// concatenation, conversions between string types and the builtins min and
// max, which are all the ways the type checker folds string constants.
func (w *walker) split(e ast.Expr, off int, dst []piece) []piece {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op == token.ADD && w.isStringConst(x.X) && w.isStringConst(x.Y) {
			dst = w.split(x.X, off, dst)
			// The right operand starts where the left one's pieces end,
			// which spares reading the value of each step of a long chain.
			return w.split(x.Y, dst[len(dst)-1].end, dst)
		}
	case *ast.CallExpr:
		if arg, ok := w.conversionArg(x); ok {
			return w.split(arg, off, dst)
		}
		if arg, ok := w.chosenArg(x); ok {
			return w.split(arg, off, dst)
		}
	}
	val := constant.StringVal(w.pass.TypesInfo.Types[e].Value)
	p := piece{expr: e, start: off, end: off + len(val), named: w.isNamedConst(e)}
	if lit, ok := e.(*ast.BasicLit); ok {
		p.lit = lit // a literal with a string value is a string literal
	}
	return append(dst, p)
}

// holder returns the piece that holds the whole of match m, or nil if m
// spans several pieces.
func holder(pieces []piece, m rules.Match) *piece {
	for i := range pieces {
		if p := &pieces[i]; p.start <= m.Start && m.End <= p.end {
			return p
		}
	}
	return nil
}

// pos returns where value offset off of a constant made of pieces lies in
// the source. If a string literal spells out the byte, it is the position of
// that byte's source text inside the literal, so that a key in a long or
// multi-line literal is reported on its own line and column. Otherwise it is
// the start of the piece supplying the byte (its end, when end is set, for
// off as an exclusive end offset).
func pos(pieces []piece, off int, end bool) token.Pos {
	for _, p := range pieces {
		inside := p.start <= off && off < p.end
		if end {
			inside = p.start < off && off <= p.end
		}
		if !inside {
			continue
		}
		switch {
		case p.lit != nil:
			return p.lit.Pos() + token.Pos(sourceOffset(p.lit.Value, off-p.start))
		case end:
			return p.expr.End()
		default:
			return p.expr.Pos()
		}
	}
	// split gives every operand its recorded value, so the pieces tile the
	// whole value and every offset of a match lies in one of them.
	panic("analyzer: value offset outside the constant's pieces")
}

// sourceOffset returns the byte offset in lit, the source text of a string
// literal with its quotes, at which the text for byte n of its value
// starts; n == len(value) gives the offset of the closing quote. It undoes
// escapes in interpreted literals and the carriage returns that raw
// literals drop.
func sourceOffset(lit string, n int) int {
	body := lit[1 : len(lit)-1]
	if lit[0] == '`' {
		v := 0
		for i := 0; i < len(body); i++ {
			if body[i] == '\r' {
				continue
			}
			if v == n {
				return 1 + i
			}
			v++
		}
		return len(lit) - 1
	}
	v := 0
	for s := body; s != ""; {
		if v >= n {
			return len(lit) - 1 - len(s)
		}
		r, multibyte, tail, err := strconv.UnquoteChar(s, '"')
		if err != nil {
			break // the type checker accepted the literal, so this does not happen
		}
		switch {
		case !multibyte:
			v++ // an ASCII character, or a byte from \x or octal
		case s[0] == '\\':
			v += utf8.RuneLen(r) // \u or \U
		default:
			v += len(s) - len(tail) // UTF-8 text, copied as it is
		}
		s = tail
	}
	return len(lit) - 1
}
