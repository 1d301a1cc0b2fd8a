package portal

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/internal/testkit"
)

// TestSessionAuth replays what a browser without a good session tries: no
// cookie, a form without its CSRF token, and a stream of made-up cookies
// from one address, which stop being looked up while a colleague's real
// session from the same address stays logged in.
func TestSessionAuth(t *testing.T) {
	db, owner := testkit.SignedUp(t)
	cookie, _ := auth.NewToken(auth.PrefixSession)
	if err := db.CreateSession(t.Context(), &glpinet.Session{Hash: auth.HashToken(cookie), UserID: owner.ID, CSRF: strings.Repeat("c", 43), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: db, Credentials: &httpx.Credentials{TTL: time.Hour}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: time.Now, PasswordParams: auth.Params{Memory: 64, Time: 1, Threads: 1}}
	mux := http.NewServeMux()
	h.Register(func(pattern string, fn http.HandlerFunc) { mux.HandleFunc(pattern, fn) })
	call := func(method, path, session string, form url.Values) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.RemoteAddr = "192.0.2.10:40000"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if session != "" {
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}

	if w := call("GET", "/keys", "", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next=%2Fkeys" {
		t.Fatalf("anonymous: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if w := call("GET", "/keys", cookie, nil); w.Code != http.StatusOK {
		t.Fatalf("logged in: %d", w.Code)
	}
	if w := call("POST", "/keys", cookie, url.Values{"label": {"prod"}}); w.Code != http.StatusForbidden {
		t.Fatalf("a form without its CSRF token: %d", w.Code)
	}
	if keys, _, _ := db.ListKeys(t.Context(), owner.AccountID, glpinet.Page{}); len(keys) != 0 {
		t.Fatalf("a key was issued by a form without its CSRF token")
	}

	// A made-up cookie is looked up, found unknown and cleared, until the
	// address has spent its budget: then it is not looked up any more.
	guess := auth.PrefixSession + strings.Repeat("a", 43)
	cleared := func(w *httptest.ResponseRecorder) bool {
		for _, c := range w.Result().Cookies() {
			if c.Name == sessionCookie && c.MaxAge < 0 {
				return true
			}
		}
		return false
	}
	if w := call("GET", "/keys", guess, nil); w.Code != http.StatusSeeOther || !cleared(w) {
		t.Fatalf("a made-up cookie: %d, cleared %v", w.Code, cleared(w))
	}
	stopped := false
	for i := 0; i < 100 && !stopped; i++ {
		stopped = !cleared(call("GET", "/keys", guess, nil))
	}
	if !stopped {
		t.Fatal("100 made-up cookies from one address were all looked up")
	}
	if w := call("GET", "/keys", cookie, nil); w.Code != http.StatusOK {
		t.Fatalf("a real session from the same address after the guesses: %d", w.Code)
	}
}
