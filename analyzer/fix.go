package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/clarolint/clarolint/rules"
)

// fix returns the suggested fix for key m of path[0], an outermost string
// constant made of pieces, outside a const declaration. Where one literal
// spells out exactly the key, as the whole constant or as an operand of a
// concatenation ("Bearer " + "sk_live_…"), the fix replaces that literal
// with a call of os.Getenv, named for the key's kind, and adds the import;
// the rest of the expression stays as it was and stops being a constant.
// It returns nil wherever the result might not compile, or would not last.
func (w *walker) fix(f *ast.File, path []ast.Node, pieces []piece, m rules.Match) []analysis.SuggestedFix {
	p := holder(pieces, m)
	if p == nil || p.lit == nil || p.start != m.Start || p.end != m.End {
		return nil // a key from several operands, or a literal that holds more than the key
	}
	typ, converted, ok := w.operandOf(path[0].(ast.Expr), p.lit)
	if !ok || w.insideConstant(path) {
		return nil // min or max on the way, or a place that needs a constant
	}
	if ast.IsGenerated(f) {
		return nil // the next generation would undo the edit, and drivers discard it
	}
	lit := p.lit
	scope := w.pass.TypesInfo.Scopes[f].Innermost(lit.Pos())
	getenv, edits, ok := w.getenv(f, scope, lit.Pos())
	if !ok {
		return nil
	}
	call := getenv + `("` + envVar(m.Kind) + `")`
	if !converted {
		// The literal stood for a value of the type typ; a conversion
		// around it already turns a string into that type.
		if call, ok = w.convert(f, scope, typ, lit.Pos(), call); !ok {
			return nil
		}
	}
	edits = append(edits, analysis.TextEdit{Pos: lit.Pos(), End: lit.End(), NewText: []byte(call)})
	return []analysis.SuggestedFix{{Message: "Read the key from " + envVar(m.Kind), TextEdits: edits}}
}

// operandOf reports whether lit is e, or an operand of e through
// parentheses, concatenations and conversions to string types only (the
// shapes that stay valid when lit stops being a constant). It returns the
// type that lit's value took there, and whether a conversion wraps lit
// itself. The builtins min and max are refused: the value they chose
// would be lost.
//
// The type is that of the innermost typed expression that holds lit: the
// type checker leaves the operands of a constant concatenation untyped
// ("Bearer " + "sk_live_…" in a var of type Secret), and only the
// expressions that leave constant arithmetic, or conversions, get a type.
func (w *walker) operandOf(e ast.Expr, lit *ast.BasicLit) (typ types.Type, converted, ok bool) {
	for {
		e = ast.Unparen(e)
		if t := w.pass.TypesInfo.TypeOf(e); !isUntyped(t) {
			typ = t
		}
		switch x := e.(type) {
		case *ast.BasicLit:
			return typ, converted, x == lit
		case *ast.BinaryExpr:
			if x.Op != token.ADD {
				return nil, false, false
			}
			e, converted = x.Y, false
			if lit.Pos() < x.OpPos {
				e = x.X
			}
		case *ast.CallExpr:
			arg, ok := w.conversionArg(x)
			if !ok {
				return nil, false, false
			}
			e, converted = arg, true
		default:
			return nil, false, false
		}
	}
}

// isUntyped reports whether t is an untyped basic type, such as that of a
// constant expression that is an operand of another.
func isUntyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}

// insideConstant reports whether the expression at path[0] is an operand of
// a larger constant, as in len("…") or "…" == s0 with s0 a constant: a call
// there could break an array length or a const elsewhere.
func (w *walker) insideConstant(path []ast.Node) bool {
	for _, n := range path[1:] {
		e, ok := n.(ast.Expr)
		if !ok {
			return false
		}
		if _, paren := e.(*ast.ParenExpr); !paren {
			return w.pass.TypesInfo.Types[e].Value != nil
		}
	}
	return false
}

// getenv returns how the file can call os.Getenv at pos, and the edit that
// adds the import if one is needed. It fails where os cannot be named.
func (w *walker) getenv(f *ast.File, scope *types.Scope, pos token.Pos) (string, []analysis.TextEdit, bool) {
	for _, spec := range f.Imports {
		pn := w.pass.TypesInfo.PkgNameOf(spec)
		if pn == nil || pn.Imported().Path() != "os" {
			continue
		}
		switch pn.Name() {
		case "_":
			// A blank import does not name the package; add a named one.
		case ".":
			if _, obj := scope.LookupParent("Getenv", pos); obj != nil && obj.Pkg() == pn.Imported() {
				return "Getenv", nil, true
			}
		default:
			if _, obj := scope.LookupParent(pn.Name(), pos); obj == pn {
				return pn.Name() + ".Getenv", nil, true
			}
		}
	}
	if _, obj := scope.LookupParent("os", pos); obj != nil || !w.mayImportOS() {
		return "", nil, false // the name os is taken here, or the import could make a cycle
	}
	return "os.Getenv", importEdits(f, w.pass.Fset.File(f.FileStart)), true
}

// mayImportOS reports whether importing os cannot create an import cycle.
// os imports only standard packages, which belong to no module (drivers
// give them a nil or empty Module) and have no dot in their path's first
// element; any other package is safe, and so is one that already depends on
// os. A package loaded in GOPATH mode belongs to no module either, so one
// with a dotless path is judged like a standard one.
func (w *walker) mayImportOS() bool {
	if w.pass.Module != nil && w.pass.Module.Path != "" || !standard(w.pass.Pkg.Path()) {
		return true
	}
	seen := map[*types.Package]bool{}
	queue := w.pass.Pkg.Imports()
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.Path() == "os" {
			return true
		}
		if !seen[p] {
			seen[p] = true
			queue = append(queue, p.Imports()...)
		}
	}
	return false
}

