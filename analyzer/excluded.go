package analyzer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// excluded reports the keys in the string literals of the package's Go
// files that build constraints leave out of this build: files for other
// systems, //go:build integration tests, //go:build ignore programs. go vet
// never type-checks them, yet a key there leaks all the same. Without the
// type checker only literals count, each on its own, and there is no fix.
func (w *walker) excluded() {
	for _, name := range w.pass.IgnoredFiles {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		src, err := w.pass.ReadFile(name)
		if err != nil || len(w.matcher.Find(src)) == 0 {
			continue // unreadable, or no key in the text: spare the parse
		}
		f, err := parser.ParseFile(w.pass.Fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue // not Go that this toolchain parses: no literal to trust
		}
		var found []candidate
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false // a path, not a value
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				if val, err := strconv.Unquote(n.Value); err == nil { // the parser checked the literal
					found = w.appendKeys(found, n, val, true)
				}
			}
			return true
		})
		for _, c := range found {
			w.report(f, c)
		}
	}
}
