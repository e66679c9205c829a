// Package lowentropy holds a key whose body has too little entropy for the
// default threshold, for an analyzer with the entropy check turned off: it
// is reported then.
package lowentropy

// The key is not random: 10 a, 10 b, 10 a, 10 b, a, b. The run, period and
// word checks, which stay on, let it pass.
const flat = "sk_live_aaaaaaaaaabbbbbbbbbbaaaaaaaaaabbbbbbbbbbab" // want `key sk_live_…bbab; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`