// convert wraps call, a string, so that it has type typ, the type that a
// literal took at pos: string, or a named string type such as a field's.
// It fails for no type (an untyped constant, which only a constant context
// keeps) and for a type that the file cannot name at pos.
func (w *walker) convert(f *ast.File, scope *types.Scope, typ types.Type, pos token.Pos, call string) (string, bool) {
	var obj *types.TypeName
	switch t := types.Unalias(typ).(type) {
	case *types.Basic:
		return call, t.Kind() == types.String
	case *types.Named:
		if t.TypeArgs().Len() > 0 {
			return "", false // an instance would need its type arguments spelled out
		}
		obj = t.Obj()
	case *types.TypeParam:
		obj = t.Obj()
	default:
		return "", false
	}
	name, ok := w.typeName(f, scope, obj, pos)
	return name + "(" + call + ")", ok
}

// typeName returns how the file refers to the type obj at pos: by its name
// if that is in scope there (declared in the package or dot-imported), or
// qualified by the name the file imports its package under.
func (w *walker) typeName(f *ast.File, scope *types.Scope, obj *types.TypeName, pos token.Pos) (string, bool) {
	if _, found := scope.LookupParent(obj.Name(), pos); found == obj {
		return obj.Name(), true
	}
	if obj.Pkg() == nil || obj.Pkg() == w.pass.Pkg || !obj.Exported() {
		return "", false // shadowed, or not reachable by name from here
	}
	for _, spec := range f.Imports {
		pn := w.pass.TypesInfo.PkgNameOf(spec)
		if pn == nil || pn.Imported() != obj.Pkg() {
			continue
		}
		if _, found := scope.LookupParent(pn.Name(), pos); found == pn {
			return pn.Name() + "." + obj.Name(), true
		}
	}
	return "", false
}

// importEdits add import "os" to f: into the first import group, among the
// standard imports in sorted order; else by turning a lone import into a
// group; else after the package clause. They never come between a cgo
// preamble and import "C". Every fix in a file adds the same edits, which
// the drivers' merge coalesces into one import.
func importEdits(f *ast.File, tf *token.File) []analysis.TextEdit {
	insert := func(at token.Pos, text string) analysis.TextEdit {
		return analysis.TextEdit{Pos: at, End: at, NewText: []byte(text)}
	}
	var last *ast.GenDecl
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			break // imports precede all other declarations
		}
		if gd.Lparen.IsValid() && !importsC(gd) {
			at, text := groupInsert(f, tf, gd)
			return []analysis.TextEdit{insert(at, text)}
		}
		last = gd
	}
	switch {
	case last == nil:
		return []analysis.TextEdit{insert(lineEnd(f, tf, f.Name.End()), "\n\nimport \"os\"")}
	case last.Lparen.IsValid() || importsC(last):
		return []analysis.TextEdit{insert(lineEnd(f, tf, last.End()), "\nimport \"os\"")}
	}
	spec := last.Specs[0].(*ast.ImportSpec)
	open, close := "(\n\t", "\n)"
	switch path := importPath(spec); {
	case !standard(path):
		open += "\"os\"\n\n\t"
	case path > "os":
		open += "\"os\"\n\t"
	default:
		close = "\n\t\"os\"" + close
	}
	return []analysis.TextEdit{insert(spec.Pos(), open), insert(lineEnd(f, tf, spec.End()), close)}
}

// groupInsert returns where and what to insert to add "os" to the import
// group gd: before the first standard import that sorts after it, else
// after the last standard import, else before all imports.
func groupInsert(f *ast.File, tf *token.File, gd *ast.GenDecl) (token.Pos, string) {
	if len(gd.Specs) == 0 {
		return gd.Lparen + 1, "\n\t\"os\"\n"
	}
	var after *ast.ImportSpec
	for _, s := range gd.Specs {
		spec := s.(*ast.ImportSpec)
		switch path := importPath(spec); {
		case !standard(path):
			continue // gofmt and goimports keep other imports after the standard ones
		case path > "os":
			return specStart(spec), "\"os\"\n\t"
		}
		after = spec
	}
	if after != nil {
		return lineEnd(f, tf, after.End()), "\n\t\"os\""
	}
	return specStart(gd.Specs[0].(*ast.ImportSpec)), "\"os\"\n\n\t"
}

// importPath returns the path that spec imports.
func importPath(spec *ast.ImportSpec) string {
	path, _ := strconv.Unquote(spec.Path.Value) // the parser checked the literal
	return path
}

// standard reports whether path looks like a standard-library path: no dot
// in its first element.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// specStart returns where an import spec's lines start: at its doc comment
// if it has one.
func specStart(spec *ast.ImportSpec) token.Pos {
	if spec.Doc != nil {
		return spec.Doc.Pos()
	}
	return spec.Pos()
}

// importsC reports whether gd imports "C", whose preamble must stay right
// above it.
func importsC(gd *ast.GenDecl) bool {
	for _, s := range gd.Specs {
		if importPath(s.(*ast.ImportSpec)) == "C" {
			return true
		}
	}
	return false
}

// lineEnd returns the position after the comments that follow pos on its
// line, so that an insertion there leaves a trailing comment where it was.
// A block comment that runs on to a later line ends the line already.
func lineEnd(f *ast.File, tf *token.File, pos token.Pos) token.Pos {
	line := tf.Line(pos)
	for _, g := range f.Comments {
		for _, c := range g.List {
			if c.Pos() >= pos && tf.Line(c.Pos()) == line && tf.Line(c.End()) == line {
				pos = c.End()
			}
		}
	}
	return pos
}
