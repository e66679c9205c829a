// Package operand holds keys that a concatenation joins to other text: the
// fix replaces the key's literal and keeps the rest of the expression, which
// then stops being a constant.
package operand

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

type Secret string

const bearer = "Bearer "

var header = "Bearer " + "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var named = bearer + "sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var testHeader = "Bearer " + "sk_test_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" // want `key sk_test_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`

var typed Secret = "Bearer " + "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var converted = "Bearer " + string(Secret("sk_live_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH")) // want `key sk_live_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var grouped = ("Bearer " + "sk_live_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ") + "\n" // want `key sk_live_…vgoJ; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// Each key of the expression has a fix of its own.
var two = "sk_live_2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX" + " " + "sk_test_K8lYUdcuXwdvtRNS6KzlPf6u4gHuwdX7I6NSafPQNa" // want `key sk_live_…2SwX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$` `key sk_test_…PQNa; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`

func check(s string) bool {
	switch s {
	case "Bearer " + "sk_live_XkoGBAuKXbR6FE4anHFtbExFor2NfUsGL3GnPq3HhP": // want `key sk_live_…3HhP; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
		return true
	}
	return s == "Bearer "+"sk_test_anNXRsRs3Fc8JsVFfNuDVPVEBr0WAjH0BuPCjqPbFq" // want `key sk_test_…PbFq; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
}
