// Package nested holds keys inside larger constant expressions, where a call
// would not compile or would change a constant, so they get no fix.
package nested

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var n = len("sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS") // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var arr [len("sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX")]byte // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var equal = "sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" == "x" // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// A key joined to other text is no different: the concatenation must stay a
// constant here, so its literal gets no fix either.
var joinedLen = len("Bearer " + "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76") // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var joinedArr [len("Bearer " + "sk_test_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH")]byte // want `key sk_test_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`

const bearer = "Bearer x"

var joinedEqual = "Bearer "+"sk_live_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ" == bearer // want `key sk_live_…vgoJ; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// min chose the key: with the key replaced, min would compare at run time and
// might choose "z".
var chosen = min("sk_live_2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX", "z") + "\n" // want `key sk_live_…2SwX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// A conversion types the constant, but the length must still be one.
var typedArr [len(string("sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1"))]byte // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var typedJoinedArr [len(string("Bearer " + "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76"))]byte // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
