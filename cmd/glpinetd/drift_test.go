package main

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
)

// The rules below were once written in each surface, and the copies
// disagreed. Each is now package service's; these tests hold every
// surface to it. (The command line's rotation grace is in
// testdata/script/keys.txtar.)

// customerWithToken signs an owner up for a new account in the portal and
// gives them an API token with scopes: the same person on both surfaces.
func customerWithToken(t *testing.T, ts *testServer, org string, scopes ...string) (*browser, *client.API) {
	t.Helper()
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", org, "name", "Owner", "email", "owner@"+strings.ToLower(org)+".example", "password", "a long enough password")
	b.get("/tokens")
	form := url.Values{"csrf": {b.csrf}, "name": {"drift"}, "scope": scopes, "days": {"1"}}
	_, body := b.read(b.c.PostForm(ts.URL()+"/tokens", form))
	return b, &client.API{BaseURL: ts.URL(), Token: tokenRE.FindString(body)}
}

// TestInvitationValidityEverySurface: an invitation is valid for 1 to 90
// days. The portal used to replace any other number with 7 days
// silently; it now refuses it above the form, as the API does.
func TestInvitationValidityEverySurface(t *testing.T) {
	b, api := customerWithToken(t, startServer(t, nil), "Vandelay", "admin")
	b.get("/members")

	for _, days := range []string{"0", "91", "-3", "", "seven"} {
		status, body := b.post("/members/invitations", "role", "member", "max_uses", "1", "days", days)
		if status != 400 || !strings.Contains(html.UnescapeString(body), "An invitation is valid for 1 to 90 days") || linkRE.MatchString(body) {
			t.Errorf("portal, %q days: %d, want 400 with the range and no link; %.300s", days, status, body)
		}
	}
	for _, days := range []int{0, 91} {
		if _, err := api.Invite(t.Context(), glpinet.RoleMember, 1, days); apiCode(err) != "invalid" || !strings.Contains(err.Error(), "1 to 90 days") {
			t.Errorf("API, %d days: %v, want invalid with the range", days, err)
		}
	}
	invs, err := api.Invitations(t.Context())
	if err != nil || invs.Total != 0 {
		t.Fatalf("refused invitations were stored: %+v, %v", invs, err)
	}

	// The bounds themselves are accepted, by both.
	if status, body := b.post("/members/invitations", "role", "member", "max_uses", "1", "days", "90"); status != 200 || !linkRE.MatchString(body) {
		t.Errorf("portal, 90 days: %d", status)
	}
	inv, err := api.Invite(t.Context(), glpinet.RoleMember, 1, 1)
	if err != nil || time.Until(inv.ExpiresAt) > 25*time.Hour {
		t.Errorf("API, 1 day: %+v, %v", inv, err)
	}
}

var keyRowRE = regexp.MustCompile(`action="/keys/(\d+)/rotate"`)

// TestRotationGraceEverySurface: a rotated key keeps working for at most
// 90 days. The API refused more; the command line did not (see
// testdata/script/keys.txtar). The portal rotates with the default grace.
func TestRotationGraceEverySurface(t *testing.T) {
	b, api := customerWithToken(t, startServer(t, nil), "Kramerica", "keys", "read")
	ctx := t.Context()

	k, err := api.IssueKey(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	for _, grace := range []time.Duration{2161 * time.Hour, -time.Hour, 1 << 62} {
		if _, err := api.RotateKey(ctx, k.ID, &grace); apiCode(err) != "invalid" || !strings.Contains(err.Error(), "0 to 2160 hours") {
			t.Errorf("API, grace %s: %v, want invalid with the range", grace, err)
		}
	}
	most := 2160 * time.Hour
	next, err := api.RotateKey(ctx, k.ID, &most)
	if err != nil || next.OldKeyValidUntil == nil || time.Until(*next.OldKeyValidUntil) < most-time.Hour {
		t.Fatalf("API, grace of 90 days: %+v, %v", next, err)
	}

	// The portal gives the default grace, 7 days.
	b.get("/keys")
	_, body := b.post("/keys", "label", "staging")
	id := keyRowRE.FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("no key to rotate on the keys page: %.300s", body)
	}
	_, body = b.post("/keys/" + id[1] + "/rotate")
	want := time.Now().UTC().Add(glpinet.DefaultRotationGrace).Format("2006-01-02")
	if !strings.Contains(body, want) {
		t.Errorf("portal rotation: the page does not say the old key works until %s: %.500s", want, body)
	}
}
