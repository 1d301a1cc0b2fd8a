package main

import (
	"errors"

	"encoding/json"
	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
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

	ctx := t.Context()
	reader := &client.API{BaseURL: ts.URL(), Token: readTok}
	keys := &client.API{BaseURL: ts.URL(), Token: keysTok}
	me, err := reader.Me(ctx)
	if err != nil || me.Account.Name != "Umbrella" {
		t.Fatalf("Me: %+v, %v", me, err)
	}
	if _, err := reader.IssueKey(ctx, "x"); apiCode(err) != "forbidden" {
		t.Fatalf("issuing a key with a read token: %v", err)
	}
	issued, err := keys.IssueKey(ctx, "ci")
	if err != nil || !keyRE.MatchString(issued.Key) || issued.Label != "ci" {
		t.Fatalf("issuing a key: %+v, %v", issued, err)
	}
	g := ts.glpi("", "10.0.16")
	g.Key = issued.Key
	if info, _, err := g.RegistrationInfo(ctx); err != nil || info.Owner.Name != "Umbrella" {
		t.Fatalf("the API's key on /info: %+v %v", info, err)
	}
	rotated, err := keys.RotateKey(ctx, issued.ID, nil)
	if err != nil || rotated.Replaces == nil || *rotated.Replaces != issued.ID || rotated.OldKeyValidUntil == nil {
		t.Fatalf("rotate: %+v, %v", rotated, err)
	}
	list, err := reader.Keys(ctx, glpinet.Page{})
	if err != nil || len(list.Data) != 2 || list.Next != "" {
		t.Fatalf("list keys: %+v, %v", list, err)
	}
	// Another account's key is not found; bad bodies are refused clearly.
	if err := keys.RevokeKey(ctx, 1); apiCode(err) != "not_found" {
		t.Fatalf("revoking another account's key: %v", err)
	}
	if status, out := apiCall(t, "POST", ts.URL()+"/api/v1/keys", keysTok, `{"lable":"typo"}`); status != 400 || out["code"] != "invalid" {
		t.Fatalf("unknown field: %d %v", status, out)
	}
	// Managing members takes the admin scope, even for the account's owner.
	if _, err := keys.Invite(ctx, glpinet.RoleMember, 3, 7); apiCode(err) != "forbidden" {
		t.Fatalf("inviting with a keys token: %v", err)
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
	if _, err := reader.Me(ctx); apiCode(err) != "unauthorized" {
		t.Fatalf("revoked token: %v", err)
	}
	if status, _ := apiCall(t, "GET", ts.URL()+"/api/v1/me", "", ""); status != 401 {
		t.Fatalf("no token: %d", status)
	}
}

// apiCode returns the error code of a management API error, "" for nil.
func apiCode(err error) string {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
