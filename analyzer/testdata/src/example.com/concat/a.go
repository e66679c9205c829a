// Package concat holds keys that only constant folding puts together.
package concat

// prefix alone is not a key.
const prefix = "sk_live_"
