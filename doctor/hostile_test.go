package doctor

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHostileVerdicts replays what a hostile or broken server may answer
// to /api/registration/info: missing objects (the nil dereference of
// issue 10), wrong types, a huge body, a body trickled byte by byte. The
// key check must end with a verdict, never a panic, within its timeout.
func TestHostileVerdicts(t *testing.T) {
	tests := []struct {
		name, body string
		status     Status
		detail     string
	}{
		{"no owner", `{"is_valid":true,"subscription":{"is_running":true}}`, OK, "registered by (no owner given), offer (none given)"},
		{"null owner", `{"is_valid":true,"owner":null,"subscription":{"is_running":true,"title":"Basic"}}`, OK, "offer Basic"},
		{"owner of the wrong type", `{"is_valid":true,"owner":"ACME","subscription":{"is_running":true}}`, Fail, "not of the shape"},
		{"verdict of the wrong type", `{"is_valid":"yes"}`, Fail, "not of the shape"},
		{"end date of the wrong type", `{"is_valid":true,"subscription":{"is_running":true,"end_date":12}}`, Fail, "not of the shape"},
		{"no subscription", `{"is_valid":true,"subscription":null}`, Fail, ""},
		{"not an object", `[1,2,3]`, Fail, "without a verdict"},
		{"huge", `{"is_valid":true,"validation_message":"` + strings.Repeat("x", 2<<20) + `"}`, Fail, "larger than"},
		{"trickled", "trickle", Fail, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/registration/info" {
					io.WriteString(w, "pong")
					return
				}
				if tt.body != "trickle" {
					io.WriteString(w, tt.body)
					return
				}
				for range 1000 {
					if _, err := io.WriteString(w, " "); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-time.After(20 * time.Millisecond):
					case <-r.Context().Done():
						return
					}
				}
			}))
			defer srv.Close()
			target := &Target{Server: srv.URL, Key: "gnk_whatever", GLPIVersion: "10.0.16", Timeout: 500 * time.Millisecond}
			start := time.Now()
			rs := byID(Run(t.Context(), target, only(Checks(), "url", "dns", "tcp", "ping", "key")))
			if r := rs["key"]; r.Status != tt.status || !strings.Contains(r.Detail, tt.detail) {
				t.Fatalf("key: %s %q, want %s with %q", r.Status, r.Detail, tt.status, tt.detail)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("took %s", d)
			}
		})
	}
}
