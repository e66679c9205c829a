//go:build !amd64

package rules

// indexPair returns the smallest p with b[p+1] == 'k' and b[p+7] == '_',
// or -1.
func indexPair(b []byte) int { return indexPairGeneric(b) }
