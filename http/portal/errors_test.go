package portal

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
)

// TestInternalErrorPage: a browser that meets an internal error gets a page
// that says so in its language and gives the request id to quote, never
// the error's details (which the log keeps).
func TestInternalErrorPage(t *testing.T) {
	var logged strings.Builder
	h := &Handler{Logger: slog.New(slog.NewTextHandler(&logged, nil)), Now: time.Now, Credentials: &httpx.Credentials{TTL: time.Hour},
		PasswordParams: auth.Params{Memory: 64, Time: 1, Threads: 1}}
	h.Register(func(string, http.HandlerFunc) {})

	secret := errors.New("pq: password authentication failed for user glpinet")
	for lang, text := range map[string]string{"en": "An error on our side", "fr": "Une erreur de notre côté"} {
		r := httptest.NewRequest("GET", "/keys", nil)
		r = r.WithContext(httpx.WithRequestID(r.Context(), "req-42"))
		r.Header.Set("Accept", "text/html")
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		h.Error(w, r, secret)
		body := w.Body.String()
		if w.Code != http.StatusInternalServerError || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%s: status %d, Content-Type %q", lang, w.Code, w.Header().Get("Content-Type"))
		}
		if !strings.Contains(body, text) || !strings.Contains(body, "req-42") {
			t.Errorf("%s: the page lacks its text or the request id:\n%.800s", lang, body)
		}
		if strings.Contains(body, "password authentication") {
			t.Errorf("%s: the page shows the error's details", lang)
		}
	}
	if !strings.Contains(logged.String(), "password authentication") || !strings.Contains(logged.String(), "req-42") {
		t.Errorf("the log lacks the error or its request id: %s", logged.String())
	}

	// The same error for an API client is the JSON body, generic too.
	r := httptest.NewRequest("GET", "/keys", nil)
	w := httptest.NewRecorder()
	h.Error(w, r, glpinet.Errorf(glpinet.EINTERNAL, "Internal error."))
	if w.Code != http.StatusInternalServerError || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("JSON client: status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
}
