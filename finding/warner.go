package finding

import (
	"fmt"
	"io"
	"sync"

	"github.com/clarolint/clarolint/internal/escape"
)

// Warner writes warnings to the writer its caller gives, one line each,
// and counts them in the Stats of the scan they belong to. A warning names
// paths and refs that a repository controls, so each line is escaped as
// printable text (escape.Text): a name can neither add a line (a forged
// workflow command in a CI log) nor send escape sequences to a terminal.
// A nil Warner, or one on a nil writer, only counts. It is safe for
// concurrent use.
type Warner struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWarner returns a Warner writing to w.
func NewWarner(w io.Writer) *Warner { return &Warner{w: w} }

// Warn writes one warning and counts it in st.
func (w *Warner) Warn(st *Stats, format string, args ...any) {
	st.Warnings++
	if w == nil || w.w == nil {
		return
	}
	line := "warning: " + escape.Text(fmt.Sprintf(format, args...)) + "\n"
	w.mu.Lock()
	defer w.mu.Unlock()
	io.WriteString(w.w, line)
}

// NotScanned warns that content could not be scanned and counts it in
// st.NotScanned: the scan is incomplete, and a key may be there.
func (w *Warner) NotScanned(st *Stats, format string, args ...any) {
	st.NotScanned++
	w.Warn(st, format, args...)
}
