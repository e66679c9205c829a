// Package placeholder holds strings that look like keys but are not, and a
// key where only the text scanner looks. Nothing here is reported.
package placeholder

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

var (
	word      = "sk_live_yourjzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
	upperWord = "sk_live_qD91jzfI9uzMxf5f9OK1EXAMPLEUsHwjzFFdfRdVOS"
	run       = "sk_live_qD91jzfI9uzMxf5f9abcdefgh7wUsHwjzFFdfRdVOS"
	period    = "sk_live_Ab3xQ9Ab3xQ9Ab3xQ9Ab3xQ9Ab3xQ9Ab3xQ9Ab3xQ9"
	entropy   = "sk_live_aaaaaaaaaabbbbbbbbbbaaaaaaaaaabbbbbbbbbbab"
	stripe    = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt"
	stripeRk  = "rk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
	stripe99  = "sk_test_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOScpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJXqD91jzfI9uzMxf5"
	short     = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVO"
	long      = "sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOSZ"
	glued     = "xsk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
	under     = "_sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
	// The key in this comment, sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS, is the text scanner's job.
	comment = 0
)

// A key in a variable is not a constant, so concatenating variables does
// not make a key that the analyzer can see.
var prefix = "sk_live_"

var joined = prefix + "qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS"
