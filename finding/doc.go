// Package finding holds what every part of clarolint shares about a scan's
// results: a Finding (a key, or a problem with a file or repository, at a
// position, with its rule and a redacted key), the Stats that say what
// was read and what was passed over, the order reports sort findings in,
// and what verification learnt of a key. It is a leaf: it imports only
// package rules (for rule IDs, severities and the redacting Secret), so
// that reports and the analyzer can use it without linking git or HTTP
// code. It performs no I/O.
package finding
