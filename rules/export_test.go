package rules

// Unexported pieces the external tests cross-check against references.
var (
	IndexPair        = indexPair
	IndexPairGeneric = indexPairGeneric
	IsPlaceholder    = (*Matcher).isPlaceholder
	IndexRun         = indexRun
	IndexRunGeneric  = indexRunGeneric
)

// MinRun is the shortest run of bytes that can hold an encoded key, and
// the Holds bits say what a run holds.
const (
	MinRun       = minRun
	HoldsPercent = holdsPercent
	HoldsJSON    = holdsJSON
	HoldsBase64  = holdsBase64
	HoldsKey     = holdsKey
)
