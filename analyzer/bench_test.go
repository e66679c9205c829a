package analyzer_test

import (
	"cmp"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/clarolint/clarolint/analyzer"
)

var benchPkgs = flag.String("benchpkgs", "net/...", "package patterns, separated by spaces, that BenchmarkAnalyzer loads")

// BenchmarkAnalyzer compares, package by package, the analyzer's work with
// type-checking the same package, the work that every go vet run does
// first. It reports the ratio in percent for the whole set (analysis-%),
// and the median and worst per-package ratios among packages that take at
// least a millisecond to type-check (smaller ones are mostly timer noise),
// and logs the packages with the highest ratios.
//
// Each round does for each package what a go vet driver does: it parses
// the package's files from source held in memory, type-checks them and runs
// the analyzer at once, so that the syntax and the type checker's records
// are as fresh in the cache as they are under go vet. Only type-checking
// and the analyzer are timed for the ratios; bytes (and so ns/op) count
// parsing too. The collector is off during a round and collects between
// rounds: otherwise the type checker's garbage, nearly all there is, would
// be collected during whichever phase happened to be running. Type checking
// thus goes without its collection cost, which if anything overstates the
// ratio. scripts/bench-vet.sh times the whole of go vet instead.
//
//	go test -run '^$' -bench Analyzer ./analyzer -benchpkgs 'net/...'
func BenchmarkAnalyzer(b *testing.B) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedCompiledGoFiles | packages.NeedTypes |
			packages.NeedTypesSizes | packages.NeedImports | packages.NeedDeps,
		Env: append(os.Environ(), "CGO_ENABLED=0"), // pure Go: no cgo-generated files in the timing
	}
	pkgs, err := packages.Load(cfg, strings.Fields(*benchPkgs)...)
	if err != nil {
		b.Fatal(err)
	}
	srcs := make([][][]byte, len(pkgs))
	var size int64
	for i, p := range pkgs {
		if len(p.Errors) > 0 {
			b.Fatalf("load %s: %v", p.PkgPath, p.Errors[0])
		}
		for _, name := range p.CompiledGoFiles {
			src, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			srcs[i] = append(srcs[i], src)
			size += int64(len(src))
		}
	}

	// The fastest round of each package is its time: the work is the same
	// in every round, and what other processes and interrupts add to it
	// is noise, which at tens of microseconds per package would decide
	// the per-package ratios.
	check := make([]time.Duration, len(pkgs))
	analyze := make([]time.Duration, len(pkgs))
	fastest := func(d *time.Duration, t time.Duration) {
		if *d == 0 || t < *d {
			*d = t
		}
	}
	var reports int
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range pkgs {
			fset, files := parse(b, p, srcs[i])
			t0 := time.Now()
			tpkg, info := typeCheck(b, p, fset, files)
			t1 := time.Now()
			reports += runAnalyzer(b, p, fset, files, tpkg, info)
			fastest(&check[i], t1.Sub(t0))
			fastest(&analyze[i], time.Since(t1))
		}
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
	}
	if reports > 0 {
		b.Logf("%d reports in %s", reports, *benchPkgs) // keys in the Go distribution would be news
	}

	type ratio struct {
		pkg     string
		percent float64
	}
	var total, totalCheck time.Duration
	var ratios []ratio
	for i, p := range pkgs {
		total += analyze[i]
		totalCheck += check[i]
		if check[i] >= time.Millisecond {
			ratios = append(ratios, ratio{p.PkgPath, 100 * float64(analyze[i]) / float64(check[i])})
		}
	}
	b.ReportMetric(100*float64(total)/float64(totalCheck), "analysis-%")
	if len(ratios) > 0 {
		slices.SortFunc(ratios, func(a, b ratio) int { return cmp.Compare(b.percent, a.percent) })
		b.ReportMetric(ratios[len(ratios)/2].percent, "median-pkg-%")
		b.ReportMetric(ratios[0].percent, "worst-pkg-%")
		for _, r := range ratios[:min(len(ratios), 5)] {
			b.Logf("%5.2f%% %s", r.percent, r.pkg)
		}
	}
	b.ReportMetric(float64(len(pkgs)), "pkgs")
}

// parse parses p's files from srcs, as a driver parses them before
// type-checking.
func parse(b *testing.B, p *packages.Package, srcs [][]byte) (*token.FileSet, []*ast.File) {
	fset := token.NewFileSet()
	files := make([]*ast.File, len(srcs))
	for i, src := range srcs {
		f, err := parser.ParseFile(fset, p.CompiledGoFiles[i], src, parser.ParseComments)
		if err != nil {
			b.Fatal(err)
		}
		files[i] = f
	}
	return fset, files
}

// typeCheck type-checks files, the syntax of p, against p's imports and
// with the same Info maps that the go vet driver fills.
func typeCheck(b *testing.B, p *packages.Package, fset *token.FileSet, files []*ast.File) (*types.Package, *types.Info) {
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
	tpkg, err := conf.Check(p.PkgPath, fset, files, info)
	if err != nil {
		b.Fatalf("type-check %s: %v", p.PkgPath, err)
	}
	return tpkg, info
}

// runAnalyzer runs the analyzer over one type-checked package as a driver
// would, and returns the number of reports. The analyzer requires no other
// analyzer, so there are no results to pass on.
func runAnalyzer(b *testing.B, p *packages.Package, fset *token.FileSet, files []*ast.File, tpkg *types.Package, info *types.Info) int {
	var reports int
	pass := &analysis.Pass{
		Analyzer:   analyzer.Analyzer,
		Fset:       fset,
		Files:      files,
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
