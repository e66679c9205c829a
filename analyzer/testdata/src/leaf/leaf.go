// Package leaf has a path that looks like a standard package's and does not
// depend on os, which might then import it: importing os could make a cycle,
// so there is no fix.
package leaf

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var key = "sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX" // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
