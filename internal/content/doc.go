// Package content reads one input at a time (a file, a blob, standard
// input) and finds the Claro keys in it: as themselves and encoded
// (base64, percent-encoding, JSON \u escapes), in UTF-16 text, and with an
// archive depth in the files of zip, gzip and tar archives. It reads
// through a fixed buffer, so a 10 MB line costs no more memory than a
// short one, and keys across buffer boundaries are found exactly as in
// one piece. A clarolint:allow marker on a key's line, or in a comment
// alone on the line above, drops the key.
//
// Package rules decides what a key is; this package only finds where keys
// are, and counts what it read in finding.Stats. It writes nothing but
// warnings, to the Warner its caller gives.
package content
