package rules

import (
	"fmt"
	"io"
)

// Secret holds a full key. Every way of printing it redacts: String,
// Format (all fmt verbs, %#v included) and MarshalText (JSON, YAML) all
// give Redact's form, so a Secret logged or encoded by accident leaks
// nothing. Reveal returns the key, for --show-secrets and verification.
type Secret string

// Reveal returns the full key.
func (s Secret) Reveal() string { return string(s) }

// String returns the redacted key.
func (s Secret) String() string { return Redact([]byte(s)) }

// Format writes the redacted key whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// MarshalText returns the redacted key.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
