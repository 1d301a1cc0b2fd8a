package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testPasswordResets: a reset link mails itself in its transaction, works
// once and for an hour, ends every session and every other link of the
// user, and queues the "password changed" notice; unknown and disabled
// addresses get nothing; a write that fails leaves no mail.
func testPasswordResets(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	u := newUser("Jane@Example.com")
	u.Lang = "fr"
	if err := s.SignUp(ctx, a, u); err != nil {
		t.Fatal(err)
	}
	sess := &glpinet.Session{Hash: glpinet.HashKey("session-reset"), UserID: u.ID, CSRF: "csrf", ExpiresAt: c.t.Add(12 * time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	req := func(token string) glpinet.PasswordResetRequest {
		return glpinet.PasswordResetRequest{Email: " JANE@example.COM ", Hash: glpinet.HashKey(token), Link: "https://portal.example/password/reset/" + token}
	}

	// Unknown addresses, and bad requests, leave nothing behind.
	_, err := s.CreatePasswordReset(ctx, glpinet.PasswordResetRequest{Email: "nobody@example.com", Hash: glpinet.HashKey("x"), Link: "https://x"})
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.CreatePasswordReset(ctx, glpinet.PasswordResetRequest{Email: u.Email, Link: "https://x"})
	wantCode(t, err, glpinet.EINVALID)
	// The mail is enqueued last: a mail it cannot hold fails the whole
	// write, and the reset written before it goes with it.
	huge := req("gnr_huge")
	huge.Link += strings.Repeat("x", glpinet.MaxMailData)
	_, err = s.CreatePasswordReset(ctx, huge)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: huge.Hash, PasswordHash: "new"})
	wantCode(t, err, glpinet.ENOTFOUND)
	if n := countMails(t, s); n != 0 {
		t.Fatalf("%d mails after refused and rolled-back writes, want none", n)
	}

	first, err := s.CreatePasswordReset(ctx, req("gnr_first"))
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.UserID != u.ID || !first.CreatedAt.Equal(c.t) || !first.ExpiresAt.Equal(c.t.Add(glpinet.PasswordResetValidity)) || first.UsedAt != nil {
		t.Fatalf("CreatePasswordReset = %+v", first)
	}
	ms, err := s.ClaimMails(ctx, c.t, time.Minute, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claimed %v, %v; want the reset mail", ms, err)
	}
	if m := ms[0]; m.Kind != glpinet.MailKindPasswordReset || m.To != "jane@example.com" || m.Lang != "fr" ||
		m.Data["link"] != "https://portal.example/password/reset/gnr_first" || m.Data["name"] != u.Name {
		t.Fatalf("reset mail %+v (data %v)", m, m.Data)
	}
	if err := s.FinishMail(ctx, ms[0].ID, ms[0].Claim, c.t, glpinet.MailOutcome{Sent: true}); err != nil {
		t.Fatal(err)
	}
	if countAudit(t, s, "user.password-reset-request") != 1 {
		t.Error("no audit event for the reset request")
	}

	if found, err := s.FindPasswordReset(ctx, first.Hash); err != nil || found.ID != first.ID || found.UserID != u.ID || found.Usable(c.t) != nil {
		t.Fatalf("FindPasswordReset = %+v, %v", found, err)
	}
	_, err = s.FindPasswordReset(ctx, glpinet.HashKey("gnr_unknown"))
	wantCode(t, err, glpinet.ENOTFOUND)

	// Expiry, by the store's clock.
	c.t = c.t.Add(10 * time.Minute)
	second, err := s.CreatePasswordReset(ctx, req("gnr_second"))
	if err != nil {
		t.Fatal(err)
	}
	third, err := s.CreatePasswordReset(ctx, req("gnr_third"))
	if err != nil {
		t.Fatal(err)
	}
	c.t = first.ExpiresAt
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: first.Hash, PasswordHash: "new-hash"})
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: glpinet.HashKey("gnr_unknown"), PasswordHash: "new-hash"})
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: second.Hash})
	wantCode(t, err, glpinet.EINVALID)
	if _, _, err := s.FindSession(ctx, sess.Hash); err != nil {
		t.Fatalf("a refused reset ended the session: %v", err)
	}

	got, err := s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: second.Hash, PasswordHash: "new-hash", ForgotLink: "https://portal.example/password/forgot"})
	if err != nil || got.ID != u.ID || got.PasswordHash != "new-hash" {
		t.Fatalf("ResetPassword = %+v, %v", got, err)
	}
	if stored, _ := s.FindUserByID(ctx, u.ID); stored.PasswordHash != "new-hash" {
		t.Errorf("password hash %q after the reset", stored.PasswordHash)
	}
	_, _, err = s.FindSession(ctx, sess.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	// Single use, and the user's other links end with it.
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: second.Hash, PasswordHash: "other"})
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: third.Hash, PasswordHash: "other"})
	wantCode(t, err, glpinet.EINVALID)
	if found, err := s.FindPasswordReset(ctx, third.Hash); err != nil || found.UsedAt == nil || !found.UsedAt.Equal(c.t) {
		t.Errorf("the other link after the reset: %+v, %v; want it used now", found, err)
	}
	if countAudit(t, s, "user.password-reset") != 1 {
		t.Error("want one audit event for the reset")
	}
	ms, err = s.ClaimMails(ctx, c.t, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var notice *glpinet.Mail
	for _, m := range ms {
		if m.Kind == glpinet.MailKindPasswordChanged {
			notice = m
		}
	}
	if len(ms) != 3 || notice == nil || notice.To != "jane@example.com" || notice.Lang != "fr" || notice.Data["link"] != "https://portal.example/password/forgot" {
		t.Fatalf("mails after the reset: %d, notice %+v; want two reset mails and the notice", len(ms), notice)
	}

	// A disabled user gets no link, and one mailed before is refused.
	late, err := s.CreatePasswordReset(ctx, req("gnr_late"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetUserDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreatePasswordReset(ctx, req("gnr_disabled"))
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: late.Hash, PasswordHash: "other"})
	wantCode(t, err, glpinet.ENOTFOUND)
}

// testPasswordResetRace: a link used twice at once sets one password.
func testPasswordResetRace(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	u := newUser("race@example.com")
	if err := s.SignUp(ctx, &glpinet.Account{Name: "Race"}, u); err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePasswordReset(ctx, glpinet.PasswordResetRequest{Email: u.Email, Hash: glpinet.HashKey("gnr_race"), Link: "https://x/r"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.ResetPassword(ctx, glpinet.PasswordResetUse{Hash: p.Hash, PasswordHash: "hash"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("a losing use: %v, want EINVALID", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d uses of one link succeeded, want 1", ok)
	}
}

// countMails counts the outbox's mails, every state.
func countMails(t *testing.T, s glpinet.Store) int {
	t.Helper()
	counts, err := s.CountMails(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
