// Package report writes scan findings for people and machines, and reads
// baselines.
//
// Write renders findings and scan statistics in four formats:
// text (one line per finding and a summary), json (the findings with the
// field names the README documents, and the stats), sarif (SARIF 2.1.0 for GitHub
// code scanning) and github (workflow commands that become pull-request
// annotations). ReadBaseline reads a json report back as a set of accepted
// findings, matched by fingerprint and path so that they survive line moves.
//
// No format ever holds a full key unless Options.ShowSecrets is set: reports
// show the redacted form (sk_live_…Ab3x), and compare keys by fingerprint.
// A key found encoded (base64, percent-encoding, JSON \u escapes, UTF-16)
// is shown at its encoded text, with its decoded key's redacted form and
// fingerprint; json findings and SARIF result properties name the encoding
// in "encoding", and the other formats in the message.
// The package does no scanning; its callers decide where output goes and
// whether it is coloured.
package report
