// Package ignored holds a live key and a test key, for test-keys: ignore.
package ignored

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var live = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `^hardcoded Claro live API key sk_live_…dVOS`

var test = "sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"
