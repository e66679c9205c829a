// Command clarolint-vet reports Claro API keys hardcoded in Go string
// constants. It runs the clarolint analyzer (see package analyzer) on its
// own and as a go vet tool:
//
//	go vet -vettool=$(which clarolint-vet) ./...
//	clarolint-vet [-json] [-fix [-diff]] [-test=false] [packages]
//
// Under go vet only this analyzer runs, not go vet's own suite. go vet
// exits 1 when there are reports; clarolint-vet run on its own exits 3.
// Both exit 1 when packages fail to load or type-check, and 0 otherwise.
// With -json, either prints the reports as one JSON object on standard
// output and exits 0 whatever it found, so a CI step that gates on keys
// must read the JSON or run the plain form too. -fix applies the suggested
// fixes (a literal that is exactly a key becomes os.Getenv("BAYT_API_KEY")),
// then reports the keys that no fix removed, such as keys in const
// declarations, and exits as a plain run would: 3 if any is left, 0 if
// none. -fix -diff shows the fixes instead, and exits 0.
//
// Run on its own, it analyzes each package together with its tests, so a
// non-test file of a package that has tests belongs to two packages, the
// package and its test variant. Both outputs list such a report once: the
// text output as singlechecker prints it, the -json output after
// clarolint-vet drops the copy under the test variant's ID. go vet
// analyzes each file once.
//
// The binary links only the analyzer, package rules and golang.org/x/tools:
// never the scanner or its git code.
package main
