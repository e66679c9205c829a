// Package escape makes text from a repository (file names, ref names,
// messages that quote them) safe to print where clarolint's output lands:
// a terminal, a CI log that reads workflow commands, a Markdown job
// summary. A hostile repository controls those names, so every line
// clarolint prints passes its names through here. It performs no I/O.
package escape
