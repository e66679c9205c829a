package analyzer_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/types"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/clarolint/clarolint/analyzer"
)

var benchPkgs = flag.String("benchpkgs", "net/...", "package pattern that BenchmarkAnalyzer loads")

// BenchmarkAnalyzer compares, package by package, the analyzer's work with
// type-checking the same package, the work that every go vet run does
// first. It reports the ratio in percent for the whole set (analysis-%),
// and the median and worst per-package ratios among packages that take at
// least a millisecond to type-check (smaller ones are mostly timer noise).
//
// Each package is type-checked and then analyzed at once, as a driver does.
// The collector is off while the timers run and collects between rounds,
// untimed: otherwise the type checker's garbage, nearly all there is, would
// be collected during whichever phase happened to be running. Type checking
// thus goes without its collection cost, which if anything overstates the
// ratio. Bytes are the packages' Go source. scripts/bench-vet.sh times the
// whole of go vet instead.
//
//	go test -run '^$' -bench Analyzer ./analyzer -benchpkgs 'net/...'
func BenchmarkAnalyzer(b *testing.B) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
			packages.NeedTypesSizes | packages.NeedTypesInfo | packages.NeedImports,
		Env: append(os.Environ(), "CGO_ENABLED=0"), // pure Go: no cgo-generated files in the timing
	}
	pkgs, err := packages.Load(cfg, *benchPkgs)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			b.Fatalf("load %s: %v", p.PkgPath, p.Errors[0])
		}
		for _, f := range p.Syntax {
			size += int64(p.Fset.File(f.FileStart).Size())
		}
	}

	check := make([]time.Duration, len(pkgs))
	analyze := make([]time.Duration, len(pkgs))
	var reports int
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range pkgs {
			t0 := time.Now()
			tpkg, info := typeCheck(b, p)
			t1 := time.Now()
			reports += runAnalyzer(b, p, tpkg, info)
			check[i] += t1.Sub(t0)
			analyze[i] += time.Since(t1)
		}
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
	}
	if reports > 0 {
		b.Logf("%d reports in %s", reports, *benchPkgs) // keys in the Go distribution would be news
	}

	var total, totalCheck time.Duration
	var ratios []float64
	for i := range pkgs {
		total += analyze[i]
		totalCheck += check[i]
		if check[i] >= time.Millisecond*time.Duration(b.N) {
			ratios = append(ratios, 100*float64(analyze[i])/float64(check[i]))
		}
	}
	b.ReportMetric(100*float64(total)/float64(totalCheck), "analysis-%")
	if len(ratios) > 0 {
		slices.Sort(ratios)
		b.ReportMetric(ratios[len(ratios)/2], "median-pkg-%")
		b.ReportMetric(ratios[len(ratios)-1], "worst-pkg-%")
	}
	b.ReportMetric(float64(len(pkgs)), "pkgs")
}

// typeCheck type-checks p's syntax again, against the same imports and with
// the same Info maps that the go vet driver fills.
func typeCheck(b *testing.B, p *packages.Package) (*types.Package, *types.Info) {
	info := &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Instances:    make(map[*ast.Ident]types.Instance),
		Scopes:       make(map[ast.Node]*types.Scope),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*ast.File]string),
	}
	conf := types.Config{
		Importer: importer(func(path string) (*types.Package, error) {
			if imp := p.Imports[path]; imp != nil {
				return imp.Types, nil
			}
			return nil, fmt.Errorf("import %s: not among the imports of %s", path, p.PkgPath)
		}),
		Sizes: p.TypesSizes,
	}
	tpkg, err := conf.Check(p.PkgPath, p.Fset, p.Syntax, info)
	if err != nil {
		b.Fatalf("type-check %s: %v", p.PkgPath, err)
	}
	return tpkg, info
}

// runAnalyzer runs the analyzer over one type-checked package as a driver
// would, and returns the number of reports. The analyzer requires no other
// analyzer, so there are no results to pass on.
func runAnalyzer(b *testing.B, p *packages.Package, tpkg *types.Package, info *types.Info) int {
	var reports int
	pass := &analysis.Pass{
		Analyzer:   analyzer.Analyzer,
		Fset:       p.Fset,
		Files:      p.Syntax,
		Pkg:        tpkg,
		TypesInfo:  info,
		TypesSizes: p.TypesSizes,
		Report:     func(analysis.Diagnostic) { reports++ },
		ReadFile:   os.ReadFile,
	}
	if _, err := analyzer.Analyzer.Run(pass); err != nil {
		b.Fatalf("analyze %s: %v", p.PkgPath, err)
	}
	return reports
}

// importer adapts a function to types.Importer.
type importer func(path string) (*types.Package, error)

func (f importer) Import(path string) (*types.Package, error) { return f(path) }
