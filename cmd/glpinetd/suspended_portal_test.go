package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// TestSuspendedAccountSeesWhy: the users of an account an operator
// suspended are told so on every page, find no form to make a key or a
// token, and a forged request for one is refused.
func TestSuspendedAccountSeesWhy(t *testing.T) {
	ts := startServer(t, nil)
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	if status, _ := b.post("/signup", "organisation", "Initech", "name", "Peter", "email", "peter@initech.example", "password", "correct horse battery"); status != 200 {
		t.Fatalf("sign-up: %d", status)
	}
	accounts, _, err := ts.DB.FindAccounts(t.Context(), glpinet.AccountFilter{Page: glpinet.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, a := range accounts {
		if a.Name == "Initech" {
			id = a.ID
		}
	}
	if err := ts.DB.SetAccountState(glpinet.WithActor(t.Context(), "test"), id, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/dashboard", "/keys", "/tokens"} {
		_, body := b.get(page)
		if !strings.Contains(body, "This account is suspended by the service provider") {
			t.Errorf("%s does not say the account is suspended", page)
		}
		if strings.Contains(body, `action="/keys" class="card"`) || strings.Contains(body, `action="/tokens" class="card"`) {
			t.Errorf("%s still offers a form to make a key or a token", page)
		}
	}
	b.get("/keys")
	if status, body := b.post("/keys", "label", "forged"); status == http.StatusOK && keyRE.MatchString(body) {
		t.Fatal("a suspended account was given a key")
	}
	b.get("/tokens")
	if status, body := b.post("/tokens", "name", "forged", "scope", "read", "days", "1"); status == http.StatusOK && strings.Contains(body, "gnt_") {
		t.Fatal("a suspended account's user was given an API token")
	}
}
