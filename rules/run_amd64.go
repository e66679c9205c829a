package rules

// indexRun returns the first run of at least minRun bytes in 0x25..0x7F
// that holds something (runHolds), or with all any such run, with what it
// holds; the same as indexRunGeneric. It tests one 16-byte window every 35
// bytes with SSE2, which every amd64 CPU has, looks at the bytes around a
// window only when the whole window is run bytes, and into a run only when
// it is long enough.
//
//go:noescape
func indexRun(b []byte, all bool) (start, end int, holds uint8)
