package cli

import (
	"fmt"
	"io"
	"os"
)

// Progress prints "what: n/total (p%)" on one line when its writer is a
// terminal, and nothing otherwise (logs and pipes get the final summary
// only).
type Progress struct {
	w     io.Writer
	total int64
	n     int64
	what  string
	tty   bool
}

// NewProgress returns a progress line for total units of work.
func NewProgress(w io.Writer, total int64, what string) *Progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &Progress{w: w, total: total, what: what, tty: tty}
}

// Add counts n more units done.
func (p *Progress) Add(n int64) {
	p.n += n
	if p.tty {
		fmt.Fprintf(p.w, "\r%s: %d/%d (%d%%)", p.what, p.n, p.total, p.n*100/max(p.total, 1))
	}
}

// Write counts written bytes, so that a Progress can follow an io.Copy.
func (p *Progress) Write(b []byte) (int, error) {
	p.Add(int64(len(b)))
	return len(b), nil
}

// Done ends the progress line.
func (p *Progress) Done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
