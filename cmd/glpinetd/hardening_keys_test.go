package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// info asks /api/registration/info from a local address, as GLPI does.
func info(t *testing.T, base, from, key string) (int, map[string]any, http.Header) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	req, _ := http.NewRequest("GET", base+"/api/registration/info", nil)
	req.Header.Set("X-Registration-Key", key)
	req.Header.Set("User-Agent", "GLPI/10.0.16 (installation-mode:TARBALL)")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	json.Unmarshal(b, &body)
	return resp.StatusCode, body, resp.Header
}

// TestUnknownKeyFloodIsThrottled: a client asking about many well-formed
// keys that do not exist (the checksum is public) gets verdicts until its
// budget is spent, then 429 with Retry-After and no is_valid (GLPI reads
// that as "unable to fetch", never as an invalid key cached for a day),
// also once the server's own budget of re-checks is spent.
// A known key from the same address, and other addresses, are unaffected.
func TestUnknownKeyFloodIsThrottled(t *testing.T) {
	ts := startServer(t, nil)
	verdicts, refused := 0, 0
	for range 60 {
		raw, _, err := newKey(1, "")
		if err != nil {
			t.Fatal(err)
		}
		status, body, h := info(t, ts.URL(), "127.0.0.1", raw)
		switch status {
		case http.StatusOK:
			if body["code"] != "UNKNOWN" {
				t.Fatalf("made-up key: %v", body)
			}
			verdicts++
		case http.StatusTooManyRequests:
			if _, ok := body["is_valid"]; ok || h.Get("Retry-After") == "" {
				t.Fatalf("429 with is_valid or without Retry-After: %v %v", body, h)
			}
			refused++
		default:
			t.Fatalf("status %d: %v", status, body)
		}
	}
	if verdicts > 35 || refused < 25 {
		t.Errorf("60 made-up keys from one address: %d verdicts, %d refused; want about 30 verdicts then 429", verdicts, refused)
	}
	if status, body, _ := info(t, ts.URL(), "127.0.0.1", ts.keys["basic"]); status != 200 || body["code"] != "VALID" {
		t.Errorf("a real key from the same address: %d %v", status, body)
	}
	raw, _, _ := newKey(1, "")
	if status, body, _ := info(t, ts.URL(), "127.0.0.2", raw); status != 200 || body["code"] != "UNKNOWN" {
		t.Errorf("another address: %d %v", status, body)
	}
}

// TestUnknownTokenFloodIsThrottled: every made-up API token was looked up
// in the database. Past a budget per address, lookups stop and the
// answer is 429; other addresses are unaffected.
func TestUnknownTokenFloodIsThrottled(t *testing.T) {
	ts := startServer(t, nil)
	member := loginAs(t, ts, "basic", "member@basic.example", glpinet.RoleMember)
	call := func(from, token string) int {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
		req, _ := http.NewRequest("GET", ts.URL()+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	counts := map[int]int{}
	for i := range 60 {
		counts[call("127.0.0.1", fmt.Sprintf("gnt_%052d", i))]++
	}
	if counts[http.StatusUnauthorized] > 35 || counts[http.StatusTooManyRequests] < 25 {
		t.Errorf("60 made-up tokens from one address: %v, want about 30 looked up (401), then 429", counts)
	}
	if s := call("127.0.0.2", "gnt_"+strings.Repeat("a", 52)); s != http.StatusUnauthorized {
		t.Errorf("another address: %d, want 401", s)
	}
	// A session in use at the same address is still recognised.
	if status, body := member.get("/dashboard"); status != 200 || !strings.Contains(body, "member@basic.example") && !strings.Contains(body, "logout") {
		t.Errorf("a real session from the throttled address: %d %.200s", status, body)
	}
}
