//go:build windows

package excluded

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var key = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"

const inConst = "sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"

// A key in a comment is the text scanner's job:
// sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1

var allowed = "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" //clarolint:allow

// Without the type checker nothing is folded, so neither half is a key.
var joined = "sk_live_" + "mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH"

type client struct {
	key string `default:"sk_test_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ"`
}
