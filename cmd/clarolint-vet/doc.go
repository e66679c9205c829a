// Command clarolint-vet reports Claro API keys hardcoded in Go string
// constants. It runs the clarolint analyzer (see package analyzer) on its
// own and as a go vet tool:
//
//	clarolint-vet [-c N] [-json] [-fix [-diff]] [-test=false] [-tags list] packages
//	clarolint-vet -files [flags] file...
//	go vet -vettool=$(which clarolint-vet) [packages]
//
// Under go vet only this analyzer runs, not go vet's own suite. go vet
// exits 1 when there are reports; clarolint-vet run on its own exits 3.
// Both exit 1 when packages fail to load or type-check, and 0 otherwise;
// clarolint-vet exits 2 for a mistake in its command line. With -json,
// either prints the reports as one JSON object on standard output and
// exits 0 whatever it found, so a CI step that gates on keys must read the
// JSON or run the plain form too. -fix applies the suggested fixes (a
// literal that is exactly a key becomes os.Getenv("BAYT_API_KEY"), or
// os.Getenv("BAYT_TEST_API_KEY") for a test key), then reports the keys
// that no fix removed, such as keys in const declarations, and exits as a
// plain run would: 3 if any is left, 0 if none. -fix -diff shows the fixes
// instead, and exits 0. -tags sets build tags, as for go build.
//
// -files takes file names instead of packages, as the pre-commit hook
// passes them, and checks ./... of each Go module that holds one: the
// module of the nearest go.mod above the file, from that module's
// directory, so that go.mod need not be at the top of the repository. A
// module that a go.work file governs but does not use is checked on its
// own (GOWORK=off), as the go command refuses to load it there. A file in
// no module is named on standard error, with exit status 1.
//
// Nothing that clarolint-vet prints holds a full key: not the reports, the
// lines that -c shows around them, the diffs of -fix -diff, the JSON, nor
// the messages of the go command and the type checker, which quote the
// constants they complain about. The analyzer runs in a child process, the
// checker, whose standard output and error clarolint-vet reads and passes
// on with every run shaped like a key redacted, as sk_live_…Ab3x; under go
// vet, it also redacts the output file that go vet prints and caches. go
// vet's own -c flag is not passed to the tool: the go command prints those
// lines itself, from the files, keys and all.
//
// Run on its own, it analyzes each package together with its tests, so a
// non-test file of a package that has tests belongs to two packages, the
// package and its test variant. Both outputs list such a report once: the
// text output as singlechecker prints it, the -json output after
// clarolint-vet drops the copy under the test variant's ID. go vet
// analyzes each file once.
//
// The binary links only the analyzer, package rules, golang.org/x/tools and
// golang.org/x/mod (to read go.work files): never the scanner or its git
// code, nor the golangci-lint plugin.
package main
