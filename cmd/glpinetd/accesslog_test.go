package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
)

// serveCLI runs "glpinetd serve args…" on a fresh data folder, as an
// operator would, until the test ends, and returns its URL and its log.
func serveCLI(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var serveErr error
	go func() {
		defer close(done)
		var out syncBuffer
		serveErr = runServe(ctx, append([]string{"--data", dir, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...), &out, logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	urlRE := regexp.MustCompile(`"url":"(http://[^"]+)"|url=(http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			return m[1] + m[2], logs
		}
		select {
		case <-done:
			t.Fatalf("serve stopped: %v\n%s", serveErr, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", logs)
	return "", nil
}

// TestServeJSONLogsKeepSecretsOut runs glpinetd serve --log-format json
// and sends what carries secrets: a registration key in X-Registration-Key,
// an API token in Authorization, a session cookie, an invitation code in
// the path, a password in a form, a secret in a query string. Every line
// of the log is JSON, each request has its access line at info, operator
// actions and the refused sign-in are logged, and no secret is anywhere.
func TestServeJSONLogsKeepSecretsOut(t *testing.T) {
	base, logs := serveCLI(t, "--log-format", "json")
	ctx := t.Context()

	// A customer signs up (a session cookie), makes a token (a secret in
	// the page), issues a key and an invitation through the API.
	b := newBrowser(t, base)
	b.get("/signup")
	if status, _ := b.post("/signup", "organisation", "Umbrella", "name", "Alice", "email", "alice.secretlocal@umbrella.example", "password", "raccoon city 1998"); status != 200 {
		t.Fatalf("signup: %d", status)
	}
	b.get("/tokens")
	form := url.Values{"csrf": {b.csrf}, "name": {"automation"}, "scope": {"read", "keys", "admin"}, "days": {"0"}}
	_, body := b.read(b.c.PostForm(base+"/tokens", form))
	token := tokenRE.FindString(body)
	if token == "" {
		t.Fatal("no token")
	}
	api := &client.API{BaseURL: base, Token: token}
	issued, err := api.IssueKey(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := api.Invite(ctx, glpinet.RoleMember, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(inv.Link)
	code := strings.TrimPrefix(u.Path, "/join/")
	if code == "" || code == u.Path {
		t.Fatalf("invitation link %q", inv.Link)
	}
	u, _ = url.Parse(base)
	cookies := b.c.Jar.Cookies(u)
	if len(cookies) == 0 {
		t.Fatal("no session cookie")
	}
	var cookieValues, cookieHeader []string
	for _, c := range cookies {
		cookieValues = append(cookieValues, c.Value)
		cookieHeader = append(cookieHeader, c.Name+"="+c.Value)
	}

	// The requests that carry them, all in one go.
	send := func(method, path string, header http.Header) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	const querySecret = "querysecret0123456789"
	send("GET", "/api/registration/info", http.Header{"X-Registration-Key": {issued.Key}, "X-Request-Id": {"info-with-key"}})
	send("GET", "/api/v1/me", http.Header{"Authorization": {"Bearer " + token}, "X-Request-Id": {"api-with-token"}})
	send("GET", "/dashboard", http.Header{"Cookie": {strings.Join(cookieHeader, "; ")}, "X-Request-Id": {"page-with-cookie"}})
	send("GET", "/join/"+code, http.Header{"X-Request-Id": {"join-with-code"}})
	send("GET", "/join/"+code+"x/more", http.Header{"X-Request-Id": {"join-unmatched"}})
	send("GET", "/api/registration/info?key="+querySecret, http.Header{"X-Request-Id": {"query-secret"}})
	// Refused sign-ins: logged with the e-mail's domain only (people
	// mistype their address, or type their password in its field).
	lb := newBrowser(t, base)
	lb.get("/login")
	if status := lb.postLogin("bob.secretlocal@umbrella.example", "wrong password secret", nil); status != 401 {
		t.Fatalf("wrong password: %d", status)
	}
	if status := lb.postLogin("password typed in the e-mail field", "x", nil); status != 401 {
		t.Fatalf("no e-mail: %d", status)
	}

	var lines []map[string]any
	eventually(t, func() error {
		lines = lines[:0]
		for line := range strings.Lines(logs.String()) {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not a JSON line: %v: %q", err, line)
			}
			lines = append(lines, m)
		}
		for _, id := range []string{"info-with-key", "api-with-token", "page-with-cookie", "join-with-code", "join-unmatched", "query-secret"} {
			if find(lines, "request", id) == nil {
				return fmt.Errorf("no access line for request %s", id)
			}
		}
		return nil
	})
	log := logs.String()
	for what, secret := range map[string]string{"key": issued.Key, "token": token, "invitation code": code, "password": "wrong password secret",
		"query string": querySecret, "e-mail's local part": "bob.secretlocal", "e-mail field": "typed in the e-mail"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds the %s:\n%s", what, log)
		}
	}
	for _, c := range cookieValues {
		if strings.Contains(log, c) {
			t.Errorf("the log holds a cookie:\n%s", log)
		}
	}

	info := find(lines, "request", "info-with-key")
	want := map[string]any{"level": "INFO", "method": "GET", "path": "/api/registration/info", "route": "GET /api/registration/info",
		"status": float64(200), "client": "127.0.0.1"}
	for k, v := range want {
		if info[k] != v {
			t.Errorf("access line: %s = %v, want %v: %v", k, info[k], v, info)
		}
	}
	if n, _ := info["bytes"].(float64); n <= 0 {
		t.Errorf("access line: bytes %v", info["bytes"])
	}
	if _, ok := info["duration"].(float64); !ok {
		t.Errorf("access line: duration %v", info["duration"])
	}
	if got := find(lines, "request", "join-with-code")["path"]; got != "/join/{code}" {
		t.Errorf("invitation path logged as %v", got)
	}
	if got := find(lines, "request", "join-unmatched")["path"]; got != "/join/…" {
		t.Errorf("unmatched invitation path logged as %v", got)
	}
	if got := find(lines, "request", "query-secret")["path"]; got != "/api/registration/info" {
		t.Errorf("query path logged as %v", got)
	}

	// Operator actions, from one place whatever the surface.
	for _, action := range []string{"account.signup", "token.create", "key.issue", "invitation.create"} {
		found := false
		for _, l := range lines {
			if l["msg"] == "audit" && l["action"] == action && l["level"] == "INFO" {
				found = l["request_id"] != ""
			}
		}
		if !found {
			t.Errorf("no audit line for %s:\n%s", action, log)
		}
	}
	var refused []map[string]any
	for _, l := range lines {
		if l["msg"] == "sign-in refused" {
			refused = append(refused, l)
		}
	}
	if len(refused) != 2 || refused[0]["email_domain"] != "umbrella.example" || refused[0]["client"] != "127.0.0.1" || refused[0]["level"] != "INFO" ||
		refused[1]["email_domain"] != "" {
		t.Errorf("refused sign-ins: %v", refused)
	}
}

// find returns the line with message msg and request id id, or nil.
func find(lines []map[string]any, msg, id string) map[string]any {
	for _, l := range lines {
		if l["msg"] == msg && l["request_id"] == id {
			return l
		}
	}
	return nil
}

// TestServeAccessLogOff: --access-log=false leaves requests out of an
// info-level text log, and a bad --log-format is refused.
func TestServeAccessLogOff(t *testing.T) {
	base, logs := serveCLI(t, "--access-log=false", "--log-format", "text")
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(logs.String(), `level=INFO msg="glpinetd serving"`) {
		t.Errorf("not a text log:\n%s", logs)
	}
	if strings.Contains(logs.String(), "msg=request") {
		t.Errorf("an access line with --access-log=false:\n%s", logs)
	}
	var out, errb syncBuffer
	if err := runServe(t.Context(), []string{"--data", t.TempDir(), "--log-format", "xml"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("--log-format xml: %v", err)
	}
}
