package analyzer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/clarolint/clarolint/analyzer"
	"github.com/clarolint/clarolint/rules"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	if err := analysis.Validate([]*analysis.Analyzer{analyzer.Analyzer, analyzer.New(analyzer.Options{IgnoreTestKeys: true})}); err != nil {
		t.Fatal(err)
	}
}

// TestDoc checks what go vet help, gopls and golangci-lint show: a title in
// lower case, with no final period, under 60 characters; a text that names
// the rule IDs; and the URL of the README's section.
func TestDoc(t *testing.T) {
	t.Parallel()
	a := analyzer.Analyzer
	title, _, _ := strings.Cut(a.Doc, "\n")
	if title == "" || strings.ToLower(title[:1]) != title[:1] || strings.HasSuffix(title, ".") || len(title) >= 60 {
		t.Errorf("Doc title %q: want lower case, no final period, under 60 characters", title)
	}
	for _, id := range []rules.RuleID{rules.LiveKey, rules.TestKey} {
		if !strings.Contains(a.Doc, string(id)) {
			t.Errorf("Doc does not name the rule %s", id)
		}
	}
	if want := "https://github.com/clarolint/clarolint#go-code-clarolint-vet"; a.URL != want {
		t.Errorf("URL = %q, want %q", a.URL, want)
	}
}

// TestAnalyzer checks the reports (// want comments) and the fixes (.golden
// files) for the packages under testdata/src, in one load so that they
// share its cost. A package whose files have no .golden file must offer no
// fix: RunWithSuggestedFixes fails on a fix to a file without one.
func TestAnalyzer(t *testing.T) {
	t.Parallel()
	// Packages have a path with a dot, like a module's, so that whether
	// they get a fix is decided by what the test is about: a package with
	// a dotless path may be one that os imports, and gets no fix (leaf).
	results := analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer,
		"example.com/literal",   // literals and raw strings, in every place a value can go
		"example.com/concat",    // keys that constant folding assembles, across files
		"example.com/operand",   // a key literal joined to other text: the fix replaces the literal
		"example.com/keys",      // a key reported at its declaration, not at its uses
		"example.com/typed",     // named string types: the fix converts to them
		"example.com/allow",     // clarolint:allow on the line or alone above it
		"example.com/constdecl", // const declarations: no fix, and the message says why
		"example.com/nested",    // operands of larger constants: no fix
		"example.com/noimports", // a file without imports
		"leaf",                  // a package os might import: no fix
		"example.com/osname",    // a package that declares its own os: no fix
		"example.com/generated", // generated files are checked, but not fixed
		"example.com/tables",    // string literals among long literals of other kinds
		"example.com/issue4",    // the example of issue 4
		"placeholder",           // placeholders, Stripe keys, wrong lengths and boundaries: nothing
		"structtag",             // struct tags hold no constant: nothing
	)
	t.Run("positions", func(t *testing.T) { checkPositions(t, results) })
	t.Run("golden files have fixes", func(t *testing.T) { checkFixed(t, results) })
}

// checkFixed checks that each file with a .golden file gets a fix:
// RunWithSuggestedFixes compares only the files that some fix edits, so a
// change that dropped every fix of a file would go unnoticed.
func checkFixed(t *testing.T, results []*analysistest.Result) {
	fixed := map[string]bool{}
	for _, r := range results {
		for _, d := range r.Diagnostics {
			for _, fix := range d.SuggestedFixes {
				for _, e := range fix.TextEdits {
					fixed[r.Action.Package.Fset.File(e.Pos).Name()] = true
				}
			}
		}
	}
	for _, r := range results {
		for _, name := range r.Action.Package.CompiledGoFiles {
			if _, err := os.Stat(name + ".golden"); err == nil && !fixed[name] {
				t.Errorf("%s has a .golden file but no fix", filepath.Base(name))
			}
		}
	}
}

// TestImports checks the fix in each way a file can import os. Its package
// imports os, which analysistest type-checks from source with all of its
// dependencies, which costs several times all the other analyzer tests
// together; so it runs with CLAROLINT_E2E=1, as in CI.
func TestImports(t *testing.T) {
	t.Parallel()
	if os.Getenv("CLAROLINT_E2E") != "1" {
		t.Skip("type-checks os and its dependencies from source, which takes seconds; set CLAROLINT_E2E=1 to run it")
	}
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer, "imports")
}

// TestOptions checks that New's options reach the matcher: test keys
// ignored, and the entropy check turned off.
func TestOptions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pkg  string
		opts analyzer.Options
	}{
		{"ignoretest", analyzer.Options{IgnoreTestKeys: true}},
		{"lowentropy", analyzer.Options{MinEntropy: -1}},
	} {
		t.Run(tt.pkg, func(t *testing.T) {
			t.Parallel()
			analysistest.Run(t, analysistest.TestData(), analyzer.New(tt.opts), tt.pkg)
		})
	}
}

// checkPositions checks columns, which // want comments do not: a key that
// a literal spells out is reported exactly on its characters, and a key
// that folding assembles at the operand holding its first byte.
func checkPositions(t *testing.T, results []*analysistest.Result) {
	// In package concat, each key is told apart by the last 4 characters
	// that its redacted form shows.
	concatStarts := map[string]string{
		"dVOS": "prefix + body",
		"zcJX": "prefix + body2",
		"gZG1": `sk_live_" +`, // inside the literal, on the key's first byte
		"Ej76": `sk_" + "live_"`,
		"KizH": "string('s')",
	}
	var n int
	for _, r := range results {
		name := r.Action.Package.Types.Name()
		if name != "literal" && name != "concat" {
			continue
		}
		for _, d := range r.Diagnostics {
			n++
			start, end := r.Action.Package.Fset.Position(d.Pos), r.Action.Package.Fset.Position(d.End)
			src, err := os.ReadFile(start.Filename)
			if err != nil {
				t.Fatal(err)
			}
			text := src[start.Offset:end.Offset]
			if name == "literal" {
				if !rules.IsKey(text) {
					t.Errorf("%s: report spans %q, want exactly the key", start, rules.RedactText(string(text)))
				}
				continue
			}
			_, shown, _ := strings.Cut(d.Message, "…")
			want, ok := concatStarts[shown[:min(len(shown), 4)]]
			if !ok || !strings.HasPrefix(string(src[start.Offset:]), want) {
				t.Errorf("%s: report %q does not start at %q", start, d.Message, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no reports to check")
	}
}
