// Package lowentropy holds a key with too little entropy for the default
// threshold, for entropy: 0, which turns the check off.
package lowentropy

// The key is not random: 10 a, 10 b, 10 a, 10 b, a, b.
var flat = "sk_live_aaaaaaaaaabbbbbbbbbbaaaaaaaaaabbbbbbbbbbab" // want `^hardcoded Claro live API key sk_live_…bbab`
