package imports

import xos "os"

var _ = xos.Args

var renamed = "sk_live_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ" // want `key sk_live_…vgoJ; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

// The parameter hides xos, but the name os is free in this file, so the fix
// imports os under its own name.
func hidden(xos int) string {
	_ = xos
	return "sk_test_wrp0N6sV2ZEq9R4pYz2fwerTOFFc8X2TB3nYMNvgoJ" // want `key sk_test_…vgoJ; load it from the environment, e\.g\. os\.Getenv\("BAYT_TEST_API_KEY"\)$`
}
