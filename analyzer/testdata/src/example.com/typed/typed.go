// Package typed holds keys of named string types.
package typed

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

import "example.com/keys"

type Secret string

type Alias = string

type Config struct {
	Key  Secret
	Name string
}

const K Secret = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

var (
	s   Secret     = "sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"              // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	c              = Secret("sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1")      // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	a   Alias      = "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76"              // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	cfg            = Config{Key: "sk_live_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH"} // want `key sk_live_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	tok keys.Token = "sk_live_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ"              // want `key sk_live_…vgoJ; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
)

const typedPrefix Secret = "sk_live_"

var folded = typedPrefix + "2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX" // want `key sk_live_…2SwX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

func use(s Secret) {}

func calls() {
	use("sk_live_K8lYUdcuXwdvtRNS6KzlPf6u4gHuwdX7I6NSafPQNa")      // want `key sk_live_…PQNa; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	keys.Use("sk_test_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS") // want `key sk_test_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
}

func generic[T ~string](t T) bool {
	return t == "sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // want `key sk_test_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
}

func shadowed() {
	Secret := 1 // hides the type, so the fix cannot convert to it
	_ = Secret
	var x Config
	x.Key = "sk_test_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" // want `key sk_test_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
	_ = x
}
