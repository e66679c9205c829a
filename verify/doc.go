// Package verify checks keys against the Claro API, on request
// (--verify): each distinct key once, with GET {api}/v1/health and the
// key as a bearer token, and says what the API answered as a
// finding.Verification. It sends keys to the configured API and nowhere
// else (https only, except on loopback; no redirect to another host), and
// bounds the whole check in time: a key not checked by then is unknown,
// never dropped. It is the only package of clarolint that talks HTTP.
package verify
