package portal

import (
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

func TestStates(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	for _, c := range []struct {
		tok  glpinet.APIToken
		want string
	}{
		{glpinet.APIToken{}, stateActive},
		{glpinet.APIToken{ExpiresAt: &future}, stateActive},
		{glpinet.APIToken{ExpiresAt: &now}, stateExpired},
		{glpinet.APIToken{ExpiresAt: &past, RevokedAt: &past}, stateRevoked},
	} {
		if got := tokenState(&c.tok, now); got != c.want {
			t.Errorf("token %+v: %s, want %s", c.tok, got, c.want)
		}
	}
	for _, c := range []struct {
		inv  glpinet.Invitation
		want string
	}{
		{glpinet.Invitation{ExpiresAt: future, MaxUses: 2, Uses: 1}, stateActive},
		{glpinet.Invitation{ExpiresAt: future, MaxUses: 1, Uses: 1}, stateUsedUp},
		{glpinet.Invitation{ExpiresAt: now, MaxUses: 1, Uses: 1}, stateExpired},
		{glpinet.Invitation{ExpiresAt: future, MaxUses: 1, RevokedAt: &past}, stateRevoked},
	} {
		if got := invitationState(&c.inv, now); got != c.want {
			t.Errorf("invitation %+v: %s, want %s", c.inv, got, c.want)
		}
		// Only an active invitation is usable, as glpinet says.
		if usable := c.inv.Usable(now) == nil; usable != (c.want == stateActive) {
			t.Errorf("invitation %+v: state %s but Usable says %v", c.inv, c.want, usable)
		}
	}
	// The states' texts, which templates ask for by a computed id.
	for _, id := range []string{"state.token.active", "state.token.expired", "state.token.revoked",
		"state.invitation.active", "state.invitation.expired", "state.invitation.revoked", "state.invitation.usedup"} {
		for _, lang := range httpx.Languages {
			if !portalTexts.Has(lang, id) {
				t.Errorf("%q has no %s text", id, lang)
			}
		}
	}
}

func TestCurrentAttr(t *testing.T) {
	for _, c := range []struct{ page, entry, want string }{
		{"keys", "keys", `aria-current="page"`},
		{"keys", "dashboard", ""},
		{"op_account", "op_accounts", `aria-current="true"`},
		{"op_accounts", "op_plugins", ""},
	} {
		if got := string(currentAttr(c.page, c.entry)); got != c.want {
			t.Errorf("currentAttr(%q, %q) = %q, want %q", c.page, c.entry, got, c.want)
		}
	}
}
