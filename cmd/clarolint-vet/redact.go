package main

import (
	"bytes"
	"io"

	"github.com/clarolint/clarolint/rules"
)

// A redactor passes what is written to it on to w, a line at a time, with
// every run shaped like a key redacted (rules.RedactText). No key spans a
// line, so holding back the end of a line until its newline, or Close,
// catches a key that arrives in pieces. It is not safe for concurrent use.
type redactor struct {
	w   io.Writer
	buf []byte // the start of a line that has no newline yet
}

// Write writes the complete lines of what it holds, redacted, and keeps the
// rest. It reports all of p as written, and the error of w, if any.
func (r *redactor) Write(p []byte) (int, error) {
	r.buf = append(r.buf, p...)
	i := bytes.LastIndexByte(r.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	_, err := io.WriteString(r.w, rules.RedactText(string(r.buf[:i+1])))
	r.buf = r.buf[:copy(r.buf, r.buf[i+1:])]
	return len(p), err
}

// Close writes, redacted, the rest of a last line that had no newline. It
// does not close w.
func (r *redactor) Close() error {
	if len(r.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(r.w, rules.RedactText(string(r.buf)))
	r.buf = r.buf[:0]
	return err
}
