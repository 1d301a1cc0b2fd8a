package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// TestInvitationCodesNotLogged: the request log (debug level) wrote the
// path of every request, invitation codes included, and a code lets
// anyone join the account.
func TestInvitationCodesNotLogged(t *testing.T) {
	ts := startServer(t, nil)
	owner := newBrowser(t, ts.URL())
	owner.get("/signup")
	owner.post("/signup", "organisation", "Initech", "name", "Bill", "email", "bill@initech.example", "password", "tps reports 4ever")
	owner.get("/members")
	_, body := owner.post("/members/invitations", "role", "member", "max_uses", "2", "days", "7")
	m := linkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no invitation link: %.300s", body)
	}
	code := m[1]
	peter := newBrowser(t, ts.URL())
	peter.get("/join/" + code)
	peter.post("/join/"+code, "name", "Peter", "email", "peter@initech.example", "password", "short")
	peter.post("/join/"+code, "name", "Peter", "email", "peter@initech.example", "password", "i want my stapler")
	logs := ts.logs.String()
	if !strings.Contains(logs, "/join/{code}") {
		t.Fatalf("the join requests are not in the debug log: %.500s", logs)
	}
	if strings.Contains(logs, code) {
		t.Errorf("the invitation code %s is in the log", code)
	}
}

// TestLoginRedirectStaysLocal: ?next= after logging in must stay on this
// site; "/\t/evil.example" passed the filter, and browsers drop the tab,
// reading "//evil.example".
func TestLoginRedirectStaysLocal(t *testing.T) {
	ts := startServer(t, nil)
	addUser(t, ts, "user@example.com", "the right password")
	for next, want := range map[string]string{
		"/keys":                 "/keys",
		"/\t/evil.example":      "/dashboard",
		"/\n/evil.example":      "/dashboard",
		"/\r/evil.example":      "/dashboard",
		"//evil.example":        "/dashboard",
		"/\\evil.example":       "/dashboard",
		"https://evil.example/": "/dashboard",
		"javascript:alert(1)":   "/dashboard",
	} {
		b := newBrowser(t, ts.URL())
		b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		b.get("/login")
		form := url.Values{"csrf": {b.csrf}, "email": {"user@example.com"}, "password": {"the right password"}}
		resp, err := b.c.PostForm(ts.URL()+"/login?next="+url.QueryEscape(next), form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("next=%q: %d to %q, want 303 to %q", next, resp.StatusCode, got, want)
		}
	}
}

// TestSuspendedAccountIssuesNothing: users of a suspended account could
// still make keys in the portal.
func TestSuspendedAccountIssuesNothing(t *testing.T) {
	ts := startServer(t, nil)
	b := loginAs(t, ts, "basic", "admin@basic.example", glpinet.RoleAdmin)
	rec, err := ts.DB.FindKeyRecord(t.Context(), glpinet.HashKey(ts.keys["basic"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.DB.SetAccountState(glpinet.WithActor(t.Context(), "test"), rec.Account.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	b.get("/keys")
	status, body := b.post("/keys", "label", "new one")
	if status != http.StatusForbidden || !strings.Contains(body, "suspended") || keyRE.MatchString(body) {
		t.Errorf("key made for a suspended account: %d %.300s", status, body)
	}
}

// TestSignupThrottledPerAddress: 40 accounts were created in 2 s from one
// address.
func TestSignupThrottledPerAddress(t *testing.T) {
	ts := startServer(t, nil)
	created, refused := 0, 0
	for i := range 15 {
		b := newBrowser(t, ts.URL())
		b.get("/signup")
		status, _ := b.post("/signup", "organisation", fmt.Sprintf("Org %d", i), "name", "N", "email", fmt.Sprintf("n%d@example.com", i), "password", "a long enough password")
		switch status {
		case http.StatusOK:
			created++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("sign-up %d: status %d", i, status)
		}
	}
	if created != 10 || refused != 5 {
		t.Errorf("15 sign-ups from one address: %d created, %d refused; want 10 and 5", created, refused)
	}
}
