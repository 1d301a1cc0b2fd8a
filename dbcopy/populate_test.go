package dbcopy_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
)

// clock is a store clock with nanoseconds, as the sqlite store keeps them
// (the target keeps microseconds).
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Minute + 1234567*time.Nanosecond)
	return c.t
}

// secrets are the hashes a comparison looks up by (the stores do not list
// them).
type secrets struct {
	keys, sessions, invitations, tokens [][32]byte
	emails                              []string
}

const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

// newSource creates a SQLite store in t's temporary directory.
func newSource(t testing.TB) (*sqlite.DB, *clock) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)}
	db.Now = c.now
	return db, c
}

// populate stores every kind of row: accounts in both states,
// subscriptions past, current, future, perpetual and suspended, keys
// plain, rotated (in grace), revoked and bulk-issued, instances, a
// catalogue with yanked, gated and signed versions and tags, users of
// every role including an operator, sessions, invitations (open, used,
// revoked), API tokens (expiring, touched, revoked), attempt counters and
// the audit events all of that wrote.
func populate(t *testing.T, s glpinet.Store, c *clock) *secrets {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "cli:test")
	sec := &secrets{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	acme := &glpinet.Account{Name: "ACME"}
	must(s.CreateAccount(ctx, acme))
	globex := &glpinet.Account{Name: "Globex Ünïcode"}
	must(s.CreateAccount(ctx, globex))

	now := c.t
	past, pastEnd := now.AddDate(-1, 0, 0), now.AddDate(0, -1, 0)
	future := now.AddDate(0, 2, 0)
	end := now.AddDate(1, 0, 0)
	for _, sub := range []*glpinet.Subscription{
		{AccountID: acme.ID, OfferRef: "basic", Begin: past, End: &pastEnd, State: glpinet.SubscriptionActive},
		{AccountID: acme.ID, OfferRef: "standard", Begin: now.Add(-time.Hour), End: &end, State: glpinet.SubscriptionActive},
		{AccountID: acme.ID, OfferRef: "advanced", Begin: future, State: glpinet.SubscriptionActive},
		{AccountID: globex.ID, OfferRef: "advanced", Begin: past, End: &end, State: glpinet.SubscriptionActive},
	} {
		must(s.CreateSubscription(ctx, sub))
	}
	subs, err := s.ListSubscriptions(ctx, globex.ID)
	must(err)
	_, err = s.UpdateSubscription(ctx, subs[len(subs)-1].ID, &end, glpinet.SubscriptionSuspended)
	must(err)

	key := func(accountID int64, label string) *glpinet.RegistrationKey {
		raw, err := glpinet.GenerateKey()
		must(err)
		k := &glpinet.RegistrationKey{AccountID: accountID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: label}
		sec.keys = append(sec.keys, k.Hash)
		return k
	}
	plain := key(acme.ID, "prod")
	must(s.CreateKey(ctx, plain))
	rotated := key(acme.ID, "staging")
	must(s.CreateKey(ctx, rotated))
	must(s.RotateKey(ctx, rotated.ID, key(acme.ID, "staging (rotated)"), now.Add(7*24*time.Hour)))
	revoked := key(acme.ID, "old")
	must(s.CreateKey(ctx, revoked))
	must(s.RevokeKey(ctx, revoked.ID))
	must(s.CreateKey(ctx, key(globex.ID, "")))
	// Suspended once its key is issued: a suspended account gets no new
	// keys.
	must(s.SetAccountState(ctx, globex.ID, glpinet.AccountSuspended))
	var bulk []*glpinet.RegistrationKey
	for range 25 {
		bulk = append(bulk, key(acme.ID, "bulk"))
	}
	must(s.CreateKeys(ctx, bulk))

	must(s.RecordSightings(ctx, []glpinet.Sighting{
		{KeyID: plain.ID, AccountID: acme.ID, UID: "uid-a", GLPIVersion: "10.0.18", InstallMode: "TARBALL", At: c.now()},
		{KeyID: plain.ID, AccountID: acme.ID, UID: "uid-b", GLPIVersion: "11.0.1", InstallMode: "DOCKER", At: c.now()},
		{KeyID: rotated.ID, AccountID: acme.ID, UID: "uid-c", GLPIVersion: "10.0.9", InstallMode: "", At: c.now()},
	}))
	must(s.RecordSightings(ctx, []glpinet.Sighting{
		{KeyID: plain.ID, AccountID: acme.ID, UID: "uid-a", GLPIVersion: "10.0.19", InstallMode: "TARBALL", At: c.now()},
	}))

	must(s.SaveTag(ctx, &glpinet.Tag{Key: "reports", Names: map[string]string{"en": "Reports", "fr": "Rapports"}}))
	must(s.SaveTag(ctx, &glpinet.Tag{Key: "inventory", Names: map[string]string{"en": "Inventory"}}))
	must(s.SaveTag(ctx, &glpinet.Tag{Key: "unused", Names: map[string]string{}}))
	version := func(num, compat string, offers ...string) *glpinet.Version {
		return &glpinet.Version{Num: num, Compatibility: compat, Stability: glpinet.StabilityStable, RequiredOffers: offers,
			Archive: glpinet.Archive{Filename: "glpi-x-" + num + ".tar.gz", Format: "tar.gz", Size: 1234, SHA256: fmt.Sprintf("%064x", len(num)), Path: "x/" + num + ".tar.gz"}}
	}
	reports := &glpinet.Plugin{Key: "reports", Name: "Reports", License: "GPLv3+", Authors: []string{"Teclib'", "Jane Doe"}, Note: 4.5,
		HomepageURL:  "https://example.com/reports",
		Descriptions: []glpinet.Description{{Lang: "en", Short: "Reports", Long: "Long text"}, {Lang: "fr", Short: "Rapports", Long: "Texte « long »"}},
		Tags:         []string{"reports", "inventory"}}
	must(s.PublishVersion(ctx, reports, version("1.0.0", "~10.0"), false))
	must(s.PublishVersion(ctx, reports, version("1.1.0", ">=10.0 <11.0", "basic"), false))
	signed := version("2.0.0", "^11.0", "standard", "advanced")
	signed.Archive.Signature = []byte{0, 1, 2, 0xff, 0xfe}
	signed.Stability = "beta"
	must(s.PublishVersion(ctx, reports, signed, false))
	must(s.YankVersion(ctx, "reports", "1.0.0", true))
	must(s.AddDownloads(ctx, "reports", 42))
	must(s.PublishVersion(ctx, &glpinet.Plugin{Key: "addressing", Name: "Addressing", Tags: []string{"inventory"}}, version("3.0.0", ""), false))
	meta := &glpinet.Plugin{Key: "addressing", Name: "IP Addressing", Authors: []string{"A"}, Tags: []string{"inventory", "reports"}}
	must(s.SavePluginMeta(ctx, meta))
	must(s.SaveOffer(ctx, &glpinet.Offer{Reference: "platinum", Level: 40, Titles: map[string]string{"en": "Platinum", "fr": "Platine"}, Features: []string{"support", "sla"}}))

	owner := &glpinet.User{Email: "jane@example.com", Name: "Jane", PasswordHash: fakeHash}
	initech := &glpinet.Account{Name: "Initech"}
	must(s.SignUp(ctx, initech, owner))
	member := &glpinet.User{AccountID: acme.ID, Role: glpinet.RoleMember, Email: "bob@example.com", Name: "Bob", Lang: "fr", PasswordHash: fakeHash}
	must(s.CreateUser(ctx, member))
	op := &glpinet.User{Role: glpinet.RoleOperator, Email: "ops@provider.example", Name: "Ops", PasswordHash: fakeHash}
	must(s.CreateUser(ctx, op))
	sec.emails = []string{owner.Email, member.Email, op.Email}

	sess := &glpinet.Session{Hash: glpinet.HashKey("session-1"), UserID: owner.ID, CSRF: "csrf-1", CreatedAt: c.now(), ExpiresAt: c.t.Add(12 * time.Hour)}
	must(s.CreateSession(ctx, sess))
	sess2 := &glpinet.Session{Hash: glpinet.HashKey("session-2"), UserID: op.ID, CSRF: "csrf-2", CreatedAt: c.now(), ExpiresAt: c.t.Add(12 * time.Hour)}
	must(s.CreateSession(ctx, sess2))
	sec.sessions = [][32]byte{sess.Hash, sess2.Hash}

	for i, role := range []glpinet.UserRole{glpinet.RoleAdmin, glpinet.RoleMember, glpinet.RoleMember} {
		inv := &glpinet.Invitation{AccountID: initech.ID, Hash: glpinet.HashKey(fmt.Sprint("gni_code", i)), Display: "gni_cod", Role: role,
			MaxUses: 2, ExpiresAt: c.t.Add(24 * time.Hour), CreatedBy: owner.ID}
		if i == 1 { // one sent by e-mail: its address is copied too
			inv.Email, inv.MailLink = "invitee@example.com", "https://portal.example/join/gni_code1"
		}
		must(s.CreateInvitation(ctx, inv))
		sec.invitations = append(sec.invitations, inv.Hash)
	}
	_, err = s.AcceptInvitation(ctx, sec.invitations[0], &glpinet.User{Email: "joiner@example.com", Name: "Joiner", PasswordHash: fakeHash})
	must(err)
	sec.emails = append(sec.emails, "joiner@example.com")
	must(s.RevokeInvitation(ctx, initech.ID, mustInvitationID(t, s, sec.invitations[1])))

	exp := c.t.Add(30 * 24 * time.Hour)
	tokens := []*glpinet.APIToken{
		{UserID: owner.ID, Name: "ci", Hash: glpinet.HashKey("gnt_1"), Display: "gnt_1", Scopes: []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys}, ExpiresAt: &exp},
		{UserID: owner.ID, Name: "forever", Hash: glpinet.HashKey("gnt_2"), Display: "gnt_2", Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}},
		{UserID: op.ID, Name: "publisher", Hash: glpinet.HashKey("gnt_3"), Display: "gnt_3", Scopes: []glpinet.TokenScope{glpinet.ScopePublish}},
	}
	for _, tok := range tokens {
		must(s.CreateToken(ctx, tok))
		sec.tokens = append(sec.tokens, tok.Hash)
	}
	must(s.TouchToken(ctx, tokens[0].ID, c.now()))
	must(s.RevokeToken(ctx, owner.ID, tokens[1].ID))

	// Mails: one waiting (its values kept), one sent (its values gone).
	for _, to := range []string{"jane@example.com", "zoé@example.com"} {
		must(s.EnqueueMail(ctx, &glpinet.Mail{To: to, Lang: "fr", Kind: glpinet.MailKindTest, Data: map[string]string{"link": "https://x/reset?t=1"}}))
	}
	claimed, err := s.ClaimMails(ctx, c.t, time.Minute, 1)
	must(err)
	must(s.FinishMail(ctx, claimed[0].ID, claimed[0].Claim, c.t, glpinet.MailOutcome{Sent: true}))
	// A password reset link, with its mail waiting.
	_, err = s.CreatePasswordReset(ctx, glpinet.PasswordResetRequest{Email: member.Email, Hash: glpinet.HashKey("gnr_1"), Link: "https://x/password/reset/gnr_1"})
	must(err)
	// A sign-up whose e-mail address waits for its verification link.
	must(s.SignUpToVerify(ctx, &glpinet.Account{Name: "Unverified"}, &glpinet.User{Email: "new@example.com", Name: "New", PasswordHash: "x"},
		glpinet.EmailVerificationRequest{Hash: glpinet.HashKey("gnv_1"), Link: "https://x/verify/gnv_1"}))

	// Offer requests: one granted (its decision and subscription), one
	// waiting.
	granted := &glpinet.OfferRequest{AccountID: owner.AccountID, OfferRef: "advanced", UserID: owner.ID, Message: "pour 40 sites"}
	must(s.CreateOfferRequest(ctx, granted))
	grantEnd := c.t.AddDate(1, 0, 0)
	_, _, err = s.GrantOfferRequest(ctx, granted.ID, glpinet.OfferGrant{Begin: c.t, End: &grantEnd})
	must(err)
	must(s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: owner.AccountID, OfferRef: "basic", UserID: owner.ID}))

	// A subscription ending in 5 days, told: its 7-day notice (the
	// 30-day one recorded as skipped) and their mails.
	soon := c.t.AddDate(0, 0, 5)
	must(s.CreateSubscription(ctx, &glpinet.Subscription{AccountID: owner.AccountID, OfferRef: "basic", Begin: past, End: &soon, State: glpinet.SubscriptionActive}))
	_, err = s.SendSubscriptionNotices(ctx, c.t, "https://x/offers")
	must(err)

	// Attempt counters, which a copy leaves behind.
	for _, k := range []string{"login-email:aa", "login-ip:bb"} {
		_, err := s.CountAttempt(ctx, k, 15*time.Minute, c.t, 2)
		must(err)
	}
	return sec
}

func mustInvitationID(t *testing.T, s glpinet.Store, hash [32]byte) int64 {
	t.Helper()
	inv, err := s.FindInvitation(context.WithoutCancel(t.Context()), hash)
	if err != nil {
		t.Fatal(err)
	}
	return inv.ID
}
