package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Redact returns how a key may be shown: its prefix, an ellipsis and its
// last 4 characters, as in sk_live_…Ab3x. Input that is not a well-formed
// key is shown as "…" with at most its last 4 bytes, so that Redact never
// prints a whole secret whatever it is given.
func Redact(key []byte) string {
	if IsKey(key) {
		return string(key[:prefixLen]) + "…" + string(key[KeyLen-4:])
	}
	if len(key) < 12 {
		return "…"
	}
	return "…" + string(key[len(key)-4:])
}

// RedactText returns s with every run shaped like a key (sk_live_ or
// sk_test_ and 42 base62 characters, as IsKey says) replaced by Redact of
// it, whatever comes before or after the run and whatever its entropy. It
// is for text that quotes what a user wrote, such as a source line, a diff
// or a config file in an error message: there a key glued to other
// characters, or one that looks like a placeholder, is still hidden. A
// longer run of base62 characters loses its first 50 to the redaction and
// keeps the rest. s is returned as it is when it holds no "sk_".
func RedactText(s string) string {
	i := strings.Index(s, "sk_")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for ; i >= 0; i = strings.Index(s, "sk_") {
		if end := i + KeyLen; end <= len(s) && IsKey([]byte(s[i:end])) {
			b.WriteString(s[:i])
			b.WriteString(Redact([]byte(s[i:end])))
			s = s[end:]
			continue
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
	}
	b.WriteString(s)
	return b.String()
}

// Fingerprint returns "sha256:" and the hex SHA-256 of the full key. It is
// stable across files and commits; baselines, allow lists and reuse
// detection compare fingerprints, never keys.
func Fingerprint(key []byte) string {
	sum := sha256.Sum256(key)
	return "sha256:" + hex.EncodeToString(sum[:])
}
