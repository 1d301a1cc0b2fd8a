package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
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
// that as "unable to fetch", never as an invalid key cached for a day).
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
