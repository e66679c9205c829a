// Package issue4 is the example of issue 4: a key that exists only once a
// constant prefix and a literal are joined.
package issue4

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

func Key() string {
	const p = "sk_live_"
	key := p + "qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS" // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	return key
}
