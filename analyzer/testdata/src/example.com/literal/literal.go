// Package literal holds keys written as string literals.
package literal

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var plain = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `^hardcoded Claro live API key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var raw = `sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX` // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var test = "sk_test_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" // want `^hardcoded Claro test API key sk_test_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`

var anything any = "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// The key is on the last line of a multi-line raw string: it is reported on
// that line, and the literal as a whole is not a key, so there is no fix.
var config = `
region: eu-west-1
key: sk_live_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH` // want `key sk_live_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var escaped = "\n\tsk_live_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ" // want `key sk_live_…vgoJ; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var two = "sk_live_2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX sk_test_K8lYUdcuXwdvtRNS6KzlPf6u4gHuwdX7I6NSafPQNa" // want `key sk_live_…2SwX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$` `key sk_test_…PQNa; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`

var asBytes = []byte("sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS") // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

func call() {
	show("sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX") // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	switch s := input(); s {
	case "sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1": // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	}
	m := map[string]int{"sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76": 1} // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	_ = m
	// The local os is in scope only after this statement, so the fix can
	// call the package os on its right-hand side.
	os := "sk_live_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH" // want `key sk_live_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	_ = os
}

// show and input stand in for fmt's functions: importing fmt would make the
// test type-check fmt and its dependencies from source.
func show(a ...any) {}

func input() string { return "" }
