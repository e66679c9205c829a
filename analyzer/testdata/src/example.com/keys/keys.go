// Package keys declares a key and types for other test packages to use.
package keys

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

// Live is reported here, at its declaration, and not where it is used.
const Live = "sk_live_XkoGBAuKXbR6FE4anHFtbExFor2NfUsGL3GnPq3HhP" // want `key sk_live_…3HhP; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

// Token is a named string type that other packages can name.
type Token string

type token string

// Use takes a key of a type that other packages cannot name.
func Use(t token) {}
