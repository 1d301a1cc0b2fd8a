package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPaginationRetries holds the client to GLPI's rule: a failed page is
// retried, three failures in a row give up with what was collected, and
// only an empty page ends the listing.
func TestPaginationRetries(t *testing.T) {
	tests := []struct {
		name          string
		failures      map[string]int // X-Range → how many times it fails first
		wantPlugins   int
		wantRequests  int
		wantTruncated bool
	}{
		{"clean", nil, 300, 3, false},
		{"two failures are retried", map[string]int{"200-399": 2}, 300, 5, false},
		{"three failures give up", map[string]int{"200-399": 3}, 200, 4, true},
		{"a failing empty page also truncates", map[string]int{"400-599": 5}, 300, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			fails := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				rng := r.Header.Get("X-Range")
				if r.Header.Get("User-Agent") != "GLPI/10.0.16 (installation-mode:TARBALL)" || r.Header.Get("X-Registration-Key") != "k" {
					t.Errorf("headers = %v", r.Header)
				}
				if fails[rng] < tt.failures[rng] {
					fails[rng]++
					http.Error(w, "boom", http.StatusBadGateway)
					return
				}
				var start, end int
				fmt.Sscanf(rng, "%d-%d", &start, &end)
				var items []string
				for i := start; i <= end && i < 300; i++ {
					items = append(items, fmt.Sprintf(`{"key":"p%d","versions":[]}`, i))
				}
				fmt.Fprint(w, "["+strings.Join(items, ",")+"]")
			}))
			defer srv.Close()
			g := &GLPI{BaseURL: srv.URL, Key: "k", UID: "u", Version: "10.0.16", InstallMode: "TARBALL"}
			plugins, st, err := g.Plugins(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(plugins) != tt.wantPlugins || st.Requests != tt.wantRequests || st.Truncated != tt.wantTruncated {
				t.Fatalf("got %d plugins, %d requests, truncated %v; want %d, %d, %v",
					len(plugins), st.Requests, st.Truncated, tt.wantPlugins, tt.wantRequests, tt.wantTruncated)
			}
		})
	}
}

// TestPaginationStopsOnServerIgnoringRange: a server that ignores X-Range
// would keep GLPI looping forever; the client stops and says why.
func TestPaginationStopsOnServerIgnoringRange(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"key":"a","versions":[]}]`)
	}))
	defer srv.Close()
	g := &GLPI{BaseURL: srv.URL, Version: "10.0.16", InstallMode: "TARBALL", MaxPages: 20}
	if _, _, err := g.Plugins(t.Context()); err == nil || !strings.Contains(err.Error(), "ignores X-Range") {
		t.Fatalf("err = %v", err)
	}
}
