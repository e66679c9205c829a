package rules

import (
	"crypto/sha256"
	"encoding/hex"
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

// Fingerprint returns "sha256:" and the hex SHA-256 of the full key. It is
// stable across files and commits; baselines, allow lists and reuse
// detection compare fingerprints, never keys.
func Fingerprint(key []byte) string {
	sum := sha256.Sum256(key)
	return "sha256:" + hex.EncodeToString(sum[:])
}
