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

// Analyzer reports string constants whose value holds a Claro API key, live
// or test, with the default entropy threshold: it is New(Options{}). It
// keeps no state between passes, so it is safe for concurrent use by any
// driver.
var Analyzer = New(Options{})

// Options configure an analyzer made by New. The zero value is Analyzer's
// configuration.
type Options struct {
	// IgnoreTestKeys leaves test keys (sk_test_, rule claro-test-key)
	// unreported; live keys are always reported.
	IgnoreTestKeys bool
	// MinEntropy is the entropy threshold in bits per character of a key's
	// body, as rules.Matcher.MinEntropy: zero means the default, a
	// negative value turns the entropy check off.
	MinEntropy float64
}

// New returns an analyzer named clarolint that reports the keys that opts
// select. Like Analyzer, it keeps no state between passes.
//
// It requires no other analyzer: it finds constants in the type checker's
// record of expressions rather than by walking the syntax, because under go
// vet -vettool it runs alone and a full walk (or building the inspector)
// would cost more than all of its own work.
func New(opts Options) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: "clarolint",
		Doc:  doc,
		URL:  "https://github.com/clarolint/clarolint#go-code-clarolint-vet",
		Run:  opts.run,
	}
}

const doc = `report hardcoded Claro API keys

The clarolint analyzer reports every string constant in Go source whose value
holds a Claro API key, sk_live_ or sk_test_ and 42 base62 characters, under
clarolint's rule IDs: claro-live-key for a live key, claro-test-key for a test
key (the report's category). It reads string literals, raw strings, and the
constant expressions that the type checker folds, such as prefix + "…" or named
and typed constants. A key in a named constant is reported once, at the
constant's declaration, not at its uses. Struct tags, comments and //go:embed
files hold no constant: they are the text scanner's job (clarolint scan),
which reads them as written. Like every analyzer, this one sees the files of
the build being checked: vet //go:build integration tests with go vet -tags
integration.

Where a literal is exactly a key, alone or as an operand of a concatenation,
outside a const declaration, the suggested fix replaces it with
os.Getenv("BAYT_API_KEY"), or os.Getenv("BAYT_TEST_API_KEY") for a test key,
and adds the import.

A comment holding clarolint:allow on the line, or alone on the line above,
suppresses the report. Messages show only the redacted key.`

// envVar returns the environment variable that the message and the fix name
// for a key of kind k. A test key has its own, so that a fix never points
// code that held a test key at the live one.
func envVar(k rules.Kind) string {
	if k == rules.Test {
		return "BAYT_TEST_API_KEY"
	}
	return "BAYT_API_KEY"
}

// constNote explains why a key in a const declaration has no fix.
const constNote = "; a const cannot call os.Getenv, so move it to a var or function"

// A candidate is an expression whose value holds at least one key.
type candidate struct {
	expr    ast.Expr
	val     string
	matches []rules.Match
}

// run reports the keys in the string constants of pass that o selects.
func (o Options) run(pass *analysis.Pass) (any, error) {
	w := &walker{pass: pass, matcher: rules.Matcher{MinEntropy: o.MinEntropy}, ignoreTest: o.IgnoreTestKeys}
	consts, operands := outermost(pass.TypesInfo)
	// Only the outermost constant is searched: its operands' bytes are in
	// its value, and reading each step of a long concatenation (tables of
	// data are written so) would take time quadratic in its length.
	var found []candidate
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

// outermost returns the string constants that the type checker folded and
// that may hold a key: string literals long enough to, concatenations, and
// conversions and calls of min and max; and the set of those that are
// operands of larger ones. A constant identifier, selector or
// parenthesised expression is never the node of a report: its key belongs
// to a declaration or to the expression inside.
//
// Types holds an entry for every expression of the package, in no order,
// and walking it is most of the analyzer's work. So the walk reads what its
// entries hold and nothing else: it notes string literals, and reads their
// syntax afterwards.
func outermost(info *types.Info) ([]stringConst, map[ast.Expr]bool) {
	var consts []stringConst
	var lits []*ast.BasicLit
	operands := map[ast.Expr]bool{} // string constants inside larger ones
	for e, tv := range info.Types {
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
			consts = append(consts, stringConst{e, info.Types[e].Value})
		}
	}
	return consts, operands
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
	pass       *analysis.Pass
	matcher    rules.Matcher
	ignoreTest bool // Options.IgnoreTestKeys
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
	matches := w.matcher.Find(w.buf)
	if w.ignoreTest {
		matches = slices.DeleteFunc(matches, func(m rules.Match) bool { return m.Kind == rules.Test })
	}
	if len(matches) > 0 {
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
				`; load it from the environment, e.g. os.Getenv("` + envVar(m.Kind) + `")`,
		}
		if inConst {
			d.Message += constNote
		} else {
			d.SuggestedFixes = w.fix(f, path, pieces, m)
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
