package analyzer

import (
	"cmp"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/clarolint/clarolint/rules"
)

// Analyzer reports string constants whose value holds a Claro API key. It
// keeps no state between passes, so it is safe for concurrent use by any
// driver.
//
// It requires no other analyzer: it finds constants in the type checker's
// record of expressions rather than by walking the syntax, because under go
// vet -vettool it runs alone and a full walk (or building the inspector)
// would cost more than all of its own work.
var Analyzer = &analysis.Analyzer{
	Name: "clarolint",
	Doc:  doc,
	Run:  run,
}

const doc = `report hardcoded Claro API keys

The clarolint analyzer reports every string constant in Go source whose value
holds a Claro API key (sk_live_ or sk_test_ and 42 base62 characters): string
literals, raw strings, constant expressions that the type checker folds, such
as prefix + "…" or named and typed constants. A key in a named constant is
reported once, at the constant's declaration, not at its uses. Struct tags,
comments and //go:embed files hold no constant: they are the text scanner's
job (clarolint scan), which reads them as written. Like every analyzer, this
one sees the files of the build being checked: vet //go:build integration
tests with go vet -tags integration.

Where a literal is exactly a key outside a const declaration, the suggested
fix replaces it with os.Getenv("BAYT_API_KEY") and adds the import.

A comment holding clarolint:allow on the line, or alone on the line above,
suppresses the report. Messages show only the redacted key.`

const (
	// envVar is where the suggested fix reads the key from.
	envVar = "BAYT_API_KEY"
	// fixMessage names the suggested fix: a verb phrase, as gopls shows it.
	fixMessage = "Read the key from " + envVar
	// constNote explains why a key in a const declaration has no fix.
	constNote = "; a const cannot call os.Getenv, so move it to a var or function"
)

// A candidate is an expression whose value holds at least one key.
type candidate struct {
	expr    ast.Expr
	val     string
	matches []rules.Match
}

func run(pass *analysis.Pass) (any, error) {
	w := &walker{pass: pass}
	// Every string constant that the type checker folded is in Types. A
	// constant identifier, selector or parenthesised expression is never
	// the node of a report: its key belongs to a declaration or to the
	// expression inside.
	//
	// Types holds an entry for every expression of the package, in no
	// order, and walking it is most of the analyzer's work. So the walk
	// reads what its entries hold and nothing else: it notes string
	// literals, and reads their syntax afterwards.
	var consts []stringConst
	var lits []*ast.BasicLit
	var found []candidate
	operands := map[ast.Expr]bool{} // string constants inside larger ones
	for e, tv := range pass.TypesInfo.Types {
		if tv.Value == nil { // not a constant: most expressions
			continue
		}
		if lit, ok := e.(*ast.BasicLit); ok {
			if b, ok := tv.Type.(*types.Basic); ok {
				// Tables mix string and other literals in no order
				// that a branch could predict, so every literal of a
				// basic type is appended, and kept only if a string.
				lits = append(lits, lit)
				lits = lits[:len(lits)-1+int(b.Info()&types.IsString)/int(types.IsString)]
				continue
			}
		}
		if !isString(tv) {
			continue
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			lits = append(lits, e)
		case *ast.BinaryExpr:
			consts = append(consts, stringConst{e, tv.Value})
			operands[ast.Unparen(e.X)] = true
			operands[ast.Unparen(e.Y)] = true
		case *ast.CallExpr: // a conversion, or min or max
			consts = append(consts, stringConst{e, tv.Value})
			for _, arg := range e.Args {
				operands[ast.Unparen(arg)] = true
			}
		}
	}
	// A literal's value is never longer than its text inside the quotes, so
	// most literals are skipped by their length. The nodes lie wherever the
	// parser put them, so most reads miss the cache; in a loop that does
	// nothing else, the processor overlaps the misses.
	for _, e := range lits {
		if len(e.Value)-2 >= rules.KeyLen {
			consts = append(consts, stringConst{e, pass.TypesInfo.Types[e].Value})
		}
	}
	// Only the outermost constant is searched: its operands' bytes are in
	// its value, and reading each step of a long concatenation (tables of
	// data are written so) would take time quadratic in its length.
	for _, c := range consts {
		if !operands[c.expr] {
			found = w.appendKeys(found, c.expr, constant.StringVal(c.val))
		}
	}
	// Report in source order, as go vet users expect to read them.
	slices.SortFunc(found, func(a, b candidate) int { return cmp.Compare(a.expr.Pos(), b.expr.Pos()) })
	for _, c := range found {
		if f := w.fileOf(c.expr.Pos()); f != nil {
			w.report(f, c)
		}
	}
	return nil, nil
}

// A stringConst is an expression that the type checker folded to a string
// constant, and its value.
type stringConst struct {
	expr ast.Expr
	val  constant.Value
}

