package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile is what a server may put in any text field: a terminal retitle
// (OSC 0), a screen clear, a C1 CSI, DEL, a bidi override and a newline
// followed by a fake glpinet line.
const hostile = "Nice\x1b]0;pwned\x07 plugin\x1b[2J\u009b31m\x7f \u202eevil\r\nglpinet: installed fake 1.0.0"

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello World", "Hello World"},
		{"caf\xc3\xa9 \xff", "café \uFFFD"},
		{hostile, `Nice\x1b]0;pwned\x07 plugin\x1b[2J\u009b31m\x7f \u202eevil  glpinet: installed fake 1.0.0`},
		{"a\tb", "a b"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := Clean(strings.Repeat("é", 10_000))
	if n := utf8.RuneCountInString(long); n != maxClean+1 || !strings.HasSuffix(long, "…") {
		t.Errorf("a long text keeps %d runes", n)
	}
	if got := CleanLines("one\n\x1b[2Jtwo\r\nglpinet: installed x", "  "); got != "  one\n  \\x1b[2Jtwo\n  glpinet: installed x" {
		t.Errorf("CleanLines = %q", got)
	}
}

// TestResultText: whatever a command prints in text mode, no escape
// reaches the terminal raw, even split across writes.
func TestResultText(t *testing.T) {
	var b bytes.Buffer
	err := Output{W: &b}.Result(nil, func(w io.Writer) {
		io.WriteString(w, "name:\t"+hostile+"\n")
		w.Write([]byte("split \xe2\x80"))
		w.Write([]byte("\xae done\n")) // U+202E across two writes
	})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, r := range out {
		if r != '\n' && unsafeRune(r) {
			t.Fatalf("raw %U in %q", r, out)
		}
	}
	if !strings.Contains(out, `split \u202e done`) || strings.Count(out, "\n") != 3 {
		t.Fatalf("output %q", out)
	}
}

// TestResultJSON: encoding/json escapes C0 but leaves DEL, C1 and bidi
// characters raw; Result escapes them too, and the value read back is
// the same.
func TestResultJSON(t *testing.T) {
	raw, _ := json.Marshal(hostile)
	if !bytes.Contains(raw, []byte("\u202e")) || !bytes.Contains(raw, []byte("\x7f")) {
		t.Fatalf("encoding/json now escapes them itself: %q", raw)
	}
	var b bytes.Buffer
	if err := (Output{W: &b, JSON: true}).Result(map[string]string{"name": hostile}, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range b.String() {
		if r != '\n' && unsafeRune(r) {
			t.Fatalf("raw %U in %q", r, b.String())
		}
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["name"] != hostile {
		t.Fatalf("read back %q, %v", back["name"], err)
	}
}

// TestFailCleansMessage: an error quoting a server's answer stays one
// line without escapes.
func TestFailCleansMessage(t *testing.T) {
	var out, errOut bytes.Buffer
	Fail("glpinet", &out, &errOut, &ExitError{Msg: "refused: " + hostile}, nil)
	Fail("glpinet", &out, &errOut, errors.New("boom "+hostile), func(error) string { return "fix it" })
	if got := strings.Count(errOut.String(), "\n"); got != 2 || strings.ContainsRune(errOut.String(), 0x1b) {
		t.Fatalf("stderr %q", errOut.String())
	}
}
