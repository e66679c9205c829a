// Package config reads and validates .clarolint.yaml (the README's
// "Config" section documents the file): the entropy threshold, the
// allowed paths and fingerprints, the disabled rules, the file-size limit
// and the baseline. Validation is strict: an unknown field, a wrong type, a
// bad glob, an unknown rule or a value out of range is an error that names
// the file, the line and the column (a YAML syntax error names the file and
// quotes the parser), says what to do, and wraps ErrBadConfig. No error
// carries a key found in the file.
//
// Package config only turns one file into a validated Config. It does not
// walk or match files (the scanner does, with the globs validated here), it
// does not decide what a key is (package rules does), and it keeps no state
// between calls.
package config
