// Package allow holds keys that clarolint:allow comments suppress, and some
// that they do not (in consts, so that they get no fix to check).
package allow

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var sameLine = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" //clarolint:allow

var spaced = "sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // clarolint:allow

var block = "sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" /* clarolint:allow */

//clarolint:allow
var lineAbove = "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76"

// clarolint:allow rotated test fixture
var withReason = "sk_live_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH"

// A comment that ends a line of code does not reach the next line.
var trailing = "sk_live_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ" //clarolint:allow
const below = "sk_live_2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX"  // want `key sk_live_…2SwX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

//clarolint:allow
var config = `
key: sk_live_K8lYUdcuXwdvtRNS6KzlPf6u4gHuwdX7I6NSafPQNa`

var concat = "sk_live_" +
	"XkoGBAuKXbR6FE4anHFtbExFor2NfUsGL3GnPq3HhP" //clarolint:allow

const notTheMarker = "sk_test_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" /* clarolint: allow */ // want `key sk_test_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

//clarolint:allow

const gap = "sk_test_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // want `key sk_test_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

type Client struct {
	Key string `default:"sk_test_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1"` //clarolint:allow
}
