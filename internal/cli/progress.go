package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress counts work done and draws it as a bar on its writer when that
// writer is a terminal, and draws nothing otherwise: logs and pipes get
// the final summary only, and output compared by tests stays the same
// wherever they run.
type Progress struct {
	bar *progressbar.ProgressBar // nil: nothing to draw
}

// NewProgress returns the progress of total units of work (keys issued,
// rows copied), drawn on w.
func NewProgress(w io.Writer, total int64, what string) *Progress {
	return newProgress(w, total, what)
}

// NewBytesProgress returns the progress of a transfer of size bytes (0 or
// less when unknown: a spinner), drawn on w.
func NewBytesProgress(w io.Writer, size int64, what string) *Progress {
	return newProgress(w, size, what, progressbar.OptionShowBytes(true))
}

func newProgress(w io.Writer, total int64, what string, opts ...progressbar.Option) *Progress {
	if !IsTerminal(w) {
		return &Progress{}
	}
	if total <= 0 {
		total = -1
	}
	opts = append([]progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	}, opts...)
	return &Progress{bar: progressbar.NewOptions64(total, opts...)}
}

// Add counts n more units done.
func (p *Progress) Add(n int64) {
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

// Write counts written bytes, so that a Progress can follow an io.Copy.
func (p *Progress) Write(b []byte) (int, error) {
	p.Add(int64(len(b)))
	return len(b), nil
}

// Done completes the bar and ends its line.
func (p *Progress) Done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// IsTerminal reports whether w is a terminal (not merely a character
// device such as /dev/null, which a check of the file mode would take for
// one).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

var _ io.Writer = (*Progress)(nil)
