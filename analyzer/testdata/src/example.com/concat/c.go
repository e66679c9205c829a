package concat

import "example.com/keys"

var joined = prefix + body // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

const named = prefix + body2 // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\); a const cannot call os\.Getenv, so move it to a var or function$`

// Each of these holds the key of named, or of keys.Live, which are reported
// at their declarations only.
var (
	reuse    = named
	longer   = named + " and more"
	chosen   = min(named, "z")
	fromKeys = keys.Live + ""
	typed    = keys.Token(keys.Live)
)

var paren = (prefix + body) // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var split = "sk_live_" + // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	"Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1"

var three = "sk_" + "live_" + "InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var fromRune = string('s') + "k_live_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH" // want `key sk_live_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
