// Package osname declares its own os, so the fix cannot import the real one.
package osname

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var os = 1

var key = "sk_live_Sr08zGSZEjWicZpT2yoSoTYxLfCbmdiqJ3D1J4gZG1" // want `key sk_live_…gZG1; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
