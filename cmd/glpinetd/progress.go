package main

import (
	"fmt"
	"io"
	"os"
)

// progress prints "what: n/total" on one line when w is a terminal, and
// nothing otherwise (logs and pipes get the final summary only).
type progress struct {
	w     io.Writer
	total int
	n     int
	what  string
	tty   bool
}

func newProgress(w io.Writer, total int, what string) *progress {
	f, ok := w.(*os.File)
	tty := false
	if ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, total: total, what: what, tty: tty}
}

func (p *progress) add(n int) {
	p.n += n
	if p.tty {
		fmt.Fprintf(p.w, "\r%s: %d/%d (%d%%)", p.what, p.n, p.total, p.n*100/max(p.total, 1))
	}
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
