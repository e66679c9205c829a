//go:build !amd64

package rules

// indexRun returns the first run of at least minRun bytes in 0x25..0x7F
// that holds something (runHolds), or with all any such run, with what it
// holds.
func indexRun(b []byte, all bool) (start, end int, holds uint8) {
	return indexRunGeneric(b, all)
}
