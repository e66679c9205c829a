// Package reported holds a live key and a test key, both reported.
package reported

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var live = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `^hardcoded Claro live API key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var test = "sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // want `^hardcoded Claro test API key sk_test_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
