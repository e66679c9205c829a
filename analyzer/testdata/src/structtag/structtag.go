// Package structtag holds keys in struct tags. A tag is not a constant, and
// clarolint scan reads it as written: the analyzer reports none.
package structtag

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

type Client struct {
	Key    string `default:"sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"`
	Other  string `json:"other" default:"sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"`
	Quoted string "default:\"sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1\""
	Inner  struct {
		Key string `default:"sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76"`
	}
}
