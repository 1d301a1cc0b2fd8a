package http

import (
	"fmt"
	"io"
	"net"
	"net/http"
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
		fi, _ := f.Stat()
		w.Header().Set("Content-Length", fmt.Sprint(fi.Size()))
		_, err := io.Copy(sw, f)
		done <- err
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
