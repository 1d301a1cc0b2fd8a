package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressOut is where download progress goes: standard error, so that
// standard output stays the result (and --json stays parseable).
var progressOut = os.Stderr

// downloadProgress counts downloaded bytes, drawing a bar only when
// standard error is a terminal.
type downloadProgress struct {
	bar *progressbar.ProgressBar // nil: nothing to draw
}

// newDownloadProgress returns the progress of a download of size bytes
// (0 or less when unknown: a spinner); quiet draws nothing.
func newDownloadProgress(what string, size int64, quiet bool) *downloadProgress {
	if quiet || !isTerminal(progressOut) {
		return &downloadProgress{}
	}
	if size <= 0 {
		size = -1
	}
	w := progressOut
	return &downloadProgress{bar: progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)}
}

func (p *downloadProgress) Write(b []byte) (int, error) {
	if p.bar != nil {
		p.bar.Add(len(b))
	}
	return len(b), nil
}

// Finish ends the bar's line.
func (p *downloadProgress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// isTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

var _ io.Writer = (*downloadProgress)(nil)
