package imports

import "os"

var args = os.Args

var present = "sk_live_InKQGWFoPU0WfUVLjPN3GqtbfymTHGs6NKlzCwEj76" // want `key sk_live_…Ej76; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// The parameter os hides the package, and a second import could not be
// named os either, so there is no fix.
func shadowed(os []string) string {
	_ = os
	return "sk_test_mWoBKSvYlcOsNRbQnDmI8UEg2OWt5UVUdLx8pnKizH" // want `key sk_test_…KizH; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
}
