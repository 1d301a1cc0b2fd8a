package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/service"
	"github.com/prometheus/client_golang/prometheus"
)

// TestTokenAuth replays what a client without a good token tries: no
// token, a made-up one, one lacking the scope, and a stream of made-up ones
// from one address, which stops being looked up while a colleague's real
// token from the same address still works.
func TestTokenAuth(t *testing.T) {
	db, owner := testkit.SignedUp(t)
	raw, _, err := service.New(db, time.Now).CreateToken(t.Context(), service.TokenRequest{User: owner, Name: "ci", Scopes: []glpinet.TokenScope{glpinet.ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refused"}, []string{"reason"})
	h := &Handler{Store: db, Credentials: &httpx.Credentials{TTL: time.Hour}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Refused: refused, Now: time.Now, BaseURL: func(*http.Request) string { return "http://x" }}
	mux := http.NewServeMux()
	h.Register(func(pattern string, fn http.HandlerFunc) { mux.HandleFunc(pattern, fn) })
	call := func(method, path, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader("{}"))
		r.RemoteAddr = "192.0.2.10:40000"
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}

	if w := call("GET", "/api/v1/me", ""); w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no token: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	guess := "gnt_" + strings.Repeat("a", 43)
	if w := call("GET", "/api/v1/me", guess); w.Code != http.StatusUnauthorized || !strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("made-up token: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if w := call("GET", "/api/v1/me", raw); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "owner@example.com") {
		t.Fatalf("real token: %d %s", w.Code, w.Body.String())
	}
	if w := call("POST", "/api/v1/keys", raw); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `\"keys\" scope`) {
		t.Fatalf("a read token issuing a key: %d %s", w.Code, w.Body.String())
	}

	tooMany := 0
	for i := 0; i < 100 && tooMany == 0; i++ {
		if w := call("GET", "/api/v1/me", guess); w.Code == http.StatusTooManyRequests {
			tooMany = i
			if w.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if tooMany == 0 {
		t.Fatal("100 made-up tokens from one address were all looked up")
	}
	if w := call("GET", "/api/v1/me", raw); w.Code != http.StatusOK {
		t.Fatalf("a real token from the same address after the guesses: %d %s", w.Code, w.Body.String())
	}
}
