package rules

// Unexported pieces the external tests cross-check against references.
var (
	IndexPair        = indexPair
	IndexPairGeneric = indexPairGeneric
	IsPlaceholder    = (*Matcher).isPlaceholder
)
