package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests of this file play a hostile services server against the
// client, each replaying one attack of issue 10 on real HTTP servers on
// 127.0.0.1, with deadlines shortened so that each runs in about a second.

// short are limits small enough for the tests to run quickly.
var short = Limits{Connect: time.Second, TLS: time.Second, Header: 500 * time.Millisecond, Idle: 300 * time.Millisecond,
	Request: time.Second, Listing: 5 * time.Second, Page: 64 << 10, Catalogue: 256 << 10, Archive: 1 << 20}

// recorder is a second host that records the identity headers it gets.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	keys []string
	uids []string
	hits atomic.Int64
}

func newRecorder(t *testing.T, body string) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		r.mu.Lock()
		r.keys = append(r.keys, req.Header.Get(headerKey))
		r.uids = append(r.uids, req.Header.Get(headerUID))
		r.mu.Unlock()
		io.WriteString(w, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) sawIdentity() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.keys {
		if r.keys[i] != "" || r.uids[i] != "" {
			return true
		}
	}
	return false
}

// TestKeyNeverLeavesOrigin: redirects to another host (registration,
// catalogue, signing key) reach it without the key and uid; a redirect
// within the origin keeps them, as GLPI needs.
func TestKeyNeverLeavesOrigin(t *testing.T) {
	other := newRecorder(t, `{"is_valid":true}`)
	var sameOriginKey atomic.Value
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved/info" {
			sameOriginKey.Store(r.Header.Get(headerKey))
			io.WriteString(w, `{"is_valid":true}`)
			return
		}
		if r.URL.Path == "/api/registration/info" && r.URL.Query().Get("here") != "" {
			http.Redirect(w, r, "/moved/info", http.StatusFound)
			return
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer origin.Close()
	g := &GLPI{BaseURL: origin.URL, Key: "gnk_secret", UID: "uid", Version: "10.0.16", InstallMode: "TARBALL", Limits: short}

	g.RegistrationInfo(t.Context())
	g.Plugins(t.Context())
	g.SigningKey(t.Context())
	if other.hits.Load() < 3 {
		t.Fatalf("the other host got %d requests, want the redirected ones", other.hits.Load())
	}
	if other.sawIdentity() {
		t.Fatalf("the other host got the key or uid: %q %q", other.keys, other.uids)
	}

	g.BaseURL = origin.URL + "/"
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, origin.URL+"/api/registration/info?here=1", nil)
	req.Header.Set(headerKey, g.Key)
	if _, err := g.do(req); err != nil {
		t.Fatal(err)
	}
	if got, _ := sameOriginKey.Load().(string); got != "gnk_secret" {
		t.Fatalf("a redirect within the origin lost the key: %q", got)
	}
}

// TestOwnOrigin: which URLs get the key, for a configured URL.
func TestOwnOrigin(t *testing.T) {
	for _, tt := range []struct {
		base, u string
		want    bool
	}{
		{"https://glpinet.example.com", "https://GLPINET.example.com:443/api", true},
		{"https://glpinet.example.com/", "https://glpinet.example.com:8443/api", false},
		{"https://glpinet.example.com", "https://evil.example.com/api", false},
		{"https://glpinet.example.com", "http://glpinet.example.com/api", false},
		{"http://glpinet.example.com", "https://glpinet.example.com/api", true},
		{"http://glpinet.example.com", "http://glpinet.example.com:8080/api", false},
		{"http://glpinet.example.com", "https://glpinet.example.com.evil.net/api", false},
	} {
		u, _ := url.Parse(tt.u)
		if got := (&GLPI{BaseURL: tt.base}).ownOrigin(u); got != tt.want {
			t.Errorf("%s for %s: %v, want %v", tt.u, tt.base, got, tt.want)
		}
	}
}

