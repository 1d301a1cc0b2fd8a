package http

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallBuffers makes accepted connections keep little in the kernel, so
// that a client that stops reading stops the server's writes at once.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// TestStalledDownloadIsCutOff: a client that asks for a file and never
// reads it held the connection (and an open file) for ever. Past the
// grace time, a response must be read at the minimum rate; a client that
// reads gets the whole file, sent with sendfile through the deadlines.
func TestStalledDownloadIsCutOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, make([]byte, 8<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{Transfer: TransferRules{ReadGrace: time.Second, WriteGrace: 500 * time.Millisecond, MinRate: 1 << 20}}
	done := make(chan error, 4)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w, _ = s.withTransferRules(w, r)
		sw := &statusWriter{ResponseWriter: w}
		f, _ := os.Open(path)
		defer f.Close()
		// As handleArchive sends archives: ServeContent gives the file
		// behind a LimitedReader, which must reach sendfile as it is.
		cw := &copyWatcher{ResponseWriter: sw}
		http.ServeContent(cw, r, "big.bin", time.Time{}, f)
		done <- cw.err
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(smallBuffers{l})
	t.Cleanup(func() { srv.Close() })
	url := "http://" + l.Addr().String() + "/big.bin"

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 8<<20 {
		t.Fatalf("a reading client got %d bytes: %v", n, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("serving a reading client: %v", err)
	}

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("a client that reads nothing: the copy ended with %v, want a time-out", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a client that reads nothing still holds the server's write after 10 s")
	}
}

// copyWatcher records the error of the copy ServeContent makes (it
// returns none).
type copyWatcher struct {
	http.ResponseWriter
	err error
}

func (c *copyWatcher) ReadFrom(src io.Reader) (int64, error) {
	n, err := c.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
	c.err = err
	return n, err
}

func (c *copyWatcher) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// TestReadFromKeepsTheLimit: a file behind a LimitedReader is sent in
// chunks without wrapping it again, exactly up to the limit.
func TestReadFromKeepsTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, make([]byte, 3*sendChunk+123), 0o600)
	f, _ := os.Open(path)
	defer f.Close()
	rec := &recordingFrom{}
	w := &rateWriter{ResponseWriter: rec, t: &transfer{rc: http.NewResponseController(rec), rules: DefaultTransferRules, start: time.Now()}}
	lr := &io.LimitedReader{R: f, N: 2*sendChunk + 7}
	n, err := w.ReadFrom(lr)
	if err != nil || n != 2*sendChunk+7 || lr.N != 0 {
		t.Fatalf("ReadFrom = %d, %v; limit left %d", n, err, lr.N)
	}
	for _, src := range rec.srcs {
		if l, ok := src.(*io.LimitedReader); !ok || l.R != f {
			t.Fatalf("a chunk was not the file behind one LimitedReader: %T", src)
		}
	}
}

// recordingFrom is a ResponseWriter with ReadFrom that records what it is
// given.
type recordingFrom struct {
	httptest.ResponseRecorder
	srcs []io.Reader
}

func (r *recordingFrom) Header() http.Header { return http.Header{} }

func (r *recordingFrom) ReadFrom(src io.Reader) (int64, error) {
	r.srcs = append(r.srcs, src)
	return io.Copy(io.Discard, src)
}
