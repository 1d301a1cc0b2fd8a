// Package storetest is the conformance suite every glpinet.Store
// implementation must pass: the same tests, run against SQLite and
// PostgreSQL alike.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// Opener returns a new, empty store for one test, closed by the test's
// cleanup, with its clock set to now.
type Opener func(t *testing.T, now func() time.Time) glpinet.Store

// Run runs the whole suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Accounts", testAccounts},
		{"Offers", testOffers},
		{"Subscriptions", testSubscriptions},
		{"Keys", testKeys},
		{"KeyRotationRace", testKeyRotationRace},
		{"EachKeyHash", testEachKeyHash},
		{"Instances", testInstances},
		{"Pages", testPages},
		{"Plugins", testPlugins},
		{"SignVersions", testSignVersions},
		{"AuditAndChanges", testAuditAndChanges},
		{"AuditNotice", testAuditNotice},
		{"AuditActorFilter", testAuditActorFilter},
		{"SecurityNotices", testSecurityNotices},
		{"Users", testUsers},
		{"Invitations", testInvitations},
		{"InvitationRace", testInvitationRace},
		{"InvitationMails", testInvitationMails},
		{"Tokens", testTokens},
		{"DisableUsers", testDisableUsers},
		{"LastOperator", testLastOperator},
		{"Members", testMembers},
		{"LastOwnerRace", testLastOwnerRace},
		{"Attempts", testAttempts},
		{"AttemptRace", testAttemptRace},
		{"SuspendedIssuing", testSuspendedIssuing},
		{"TextLimits", testTextLimits},
		{"Mail", testMail},
		{"MailClaimRace", testMailClaimRace},
		{"PasswordResets", testPasswordResets},
		{"PasswordResetRace", testPasswordResetRace},
		{"EmailVerification", testEmailVerification},
		{"OfferRequests", testOfferRequests},
		{"OfferTexts", testOfferTexts},
		{"SubscriptionNotices", testSubscriptionNotices},
		{"SubscriptionNoticeRace", testSubscriptionNoticeRace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func ctxFor(t *testing.T) context.Context {
	return glpinet.WithActor(t.Context(), "test:storetest")
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := glpinet.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustAccount(t *testing.T, s glpinet.Store, name string) *glpinet.Account {
	t.Helper()
	a := &glpinet.Account{Name: name}
	if err := s.CreateAccount(ctxFor(t), a); err != nil {
		t.Fatalf("CreateAccount(%q): %v", name, err)
	}
	return a
}

func mustKey(t *testing.T, s glpinet.Store, accountID int64) (string, *glpinet.RegistrationKey) {
	t.Helper()
	raw, err := glpinet.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k := &glpinet.RegistrationKey{AccountID: accountID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
	if err := s.CreateKey(ctxFor(t), k); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return raw, k
}

func ptr[T any](v T) *T { return &v }
