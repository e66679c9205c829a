// Package nested holds keys inside larger constant expressions, where a call
// would not compile or would change a constant, so they get no fix.
package nested

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var n = len("sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS") // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var arr [len("sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX")]byte // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var equal = "sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" == "x" // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
