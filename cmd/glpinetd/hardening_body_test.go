package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet/internal/testkit"
)

// multipartBody is a form with one file part of size bytes.
func multipartBody(t *testing.T, size int) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("email", "someone@example.com")
	fw, _ := mw.CreateFormFile("password", "big.bin")
	fw.Write(bytes.Repeat([]byte("x"), size))
	mw.Close()
	return &body, mw.FormDataContentType()
}

// entries lists what dir holds (nothing when it does not exist).
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	des, _ := os.ReadDir(dir)
	for _, d := range des {
		out = append(out, d.Name())
	}
	return out
}

// TestAnonymousMultipartLeavesNothing replays the disk-filling attack:
// multipart bodies sent by anyone to the anonymous forms were spooled to
// the system's temporary folder and never removed. They are now refused
// before being read, declared length or not, and nothing is written.
func TestAnonymousMultipartLeavesNothing(t *testing.T) {
	sysTmp := t.TempDir()
	t.Setenv("TMPDIR", sysTmp)
	ts := startServer(t, nil)
	for _, path := range []string{"/login", "/signup", "/join/abc"} {
		for _, chunked := range []bool{false, true} {
			body, ct := multipartBody(t, 40<<20) // past ParseMultipartForm's 32 MiB in memory
			var r io.Reader = body
			if chunked {
				r = io.MultiReader(body) // hides the length: sent chunked
			}
			req, _ := http.NewRequest("POST", ts.URL()+path, r)
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("%s (chunked %v): status %d, want 413 or 415", path, chunked, resp.StatusCode)
			}
		}
	}
	if got := entries(t, sysTmp); len(got) != 0 {
		t.Errorf("system temporary folder holds %v", got)
	}
	if got := entries(t, ts.Store.tmpDir()); len(got) != 0 {
		t.Errorf("server temporary folder holds %v", got)
	}
}

// TestBodyLimits: an anonymous form past its limit and a GET with a body
// are refused; a small form still works.
func TestBodyLimits(t *testing.T) {
	ts := startServer(t, nil)
	big := strings.NewReader("email=a%40b.example&password=" + strings.Repeat("x", 64<<10))
	resp, err := http.Post(ts.URL()+"/login", "application/x-www-form-urlencoded", big)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("64 KiB login form: status %d, want 413", resp.StatusCode)
	}
	// A body sent with a GET is never read; the answer is the usual one.
	req, _ := http.NewRequest("GET", ts.URL()+"/api/ping", strings.NewReader("{}"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with a body: status %d, want 200", resp.StatusCode)
	}
	b := newBrowser(t, ts.URL())
	b.get("/login")
	if status, _ := b.post("/login", "email", "nobody@example.com", "password", "wrong password"); status != http.StatusUnauthorized {
		t.Errorf("small login form: status %d, want 401", status)
	}
}

// TestOperatorUploadLeavesNothing: a successful upload and refused ones
// leave nothing in either temporary folder; bad file names are a 400,
// never a 500.
func TestOperatorUploadLeavesNothing(t *testing.T) {
	sysTmp := t.TempDir()
	t.Setenv("TMPDIR", sysTmp)
	ts := startServer(t, nil)
	op := operatorBrowser(t, ts)
	op.get("/operator/plugins")
	archive := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "spooled", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0", Format: "zip"})
	if status, body := op.upload("/operator/plugins", archive, nil); status != 200 || !strings.Contains(body, "Published: spooled 1.0.0") {
		t.Fatalf("upload: %d %.300s", status, body)
	}
	data := readFile(t, archive)
	for _, name := range []string{"..", ".", "/", strings.Repeat("a", 300) + ".zip", "evil\x01.zip", "plugin.exe"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "x.zip")
		os.WriteFile(path, data, 0o600)
		status, body := op.uploadAs("/operator/plugins", path, name)
		if status != http.StatusBadRequest {
			t.Errorf("file name %.20q: status %d, want 400: %.200s", name, status, body)
		}
	}
	if got := entries(t, sysTmp); len(got) != 0 {
		t.Errorf("system temporary folder holds %v", got)
	}
	if got := entries(t, ts.Store.tmpDir()); len(got) != 0 {
		t.Errorf("server temporary folder holds %v", got)
	}
}

// TestStartCleansLeftovers: crash leftovers were never cleaned: spool
// files in the temporary folder, partial archives in archives/; orphan
// archives are reported.
func TestStartCleansLeftovers(t *testing.T) {
	ts := startServer(t, seedCatalogue(1))
	old := time.Now().Add(-2 * time.Hour)
	leave := func(path string) string {
		os.MkdirAll(filepath.Dir(path), 0o750)
		os.WriteFile(path, []byte("partial"), 0o600)
		os.Chtimes(path, old, old)
		os.Chtimes(filepath.Dir(path), old, old)
		return path
	}
	spool := leave(filepath.Join(ts.Store.tmpDir(), "upload-123", "glpi-x-1.0.0.zip"))
	partial := leave(filepath.Join(ts.Store.archiveDir(), "plugin001", "9.9.9", ".upload-42"))
	orphan := leave(filepath.Join(ts.Store.archiveDir(), "plugin001", "9.9.9", "0123456789abcdef", "glpi-plugin001-9.9.9.tar.gz"))
	next := restart(t, ts)
	for _, p := range []string{spool, partial} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after a restart: %v", p, err)
		}
	}
	if _, err := os.Stat(orphan); err != nil {
		t.Errorf("orphan archive removed: %v", err)
	}
	if logs := next.logs.String(); !strings.Contains(logs, "archives that no published version uses") {
		t.Errorf("orphan archive not reported: %.500s", logs)
	}
}
