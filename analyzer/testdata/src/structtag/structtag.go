// Package structtag holds keys in struct tags, which get no fix.
package structtag

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

type Client struct {
	Key    string `default:"sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"`              // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	Other  string `json:"other" default:"sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"` // want `key sk_test_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	Quoted string "default:\"sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1\""            // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	Inner  struct {
		Key string `default:"sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76"` // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	}
}
