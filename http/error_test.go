package http

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/internal/testkit"
)

// testServer is a core with its three surfaces and no store: enough for
// the answers that need none.
func testServer(t *testing.T) http.Handler {
	t.Helper()
	s := &Server{Validator: testkit.FixedValidator{}, Catalogue: testkit.FixedCatalogue{Catalogue: glpinet.NewCatalogue(1, nil, nil, nil)},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PasswordParams: auth.Params{Memory: 64, Time: 1, Threads: 1}}
	return s.Handler()
}

// TestUnknownPathAnswersBrowsersInHTML: a person who follows a wrong link
// sees a portal page in their language, while GLPI, curl and API clients
// keep getting the JSON error body they parse.
func TestUnknownPathAnswersBrowsersInHTML(t *testing.T) {
	h := testServer(t)
	for _, tc := range []struct {
		accept, lang string
		html         bool
		text         string
	}{
		{accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", html: true, text: "This page does not exist."},
		{accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", lang: "fr-FR,fr;q=0.9", html: true, text: "Cette page n&#39;existe pas."},
		{accept: "", text: `"code":"not_found"`},
		{accept: "*/*", text: `"code":"not_found"`},
		{accept: "application/json", text: `"code":"not_found"`},
	} {
		r := httptest.NewRequest("GET", "/no/such/page", nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		if tc.lang != "" {
			r.Header.Set("Accept-Language", tc.lang)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		ct := w.Header().Get("Content-Type")
		if w.Code != http.StatusNotFound {
			t.Errorf("Accept %q: status %d, want 404", tc.accept, w.Code)
		}
		if got := strings.HasPrefix(ct, "text/html"); got != tc.html {
			t.Errorf("Accept %q: Content-Type %q", tc.accept, ct)
		}
		if !strings.Contains(w.Body.String(), tc.text) {
			t.Errorf("Accept %q, Accept-Language %q: body lacks %q:\n%.600s", tc.accept, tc.lang, tc.text, w.Body.String())
		}
		if tc.html && w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("an error page without the portal's security headers")
		}
		if !tc.html {
			var body struct{ Code, Message string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message == "" {
				t.Errorf("Accept %q: not the JSON error body: %v %s", tc.accept, err, w.Body.Bytes())
			}
		}
	}
}

// TestBodyLimitAnswersBrowsersInHTML: a refusal by the core's middleware
// (here a form over its limit) is a page for a browser too.
func TestBodyLimitAnswersBrowsersInHTML(t *testing.T) {
	h := testServer(t)
	r := httptest.NewRequest("POST", "/login", strings.NewReader(strings.Repeat("x", 64<<10)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
}
