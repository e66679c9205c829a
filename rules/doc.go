// Package rules is the single source of truth for what a Claro API key is:
// its exact format and boundaries, live versus test, the placeholder
// heuristics (entropy, sequential runs, repeating units, placeholder
// words), what a key looks like when it is encoded (base64,
// percent-encoding, JSON \u escapes, UTF-16 text), the rule IDs and
// severities, the .env file-name predicates, and how a key is shown
// (Redact, and RedactText for text that quotes a user's) and compared
// (Fingerprint).
//
// The scanner and the go/analysis analyzer both call it; neither keeps a
// second copy of the format. Package rules performs no I/O and imports only
// the standard library.
package rules
