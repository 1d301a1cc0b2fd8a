package cli

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestProgressSilentOffTerminal: a progress drawn on a pipe, a buffer or
// /dev/null (a character device, yet no terminal) writes nothing, so that
// logs and compared outputs stay the same.
func TestProgressSilentOffTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if IsTerminal(null) {
		t.Fatalf("IsTerminal(%s) = true", os.DevNull)
	}
	if IsTerminal(nil) {
		t.Fatal("IsTerminal(nil) = true")
	}
	var buf bytes.Buffer
	for _, p := range []*Progress{NewProgress(&buf, 10, "issuing keys"), NewBytesProgress(&buf, 0, "archive"), NewBytesProgress(nil, 5, "x")} {
		p.Add(3)
		if _, err := io.WriteString(p, "abcdefgh"); err != nil {
			t.Fatal(err)
		}
		p.Done()
	}
	if buf.Len() != 0 {
		t.Fatalf("progress wrote %q on a buffer", buf.String())
	}
}
