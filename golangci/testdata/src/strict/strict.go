// Package strict holds a random key, for entropy: 5.3, above the entropy
// of nearly every random body: nothing is reported.
package strict

// The key here is fake, from rulestest.Key with a seed that is a multiple
// of 101; it lives under testdata so that no test source holds a key.
var key = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
