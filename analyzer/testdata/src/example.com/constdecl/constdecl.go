// Package constdecl holds keys in const declarations, which get no fix.
package constdecl

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

const single = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `^hardcoded Claro live API key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

const (
	grouped = "sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`
	// repeated repeats the expression above; the key is written once, so
	// it is reported once.
	repeated
	typedConst string = "sk_test_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" // want `key sk_test_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`
)

// A key joined to other text in a const declaration has no fix either.
const joined = "Bearer " + "sk_live_K8lYUdcuXwdvtRNS6KzlPf6u4gHuwdX7I6NSafPQNa" // want `key sk_live_…PQNa; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

func local() {
	const inFunc = "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`
	_ = inFunc
}
