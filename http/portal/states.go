package portal

import (
	"html/template"
	"time"

	"github.com/glpinet/glpinet"
)

// States of the tokens and invitations the portal lists; each has a text
// "state.<state>" in messages/.
const (
	stateActive  = "active"
	stateExpired = "expired"
	stateRevoked = "revoked"
	stateUsedUp  = "usedup"
)

// tokenState says whether an API token still works at now; only an active
// one can be revoked.
func tokenState(t *glpinet.APIToken, now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return stateRevoked
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return stateExpired
	}
	return stateActive
}

// invitationState says whether an invitation can still be used at now, in
// the order glpinet.Invitation.Usable checks it; only an active one can be
// revoked.
func invitationState(i *glpinet.Invitation, now time.Time) string {
	switch {
	case i.RevokedAt != nil:
		return stateRevoked
	case !now.Before(i.ExpiresAt):
		return stateExpired
	case i.Uses >= i.MaxUses:
		return stateUsedUp
	}
	return stateActive
}

// navSection is the navigation entry a page belongs to: a page that is
// reached from another one's list (an operator's account, a plugin) marks
// that list's entry.
var navSection = map[string]string{"op_account": "op_accounts", "op_plugin": "op_plugins"}

// currentAttr returns the aria-current attribute of the navigation link to
// entry on page: "page" on the page itself, "true" on the section of a
// page reached from it, nothing elsewhere.
func currentAttr(page, entry string) template.HTMLAttr {
	switch {
	case page == entry:
		return `aria-current="page"`
	case navSection[page] == entry:
		return `aria-current="true"`
	}
	return ""
}
