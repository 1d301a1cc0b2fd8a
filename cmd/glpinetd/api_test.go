package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var tokenRE = regexp.MustCompile(`gnt_[a-z2-7]{52}`)

// apiCall sends a management API request with a bearer token.
func apiCall(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// TestAPITokenFromPortal creates a token in the portal, as a person would,
// and uses it on /api/v1: scopes are enforced, revocation is immediate.
func TestAPITokenFromPortal(t *testing.T) {
	ts := startServer(t, nil)
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", "Umbrella", "name", "Alice", "email", "alice@umbrella.example", "password", "raccoon city 1998")
	b.get("/tokens")
	// A read-only token and a keys token.
	form := url.Values{"csrf": {b.csrf}, "name": {"monitoring"}, "scope": {"read"}, "days": {"30"}}
	_, body := b.read(b.c.PostForm(ts.URL()+"/tokens", form))
	readTok := tokenRE.FindString(body)
	form = url.Values{"csrf": {b.csrf}, "name": {"automation"}, "scope": {"read", "keys"}, "days": {"0"}}
	_, body = b.read(b.c.PostForm(ts.URL()+"/tokens", form))
	keysTok := tokenRE.FindString(body)
	if readTok == "" || keysTok == "" || readTok == keysTok {
		t.Fatalf("tokens %q %q", readTok, keysTok)
	}

	status, me := apiCall(t, "GET", ts.URL()+"/api/v1/me", readTok, "")
	if status != 200 || me["account"].(map[string]any)["name"] != "Umbrella" {
		t.Fatalf("/api/v1/me: %d %v", status, me)
	}
	if status, out := apiCall(t, "POST", ts.URL()+"/api/v1/keys", readTok, `{"label":"x"}`); status != 403 || out["code"] != "forbidden" {
		t.Fatalf("issuing a key with a read token: %d %v", status, out)
	}
	status, out := apiCall(t, "POST", ts.URL()+"/api/v1/keys", keysTok, `{"label":"ci"}`)
	key, _ := out["key"].(string)
	if status != 201 || !keyRE.MatchString(key) {
		t.Fatalf("issuing a key: %d %v", status, out)
	}
	g := ts.glpi("", "10.0.16")
	g.Key = key
	if info, _, err := g.RegistrationInfo(t.Context()); err != nil || info.Owner.Name != "Umbrella" {
		t.Fatalf("the API's key on /info: %+v %v", info, err)
	}
	status, list := apiCall(t, "GET", ts.URL()+"/api/v1/keys?limit=1", readTok, "")
	if status != 200 || list["total"].(float64) != 1 || len(list["data"].([]any)) != 1 {
		t.Fatalf("list keys: %d %v", status, list)
	}
	// Another account's key is not found; bad bodies are refused clearly.
	if status, _ := apiCall(t, "POST", ts.URL()+"/api/v1/keys/1/revoke", keysTok, ""); status != 404 {
		t.Fatalf("revoking another account's key: %d", status)
	}
	if status, out := apiCall(t, "POST", ts.URL()+"/api/v1/keys", keysTok, `{"lable":"typo"}`); status != 400 || out["code"] != "invalid" {
		t.Fatalf("unknown field: %d %v", status, out)
	}
	// Last use shows in the portal; revoking the token is immediate.
	if _, body := b.get("/tokens"); !strings.Contains(body, "UTC") {
		t.Fatal("the tokens page does not show the last use")
	}
	_, body = b.get("/tokens")
	ids := regexp.MustCompile(`action="/tokens/(\d+)/revoke"`).FindAllStringSubmatch(body, -1)
	for _, id := range ids {
		b.post("/tokens/" + id[1] + "/revoke")
	}
	if status, out := apiCall(t, "GET", ts.URL()+"/api/v1/me", readTok, ""); status != 401 || out["code"] != "unauthorized" {
		t.Fatalf("revoked token: %d %v", status, out)
	}
	if status, _ := apiCall(t, "GET", ts.URL()+"/api/v1/me", "", ""); status != 401 {
		t.Fatalf("no token: %d", status)
	}
}
