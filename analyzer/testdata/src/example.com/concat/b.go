package concat

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

// The bodies alone are not keys either.
const (
	body  = "qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
	body2 = "cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX"
)
