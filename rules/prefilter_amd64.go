package rules

// indexPair returns the smallest p with b[p+1] == 'k' and b[p+7] == '_',
// or -1. It compares 32 positions per step with SSE2, which every amd64
// CPU has, so it needs no CPU feature check.
//
//go:noescape
func indexPair(b []byte) int
