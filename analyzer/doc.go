// Package analyzer provides the clarolint go/analysis Analyzer, which
// reports Claro API keys hardcoded in Go string constants. Package rules
// makes every decision about what a key is; this package only finds the
// constants, places the reports and builds the fixes. It never imports the
// scanner, so that a go vet tool built from it links no git code, and it
// reads no files but the Go sources that its driver hands it.
//
// # Analyzer clarolint
//
// clarolint: report hardcoded Claro API keys
//
// The analyzer reads the value of every string constant that the type
// checker knows: literals, raw strings, and the constant expressions that
// it folds, such as concatenations of named constants declared in other
// files, typed constants and conversions between string types. Each key
// in a value is reported once, at the outermost constant expression that
// holds it, never once per operand. The message shows the key redacted,
// and the report's category is clarolint's rule ID: claro-live-key for a
// live key (sk_live_), claro-test-key for a test key (sk_test_). The
// analyzer's URL is the README's section on it,
// https://github.com/clarolint/clarolint#go-code-clarolint-vet.
//
//	hardcoded Claro live API key sk_live_…Ab3x; load it from the environment, e.g. os.Getenv("BAYT_API_KEY")
//
// Reported:
//
//	var key = "sk_live_…"                 // fix: os.Getenv("BAYT_API_KEY")
//	fmt.Println(`sk_test_…`)              // a test key, as claro-test-key; fix: os.Getenv("BAYT_TEST_API_KEY")
//	auth := "Bearer " + "sk_live_…"       // fix: "Bearer " + os.Getenv("BAYT_API_KEY")
//	const key = "sk_live_…"               // no fix: the message adds "a const cannot call os.Getenv, so move it to a var or function"
//	const prefix = "sk_live_"             // (not a key by itself)
//	var key = prefix + "3gRE…"            // reported once, at prefix, where the key starts
//	var cfg = Config{Key: "sk_live_…"}    // Key has type Secret: fix Secret(os.Getenv("BAYT_API_KEY"))
//	var n = len("sk_live_…")              // an operand of a larger constant: no fix
//	// and any of these in a file marked "Code generated … DO NOT EDIT.": reported, not fixed
//
// Not reported:
//
//	var key = K                           // K's key is reported at K's declaration only
//	var key = "sk_live_your…"             // placeholders, Stripe keys and other lengths: package rules says no
//	var key = "sk_live_…" //clarolint:allow
//	p := "sk_live_"; key := p + "3gRE…"   // p is a variable, so nothing is folded
//	"sk_live_…" + "Z"                     // the value has 43 characters after the prefix, so it holds no key
//	var key = "sk_live_…"                 // in a file that build constraints exclude (see below)
//	Key string `default:"sk_live_…"`      // a struct tag
//	// sk_live_… in a comment, or in a //go:embed file
//
// Struct tags, comments and embedded files hold no constant: they are the
// text scanner's job (clarolint scan), which reads them as written. So are
// keys in dependencies: a key in a named constant of a package that is not
// analyzed is not reported where it is used.
//
// # Build constraints
//
// Like every analyzer, this one sees the files of the build being checked,
// and no others: a file for another system, or a //go:build integration
// test, is checked only by a build that includes it, such as go vet -tags
// integration ./... or GOOS=windows go vet ./.... It does not read the
// excluded files on its own, for two reasons. go vet caches each package's
// result under a key made from the files it builds, so a key added to an
// excluded file would go unreported until another file of the package
// changed; and in packages with many per-system files, such as syscall,
// reading them cost up to a fifth of type-checking the package. clarolint
// scan, the text scanner, reads every file, excluded or not.
//
// # Positions
//
// Where a string literal spells out the first character of a key, the
// report starts at that character inside the literal, so a key on the
// fifth line of a raw string is reported on that line and column.
// Otherwise (the key starts in a named constant or another operand), it
// starts at that operand. It ends in the same way, at the key's last
// character or at the end of the operand that supplies it.
//
// # Suggested fixes
//
// Where one string literal spells out exactly a key, either as the whole
// outermost constant or as an operand of a concatenation in it (perhaps
// converted to a string type), the fix replaces the literal with
// os.Getenv("BAYT_API_KEY"), or os.Getenv("BAYT_TEST_API_KEY") for a test
// key, converted to the type the literal's value had there, and imports
// os: into the file's import group, by turning a lone import into a group,
// or after the package clause. A file that imports os under another name,
// or with a dot, keeps it. The rest of a concatenation stays as it was
// ("Bearer " + os.Getenv("BAYT_API_KEY")) and stops being a constant, so
// there is no fix wherever it must stay one:
//
//   - in a const declaration, which cannot call a function (the message
//     says so);
//   - where the constant is an operand of a larger constant, such as
//     len("…") in an array length or a comparison of two constants, or
//     where it is untyped, which only a constant context keeps;
//   - behind the builtins min or max, whose choice would be lost;
//
// nor where the fix would not last or might not compile:
//
//   - for a key that the literal holds among other text, or that several
//     operands put together;
//   - in a generated file, where the next generation would undo it (and
//     the drivers discard such fixes);
//   - where the name os is declared, or the package's os import hidden, at
//     the literal; or where the literal's type cannot be named there;
//   - in a package that belongs to no module and has a path like a
//     standard package's (no dot in its first element), unless it already
//     depends on os: os might import it, and the import would be a cycle.
//
// # Options
//
// New makes an analyzer with other settings than Analyzer's: Options can
// leave test keys unreported, or change the entropy threshold below which
// a key's body is taken for a placeholder. The golangci-lint plugin (package
// github.com/clarolint/clarolint/golangci) builds its analyzer so.
//
// # Allowing a key
//
// A comment holding clarolint:allow, such as //clarolint:allow,
// // clarolint:allow and a reason, or /* clarolint:allow */, suppresses the
// keys of a constant expression when it stands on one of the expression's
// lines, or alone on the line just above it. A comment that ends a line of
// code does not reach the line below, so that allowing one key never hides
// the next.
package analyzer
