// Package ignoretest holds a live key and test keys, for an analyzer that
// ignores test keys: only the live key is reported.
package ignoretest

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

const live = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

const test = "sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"

const both = "sk_test_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1 sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`