// isString reports whether tv, the type and value of a constant (its Value
// is set), is a string constant. It reads the type, not the value: the few types of a package stay in
// the cache, while each value lies wherever the type checker allocated it,
// and Types is walked in no order, so reading values would miss the cache
// once for each constant of the package (tables of numbers hold tens of
// thousands).
func isString(tv types.TypeAndValue) bool {
	if b, ok := tv.Type.(*types.Basic); ok { // nearly always: spare the call
		return b.Info()&types.IsString != 0
	}
	if b, ok := tv.Type.Underlying().(*types.Basic); ok {
		return b.Info()&types.IsString != 0
	}
	return tv.Value.Kind() == constant.String // a literal of a type parameter's type
}

// walker holds the pass for the helpers that report and fix.
type walker struct {
	pass    *analysis.Pass
	matcher rules.Matcher
	// buf holds the value being searched: Find takes bytes, and one
	// buffer for the pass spares a copy on the heap for every long
	// constant (tables of string data run to hundreds of kilobytes).
	buf []byte
}

// appendKeys appends e to found if its value val holds a key.
func (w *walker) appendKeys(found []candidate, e ast.Expr, val string) []candidate {
	if len(val) < rules.KeyLen {
		return found // most constants are short: skip the copy
	}
	w.buf = append(w.buf[:0], val...)
	if matches := w.matcher.Find(w.buf); len(matches) > 0 {
		found = append(found, candidate{expr: e, val: val, matches: matches})
	}
	return found
}

// report reports the keys of c, found in file f, unless an allow comment
// covers it.
func (w *walker) report(f *ast.File, c candidate) {
	// path runs from c.expr out to the file.
	path, _ := astutil.PathEnclosingInterval(f, c.expr.Pos(), c.expr.End())
	if len(path) == 0 || path[0] != c.expr || w.allowed(f, c.expr) {
		return
	}
	pieces := w.split(c.expr, 0, nil)
	inConst := inConstDecl(path)
	for _, m := range c.matches {
		if p := holder(pieces, m); p != nil && p.named {
			continue // reported at the named constant's declaration
		}
		key := []byte(c.val[m.Start:m.End])
		d := analysis.Diagnostic{
			Pos:      pos(pieces, m.Start, false),
			End:      pos(pieces, m.End, true),
			Category: string(m.Kind.Rule()),
			Message: "hardcoded Claro " + m.Kind.String() + " API key " + rules.Redact(key) +
				`; load it from the environment, e.g. os.Getenv("` + envVar + `")`,
		}
		switch {
		case inConst:
			d.Message += constNote
		case m.Start == 0 && m.End == len(c.val):
			d.SuggestedFixes = w.fix(f, path)
		}
		w.pass.Report(d)
	}
}

// fileOf returns the file of the pass that holds pos, or nil if a driver
// type-checked a file that it did not pass.
func (w *walker) fileOf(pos token.Pos) *ast.File {
	for _, f := range w.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// inConstDecl reports whether the expression at path[0] is part of a const
// declaration, where it must stay a constant.
func inConstDecl(path []ast.Node) bool {
	for _, n := range path {
		if gd, ok := n.(*ast.GenDecl); ok {
			return gd.Tok == token.CONST // the nearest declaration decides
		}
	}
	return false
}

// isStringConst reports whether the type checker folded e to a string
// constant.
func (w *walker) isStringConst(e ast.Expr) bool {
	tv := w.pass.TypesInfo.Types[e]
	return tv.Value != nil && isString(tv)
}

// conversionArg returns the operand of call if call is a conversion of a
// string constant to a string type, which keeps the value as it is.
func (w *walker) conversionArg(call *ast.CallExpr) (ast.Expr, bool) {
	if len(call.Args) != 1 || !w.pass.TypesInfo.Types[call.Fun].IsType() {
		return nil, false
	}
	return call.Args[0], w.isStringConst(call.Args[0])
}

// chosenArg returns the argument whose value the builtin min or max call
// returns, so that a key in a named constant passed to it is not reported
// again at the call.
func (w *walker) chosenArg(call *ast.CallExpr) (ast.Expr, bool) {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil, false
	}
	if b, ok := w.pass.TypesInfo.Uses[id].(*types.Builtin); !ok || (b.Name() != "min" && b.Name() != "max") {
		return nil, false
	}
	v := w.pass.TypesInfo.Types[call].Value
	for _, arg := range call.Args {
		if av := w.pass.TypesInfo.Types[arg].Value; av != nil && constant.Compare(av, token.EQL, v) {
			return arg, true
		}
	}
	return nil, false
}

// isNamedConst reports whether e names a constant: K or pkg.K.
func (w *walker) isNamedConst(e ast.Expr) bool {
	var id *ast.Ident
	switch e := e.(type) {
	case *ast.Ident:
		id = e
	case *ast.SelectorExpr:
		id = e.Sel
	default:
		return false
	}
	_, ok := w.pass.TypesInfo.Uses[id].(*types.Const)
	return ok
}