// TestArchiveOnOtherOriginWithoutKey: a download_url on another host is
// fetched without the key.
func TestArchiveOnOtherOriginWithoutKey(t *testing.T) {
	cdn := newRecorder(t, "archive")
	g := &GLPI{BaseURL: "http://127.0.0.1:1", Key: "gnk_secret", UID: "uid", Limits: short}
	if _, _, err := g.Download(t.Context(), cdn.URL+"/a.tar.gz", io.Discard); err != nil {
		t.Fatal(err)
	}
	if cdn.hits.Load() != 1 || cdn.sawIdentity() {
		t.Fatalf("hits %d, keys %q", cdn.hits.Load(), cdn.keys)
	}
}

// TestNoPlainHTTPAfterHTTPS: a redirect from HTTPS to plain HTTP is
// refused outright, even to the same host name: the key would travel in
// clear.
func TestNoPlainHTTPAfterHTTPS(t *testing.T) {
	plain := newRecorder(t, `{"is_valid":true}`)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer tlsSrv.Close()
	hc := NewHTTPClient(nil, short)
	hc.Transport.(*http.Transport).TLSClientConfig = tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
	g := &GLPI{BaseURL: tlsSrv.URL, Key: "gnk_secret", UID: "uid", HTTP: hc, Limits: short}
	_, _, err := g.RegistrationInfo(t.Context())
	var re *RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a refused redirect", err)
	}
	if _, _, err := g.Plugins(t.Context()); !errors.As(err, &re) && err == nil {
		t.Fatalf("catalogue: %v", err)
	}
	if plain.hits.Load() != 0 {
		t.Fatalf("the plain HTTP server got %d requests", plain.hits.Load())
	}
}

// TestDownloadStopsAtDeclaredSize: a body that goes on past the
// catalogue's size is cut there, and a Content-Length that disagrees is
// refused before anything is written.
func TestDownloadStopsAtDeclaredSize(t *testing.T) {
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lying.tar.gz" {
			w.Header().Set("Content-Length", "5000")
			w.Write(make([]byte, 5000))
			return
		}
		chunk := make([]byte, 32<<10)
		for i := 0; i < 100_000; i++ { // 3 GB unless the client hangs up
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	g := &GLPI{BaseURL: srv.URL, Limits: short}
	u := srv.URL + "/endless.tar.gz"
	var buf bytes.Buffer
	start := time.Now()
	_, n, err := g.DownloadVersion(t.Context(), Version{DownloadURL: &u, Size: 1000}, &buf)
	var tl *TooLargeError
	if !errors.As(err, &tl) || n != 1000 || buf.Len() != 1000 {
		t.Fatalf("wrote %d bytes (%d), err %v", buf.Len(), n, err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %s", time.Since(start))
	}
	// Without a size, the archive limit applies.
	buf.Reset()
	if _, _, err := g.Download(t.Context(), u, &buf); !errors.As(err, &tl) || int64(buf.Len()) != short.Archive {
		t.Fatalf("without size: wrote %d, err %v", buf.Len(), err)
	}
	lying := srv.URL + "/lying.tar.gz"
	buf.Reset()
	if _, _, err := g.DownloadVersion(t.Context(), Version{DownloadURL: &lying, Size: 1000}, &buf); err == nil || buf.Len() != 0 {
		t.Fatalf("Content-Length 5000 for 1000: wrote %d, err %v", buf.Len(), err)
	}
}

// TestStalledServers: a server that stops sending without closing, or
// never answers, fails the request after the idle or header deadline.
func TestStalledServers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/silent.tar.gz" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Length", "1000")
		w.Write(make([]byte, 100))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	g := &GLPI{BaseURL: srv.URL, Limits: short}
	for path, want := range map[string]string{"/stalled.tar.gz": "no data", "/silent.tar.gz": "no answer"} {
		start := time.Now()
		_, _, err := g.Download(t.Context(), srv.URL+path, io.Discard)
		var de *DeadlineError
		if !errors.As(err, &de) || de.What != want {
			t.Fatalf("%s: err %v, want %q", path, err, want)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%s: took %s", path, d)
		}
	}
}

