package http

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/internal/testkit"
)

// TestAccessLog: one JSON line per request at info, with the forwarded
// client behind a trusted proxy, the bytes sent, and none of the secrets
// a request carries (here on a path no route takes, whose invitation
// code LoggedPath hides all the same); at debug only without AccessLog.
func TestAccessLog(t *testing.T) {
	for _, on := range []bool{true, false} {
		var logs bytes.Buffer
		s := &Server{Validator: testkit.FixedValidator{}, Catalogue: testkit.FixedCatalogue{Catalogue: glpinet.NewCatalogue(1, nil, nil, nil)},
			Logger:         slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
			PasswordParams: auth.Params{Memory: 64, Time: 1, Threads: 1}, AccessLog: on,
			TrustForwarded: true, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}}
		h := s.Handler()
		r := httptest.NewRequest("GET", "/join/gni_secretcode/more?token=querysecret", nil)
		r.RemoteAddr = "192.0.2.1:4242"
		r.Header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.5")
		r.Header.Set("X-Registration-Key", "gnk_headersecret")
		r.Header.Set("Authorization", "Bearer gnt_tokensecret")
		r.Header.Set("Cookie", "glpinet_session=cookiesecret")
		r.Header.Set("X-Request-Id", "req-1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !on {
			if logs.Len() != 0 {
				t.Errorf("AccessLog off, at info level: %s", logs.String())
			}
			continue
		}
		for _, secret := range []string{"secretcode", "querysecret", "headersecret", "tokensecret", "cookiesecret"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log holds %s: %s", secret, logs.String())
			}
		}
		var line map[string]any
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("%v: %s", err, logs.String())
		}
		want := map[string]any{"level": "INFO", "msg": "request", "method": "GET", "path": "/join/…", "route": "/",
			"status": float64(w.Code), "bytes": float64(w.Body.Len()), "client": "203.0.113.5", "request_id": "req-1"}
		for k, v := range want {
			if line[k] != v {
				t.Errorf("%s = %v, want %v", k, line[k], v)
			}
		}
	}
}

// TestStatusWriterCountsBytes: bytes written and copied (ReadFrom, the
// path of archive downloads) are counted.
func TestStatusWriterCountsBytes(t *testing.T) {
	sw := &statusWriter{ResponseWriter: httptest.NewRecorder()}
	sw.Write([]byte("hello "))
	n, err := io.Copy(sw, strings.NewReader(strings.Repeat("x", 1000)))
	if err != nil || n != 1000 || sw.bytes != 1006 || sw.status != http.StatusOK {
		t.Errorf("copied %d (%v); counted %d bytes, status %d; want 1006, 200", n, err, sw.bytes, sw.status)
	}
}
