package http

import (
	"io"
	"net/http"
	"time"
)

// TransferRules cut off clients that send or read too slowly: a request
// body must arrive, and a response be read, at MinRate bytes per second on
// average after Grace. A client trickling a body, or never reading a
// download, then holds its connection for seconds instead of forever, and
// a real transfer of any size goes through as long as it moves. The
// deadlines are moved forward as bytes flow (http.ResponseController), so
// no single timeout has to fit both a login form and a 100 MiB upload.
type TransferRules struct {
	// ReadGrace is how long the body of a request may take before the rate
	// counts; WriteGrace the same for the response, and it includes the
	// time the handler takes to start answering.
	ReadGrace, WriteGrace time.Duration
	// MinRate is the slowest average transfer accepted, in bytes per second.
	MinRate int64
}

// DefaultTransferRules suit clients on slow links: 10 s to send a form,
// 30 s to answer, then 4 KiB/s (a 100 MiB upload may take 7 hours).
var DefaultTransferRules = TransferRules{ReadGrace: 10 * time.Second, WriteGrace: 30 * time.Second, MinRate: 4 << 10}

func (s *Server) transferRules() TransferRules {
	if s.Transfer == (TransferRules{}) {
		return DefaultTransferRules
	}
	return s.Transfer
}

// deadline is start + grace + the time n bytes take at the minimum rate.
func (t TransferRules) deadline(start time.Time, grace time.Duration, n int64) time.Time {
	d := grace
	if t.MinRate > 0 {
		d += time.Duration(n * int64(time.Second) / t.MinRate)
	}
	return start.Add(d)
}

// transfer is one request's progress, from which its deadlines follow.
type transfer struct {
	rc            *http.ResponseController
	rules         TransferRules
	start         time.Time
	read, written int64
	body          bool  // the request has a body: its grace counts before the answer's
	covered       int64 // bytes the write deadline set last accounts for
}

// deadlineSlack is how many bytes beyond those at hand a write deadline
// accounts for, so that an answer of a few writes (every GLPI answer) sets
// it once.
const deadlineSlack = 64 << 10

// setWriteDeadline gives the answer its grace after the body's, plus the
// time every byte read or written takes at the minimum rate: reading a
// long upload moves the answer's deadline too. It moves the deadline only
// when the bytes at hand pass what the last one accounted for.
func (t *transfer) setWriteDeadline(next int64) error {
	n := t.read + t.written + next
	if n <= t.covered && t.covered > 0 {
		return nil
	}
	grace := t.rules.WriteGrace
	if t.body {
		grace += t.rules.ReadGrace
	}
	t.covered = n + deadlineSlack
	return t.rc.SetWriteDeadline(t.rules.deadline(t.start, grace, t.covered))
}

// rateReader is a request body whose read deadline moves with what was
// read.
type rateReader struct {
	io.ReadCloser
	t *transfer
}

func (r *rateReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	t := r.t
	t.read += int64(n)
	switch {
	case err == io.EOF:
		// The whole body is in: no deadline on reading any more (net/http
		// reads in the background to notice a client going away, and a
		// deadline there would cancel a long answer's context).
		t.rc.SetReadDeadline(time.Time{})
		t.setWriteDeadline(0)
	case n > 0:
		// The average rate, and no pause longer than maxBodyPause: a
		// client that sent most of a large body quickly cannot then hold
		// the connection for hours on its credit.
		d := t.rules.deadline(t.start, t.rules.ReadGrace, t.read)
		if limit := time.Now().Add(maxBodyPause); d.After(limit) {
			d = limit
		}
		t.rc.SetReadDeadline(d)
		t.setWriteDeadline(0)
	}
	return n, err
}

// rateWriter is a response whose write deadline moves with what was
// written. It copies files in chunks through the connection's ReadFrom
// (sendfile), moving the deadline between chunks.
type rateWriter struct {
	http.ResponseWriter
	t *transfer
}

// maxBodyPause is the longest a request body may pause, whatever its
// average rate.
const maxBodyPause = time.Minute

// sendChunk is how much of a file is sent between two deadline moves.
const sendChunk = 256 << 10

func (w *rateWriter) Write(p []byte) (int, error) {
	w.t.setWriteDeadline(int64(len(p)))
	n, err := w.ResponseWriter.Write(p)
	w.t.written += int64(n)
	return n, err
}

// ReadFrom sends src in chunks, each with its deadline, through the
// underlying writer's ReadFrom when it has one (sendfile for files).
func (w *rateWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{w}, src)
	}
	// net/http uses sendfile only for a file, or a file behind one
	// LimitedReader (as ServeContent sends it): chunk that one rather
	// than wrap it in another.
	file, left := src, int64(-1)
	if lr, ok := src.(*io.LimitedReader); ok {
		file, left = lr.R, lr.N
		defer func() { lr.N = left }()
	}
	var total int64
	for left != 0 {
		size := int64(sendChunk)
		if left > 0 {
			size = min(size, left)
		}
		w.t.setWriteDeadline(size)
		n, err := rf.ReadFrom(&io.LimitedReader{R: file, N: size})
		w.t.written += n
		total += n
		if left > 0 {
			left -= n
		}
		if err != nil || n < size {
			return total, err
		}
	}
	return total, nil
}

// Unwrap lets http.ResponseController reach the connection.
func (w *rateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writerOnly hides a writer's ReadFrom, so that io.Copy does not call it
// back.
type writerOnly struct{ io.Writer }

// withTransferRules sets the first deadlines of a request and wraps its
// body and response so that they move with the bytes.
func (s *Server) withTransferRules(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	t := &transfer{rc: http.NewResponseController(w), rules: s.transferRules(), start: time.Now(),
		body: r.Body != nil && r.Body != http.NoBody}
	if t.body {
		// Errors mean the connection takes no deadlines (a test's
		// recorder): nothing to enforce then.
		if t.rc.SetReadDeadline(t.rules.deadline(t.start, t.rules.ReadGrace, 0)) != nil {
			return w, r
		}
		r.Body = &rateReader{ReadCloser: r.Body, t: t}
	}
	if t.setWriteDeadline(0) != nil {
		return w, r
	}
	return &rateWriter{ResponseWriter: w, t: t}, r
}