// TestTrickledCatalogue: a catalogue sent one byte at a time (never idle
// long enough for the idle deadline) ends within the request deadline
// and its retries.
func TestTrickledCatalogue(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := `[{"key":"a","versions":[]}` + strings.Repeat(" ", 10_000) + `]`
		for i := range len(body) {
			if _, err := io.WriteString(w, body[i:i+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}))
	defer srv.Close()
	g := &GLPI{BaseURL: srv.URL, Version: "10.0.16", Limits: short}
	start := time.Now()
	_, st, err := g.Plugins(t.Context())
	if err == nil && !st.Truncated {
		t.Fatal("a trickled catalogue was accepted")
	}
	var de *DeadlineError
	if !errors.As(st.LastError, &de) {
		t.Fatalf("last error %v, want a deadline", st.LastError)
	}
	if d := time.Since(start); d > 3*short.Request+2*time.Second {
		t.Fatalf("took %s", d)
	}
}

// TestCatalogueBounded: pages that ignore X-Range are caught at the
// second page, and endless distinct pages stop at the byte bound.
func TestCatalogueBounded(t *testing.T) {
	page := func(from, n int, pad int) string {
		var items []string
		for i := range n {
			items = append(items, fmt.Sprintf(`{"key":"p%d","name":"%s","versions":[]}`, from+i, strings.Repeat("x", pad)))
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	var requests atomic.Int64
	mode := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var start int
		fmt.Sscanf(r.Header.Get("X-Range"), "%d-", &start)
		switch mode {
		case "same":
			io.WriteString(w, page(0, 10, 10))
		case "all":
			io.WriteString(w, page(0, 500, 10))
		case "huge":
			io.WriteString(w, page(0, 1, 1<<20))
		case "endless":
			io.WriteString(w, page(start, 200, 200))
		}
	}))
	defer srv.Close()
	for _, tt := range []struct {
		mode         string
		maxRequests  int64
		ignoresRange bool
	}{{"same", 2, true}, {"all", 1, true}, {"huge", 1, false}, {"endless", 10, false}} {
		mode = tt.mode
		requests.Store(0)
		g := &GLPI{BaseURL: srv.URL, Version: "10.0.16", Limits: short}
		_, _, err := g.Plugins(t.Context())
		var tl *TooLargeError
		switch {
		case err == nil:
			t.Fatalf("%s: accepted", tt.mode)
		case tt.ignoresRange != errors.Is(err, ErrIgnoresRange), !tt.ignoresRange && !errors.As(err, &tl):
			t.Fatalf("%s: err %v", tt.mode, err)
		case requests.Load() > tt.maxRequests:
			t.Fatalf("%s: %d requests", tt.mode, requests.Load())
		}
	}
}

// TestSigningKeyOnly404MeansUnsigned: a 403 (a proxy, or anyone who
// answers that request) does not switch signature checks off.
func TestSigningKeyOnly404MeansUnsigned(t *testing.T) {
	status := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	g := &GLPI{BaseURL: srv.URL, Limits: short}
	for _, s := range []int{403, 401, 410, 500} {
		status = s
		if pub, err := g.SigningKey(t.Context()); err == nil {
			t.Errorf("status %d: key %v, no error", s, pub)
		}
	}
	status = 404
	if pub, err := g.SigningKey(t.Context()); pub != nil || err != nil {
		t.Errorf("404: %v, %v", pub, err)
	}
}

// TestNotifyDownloadEscapes: a version or key from the server that would
// change the notice's path is refused, and none is sent.
func TestNotifyDownloadEscapes(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
	}))
	defer srv.Close()
	g := &GLPI{BaseURL: srv.URL, Limits: short}
	for _, kv := range [][2]string{{"hello", "1.0.0/../../../admin"}, {"hello", "../x"}, {"../a", "1.0"}, {"hello", "1.0?x=1"}, {"hello", "1.0.0 "}} {
		if _, err := g.NotifyDownload(t.Context(), kv[0], kv[1]); err == nil {
			t.Errorf("%q %q: sent", kv[0], kv[1])
		}
	}
	if _, err := g.NotifyDownload(t.Context(), "hello", "1.0.0+build.1"); err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != "/api/marketplace/plugin/hello/download/1.0.0+build.1" {
		t.Fatalf("paths %q", paths)
	}
}
