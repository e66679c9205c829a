package analyzer_test

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/clarolint/clarolint/analyzer"
	"github.com/clarolint/clarolint/rules"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	if err := analysis.Validate([]*analysis.Analyzer{analyzer.Analyzer}); err != nil {
		t.Fatal(err)
	}
}

// TestDocTitle checks the title that go vet help and gopls show: lower
// case, no final period, under 60 characters.
func TestDocTitle(t *testing.T) {
	t.Parallel()
	title, _, _ := strings.Cut(analyzer.Analyzer.Doc, "\n")
	if title == "" || strings.ToLower(title[:1]) != title[:1] || strings.HasSuffix(title, ".") || len(title) >= 60 {
		t.Errorf("Doc title %q: want lower case, no final period, under 60 characters", title)
	}
}

// TestAnalyzer checks the reports (// want comments) and the fixes (.golden
// files) for each package under testdata/src. A package whose files have no
// .golden file must offer no fix: RunWithSuggestedFixes fails on a fix to a
// file without one.
func TestAnalyzer(t *testing.T) {
	t.Parallel()
	for _, pkg := range []string{
		"literal",               // literals and raw strings, in every place a value can go
		"concat",                // keys that constant folding assembles, across files
		"keys",                  // a key reported at its declaration, not at its uses
		"typed",                 // named string types: the fix converts to them
		"allow",                 // clarolint:allow on the line or alone above it
		"constdecl",             // const declarations: no fix, and the message says why
		"nested",                // operands of larger constants: no fix
		"imports",               // each way a file imports os, or does not
		"example.com/noimports", // a file without imports
		"leaf",                  // a package os might import: no fix
		"osname",                // a package that declares its own os: no fix
		"generated",             // generated files are checked, but not fixed
		"tables",                // string literals among long literals of other kinds
		"issue4",                // the example of issue 4
	} {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer, pkg)
		})
	}
}

// TestNotKeys checks that placeholders, Stripe keys, wrong lengths and
// boundaries, keys in comments, keys built from variables and keys in
// struct tags are not reported.
func TestNotKeys(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "placeholder", "structtag")
}

// TestPositions checks columns, which // want comments do not: a key that a
// literal spells out is reported exactly on its characters, and a key that
// folding assembles at the operand holding its first byte.
func TestPositions(t *testing.T) {
	t.Parallel()
	// In package concat, each key is told apart by the last 4 characters
	// that its redacted form shows.
	concatStarts := map[string]string{
		"dVOS": "prefix + body",
		"zcJX": "prefix + body2",
		"gZG1": `sk_live_" +`, // inside the literal, on the key's first byte
		"Ej76": `sk_" + "live_"`,
		"KizH": "string('s')",
	}
	results := analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "literal", "concat")
	var n int
	for _, r := range results {
		for _, d := range r.Diagnostics {
			n++
			start, end := r.Pass.Fset.Position(d.Pos), r.Pass.Fset.Position(d.End)
			src, err := os.ReadFile(start.Filename)
			if err != nil {
				t.Fatal(err)
			}
			text := src[start.Offset:end.Offset]
			if r.Pass.Pkg.Name() != "concat" {
				if !rules.IsKey(text) {
					t.Errorf("%s: report spans %q, want exactly the key", start, rules.Redact(text))
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
