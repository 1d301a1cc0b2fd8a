package storetest

import (
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testEmailVerification: users are verified when they sign up, are added
// or join the plain way; the "to verify" ways store them unverified and
// mail a link in the same transaction; a link works once, for three days,
// and verifying the address (by a link or by hand) ends the others;
// sessions and tokens carry the state.
func testEmailVerification(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	req := func(token string) glpinet.EmailVerificationRequest {
		return glpinet.EmailVerificationRequest{Hash: glpinet.HashKey(token), Link: "https://portal.example/verify/" + token}
	}

	// The plain ways: verified at once.
	plain := newUser("plain@example.com")
	if err := s.SignUp(ctx, &glpinet.Account{Name: "Plain"}, plain); err != nil {
		t.Fatal(err)
	}
	op := &glpinet.User{Email: "ops@example.com", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: fakeHash}
	if err := s.CreateUser(ctx, op); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*glpinet.User{plain, op} {
		got, err := s.FindUserByID(ctx, u.ID)
		if err != nil || !got.Verified() || !got.EmailVerifiedAt.Equal(c.t) || !u.Verified() {
			t.Fatalf("%s: stored %+v, %v; want verified at %v", u.Email, got, err, c.t)
		}
	}

	// A sign-up to verify with no link stores nothing.
	wantCode(t, s.SignUpToVerify(ctx, &glpinet.Account{Name: "X"}, newUser("x@example.com"), glpinet.EmailVerificationRequest{}), glpinet.EINVALID)
	_, err := s.FindUserByEmail(ctx, "x@example.com")
	wantCode(t, err, glpinet.ENOTFOUND)

	a := &glpinet.Account{Name: "ACME"}
	u := newUser("Jane@Example.com")
	u.Lang = "fr"
	if err := s.SignUpToVerify(ctx, a, u, req("gnv_first")); err != nil {
		t.Fatal(err)
	}
	if u.Verified() {
		t.Fatalf("signed up to verify: %+v", u)
	}
	if got, err := s.FindUserByID(ctx, u.ID); err != nil || got.Verified() {
		t.Fatalf("stored %+v, %v; want unverified", got, err)
	}
	sess := &glpinet.Session{Hash: glpinet.HashKey("session-verify"), UserID: u.ID, CSRF: "csrf", ExpiresAt: c.t.Add(30 * 24 * time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, su, err := s.FindSession(ctx, sess.Hash); err != nil || su.Verified() {
		t.Fatalf("session's user %+v, %v; want unverified", su, err)
	}
	ms, err := s.ClaimMails(ctx, c.t, time.Minute, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claimed %v, %v; want the verification mail", ms, err)
	}
	if m := ms[0]; m.Kind != glpinet.MailKindEmailVerify || m.To != "jane@example.com" || m.Lang != "fr" ||
		m.Data["link"] != "https://portal.example/verify/gnv_first" || m.Data["name"] != u.Name {
		t.Fatalf("verification mail %+v (data %v)", m, m.Data)
	}
	if err := s.FinishMail(ctx, ms[0].ID, ms[0].Claim, c.t, glpinet.MailOutcome{Sent: true}); err != nil {
		t.Fatal(err)
	}

	// A second link; the first expires after three days.
	second, err := s.SendEmailVerification(ctx, u.ID, req("gnv_second"))
	if err != nil {
		t.Fatal(err)
	}
	if second.UserID != u.ID || !second.ExpiresAt.Equal(c.t.Add(glpinet.EmailVerificationValidity)) || second.UsedAt != nil {
		t.Fatalf("SendEmailVerification = %+v", second)
	}
	if countAudit(t, s, "user.email-verification-sent") != 1 {
		t.Error("no audit event for the new link")
	}
	_, err = s.SendEmailVerification(ctx, u.ID+1000, req("gnv_nobody"))
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.SendEmailVerification(ctx, u.ID, glpinet.EmailVerificationRequest{})
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.VerifyEmail(ctx, glpinet.HashKey("gnv_unknown"))
	wantCode(t, err, glpinet.ENOTFOUND)

	c.t = c.t.Add(glpinet.EmailVerificationValidity)
	_, err = s.VerifyEmail(ctx, glpinet.HashKey("gnv_first"))
	wantCode(t, err, glpinet.EINVALID)
	c.t = c.t.Add(-time.Minute) // the second still works
	got, err := s.VerifyEmail(ctx, second.Hash)
	if err != nil || got.ID != u.ID || !got.Verified() || !got.EmailVerifiedAt.Equal(c.t) {
		t.Fatalf("VerifyEmail = %+v, %v", got, err)
	}
	if _, su, err := s.FindSession(ctx, sess.Hash); err != nil || !su.Verified() {
		t.Fatalf("session's user %+v, %v; want verified", su, err)
	}
	_, err = s.VerifyEmail(ctx, second.Hash)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.SendEmailVerification(ctx, u.ID, req("gnv_third"))
	wantCode(t, err, glpinet.ECONFLICT)
	events, _, err := s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "user.email-verified"})
	if err != nil || len(events) != 1 || events[0].Actor != glpinet.UserActor(u) || events[0].Subject != glpinet.UserSubject(u.ID) {
		t.Fatalf("audit %+v, %v; want one event by the user", events, err)
	}

	// Joining by an invitation to verify; verified by hand, which ends
	// the link; a disabled user's link is worth nothing.
	inv := &glpinet.Invitation{AccountID: a.ID, Hash: glpinet.HashKey("gni_verify"), Display: "gni_ver", Role: glpinet.RoleMember,
		MaxUses: 3, ExpiresAt: c.t.Add(24 * time.Hour), CreatedBy: u.ID}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	joined := newUser("joined@example.com")
	if _, err := s.AcceptInvitationToVerify(ctx, inv.Hash, joined, req("gnv_joined")); err != nil {
		t.Fatal(err)
	}
	if joined.Verified() || joined.AccountID != a.ID {
		t.Fatalf("joined %+v; want unverified in account %d", joined, a.ID)
	}
	plainJoin := newUser("plainjoin@example.com")
	if _, err := s.AcceptInvitation(ctx, inv.Hash, plainJoin); err != nil || !plainJoin.Verified() {
		t.Fatalf("plain join %+v, %v; want verified", plainJoin, err)
	}
	opCtx := glpinet.WithActor(ctx, glpinet.UserActor(op))
	byHand, changed, err := s.MarkEmailVerified(opCtx, joined.ID)
	if err != nil || !changed || !byHand.Verified() {
		t.Fatalf("MarkEmailVerified = %+v, %v, %v", byHand, changed, err)
	}
	if _, changed, err := s.MarkEmailVerified(opCtx, joined.ID); err != nil || changed {
		t.Fatalf("again: changed %v, %v; want nothing changed", changed, err)
	}
	_, _, err = s.MarkEmailVerified(opCtx, joined.ID+1000)
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.VerifyEmail(ctx, glpinet.HashKey("gnv_joined"))
	wantCode(t, err, glpinet.EINVALID)
	events, _, err = s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "user.email-verified", Actor: glpinet.UserActor(op)})
	if err != nil || len(events) != 1 || events[0].Subject != glpinet.UserSubject(joined.ID) {
		t.Fatalf("audit %+v, %v; want one event by the operator", events, err)
	}

	late := newUser("late@example.com")
	if _, err := s.AcceptInvitationToVerify(ctx, inv.Hash, late, req("gnv_late")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetUserDisabled(ctx, late.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = s.VerifyEmail(ctx, glpinet.HashKey("gnv_late"))
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.SendEmailVerification(ctx, late.ID, req("gnv_late2"))
	wantCode(t, err, glpinet.ENOTFOUND)
}
