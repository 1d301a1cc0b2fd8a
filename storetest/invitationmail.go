package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testInvitationMails: an invitation with an e-mail address enqueues
// exactly one mail, in the inviter's language, in the transaction that
// stores it, and keeps the address (not the link); a refused invitation,
// or one whose mail cannot be enqueued, leaves neither invitation nor
// mail behind.
func testInvitationMails(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	owner.Lang = "fr"
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	other := &glpinet.Account{Name: "Other"}
	stranger := newUser("stranger@example.com")
	if err := s.SignUp(ctx, other, stranger); err != nil {
		t.Fatal(err)
	}
	newInv := func(code, email string) *glpinet.Invitation {
		return &glpinet.Invitation{AccountID: a.ID, Hash: glpinet.HashKey(code), Display: code[:7], Role: glpinet.RoleAdmin, MaxUses: 1,
			ExpiresAt: c.t.Add(7 * 24 * time.Hour), CreatedBy: owner.ID, Email: email, MailLink: "https://portal.example/join/" + code}
	}

	// Refusals: nothing is stored, nothing is mailed.
	refused := []struct {
		name string
		inv  *glpinet.Invitation
	}{
		{"not an address", newInv("gni_bad1", "not an address")},
		{"a display name", newInv("gni_bad2", "Bob <bob@example.com>")},
		{"too long", newInv("gni_bad3", strings.Repeat("b", glpinet.MaxEmailLen)+"@example.com")},
		{"no link", func() *glpinet.Invitation { i := newInv("gni_bad4", "bob@example.com"); i.MailLink = ""; return i }()},
		{"the owner role", func() *glpinet.Invitation {
			i := newInv("gni_bad5", "bob@example.com")
			i.Role = glpinet.RoleOwner
			return i
		}()},
		{"an inviter of another account", func() *glpinet.Invitation {
			i := newInv("gni_bad6", "bob@example.com")
			i.CreatedBy = stranger.ID
			return i
		}()},
		{"no inviter", func() *glpinet.Invitation { i := newInv("gni_bad7", "bob@example.com"); i.CreatedBy = 0; return i }()},
		// The mail is enqueued after the invitation is written: a mail
		// the outbox refuses rolls the invitation back with it.
		{"a mail too large", func() *glpinet.Invitation {
			i := newInv("gni_bad8", "bob@example.com")
			i.MailLink += strings.Repeat("x", glpinet.MaxMailData)
			return i
		}()},
	}
	for _, tt := range refused {
		wantCode(t, s.CreateInvitation(ctx, tt.inv), glpinet.EINVALID)
		if _, err := s.FindInvitation(ctx, tt.inv.Hash); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
			t.Errorf("%s: the refused invitation was stored (%v)", tt.name, err)
		}
	}
	if n := countMails(t, s); n != 0 {
		t.Fatalf("%d mails after refused invitations, want none", n)
	}

	// A link only: no mail, no address.
	plain := newInv("gni_plain", "")
	plain.MailLink = ""
	if err := s.CreateInvitation(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if n := countMails(t, s); n != 0 {
		t.Fatalf("%d mails after an invitation without address, want none", n)
	}

	mailed := newInv("gni_mailed", " Bob@Example.COM ")
	if err := s.CreateInvitation(ctx, mailed); err != nil {
		t.Fatal(err)
	}
	if mailed.Email != "bob@example.com" {
		t.Errorf("Email = %q, want it normalised", mailed.Email)
	}
	if n := countMails(t, s); n != 1 {
		t.Fatalf("%d mails after one invitation by e-mail, want 1", n)
	}
	ms, err := s.ClaimMails(ctx, c.t, time.Minute, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claimed %v, %v; want the invitation mail", ms, err)
	}
	m := ms[0]
	want := map[string]string{"inviter": owner.Name, "account": "ACME", "role": "admin", "link": "https://portal.example/join/gni_mailed",
		"expires": c.t.Add(7 * 24 * time.Hour).Format("2006-01-02 15:04 UTC")}
	if m.Kind != glpinet.MailKindInvitation || m.To != "bob@example.com" || m.Lang != "fr" || len(m.Data) != len(want) {
		t.Fatalf("invitation mail %+v (data %v)", m, m.Data)
	}
	for k, v := range want {
		if m.Data[k] != v {
			t.Errorf("mail value %s = %q, want %q", k, m.Data[k], v)
		}
	}

	// The address is kept and listed; the link is not.
	found, err := s.FindInvitation(ctx, mailed.Hash)
	if err != nil || found.Email != "bob@example.com" || found.MailLink != "" {
		t.Fatalf("FindInvitation = %+v, %v", found, err)
	}
	list, err := s.ListInvitations(ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].Email != "bob@example.com" || list[1].Email != "" {
		t.Fatalf("ListInvitations = %+v, %v", list, err)
	}
	events, _, err := s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "invitation.create"})
	if err != nil || len(events) != 2 {
		t.Fatalf("audit: %+v, %v", events, err)
	}
	sentTo := 0
	for _, e := range events {
		if strings.HasSuffix(e.Details, " sent to bob@example.com") {
			sentTo++
		}
	}
	if sentTo != 1 {
		t.Errorf("audit details %+v: want one invitation sent to bob@example.com", events)
	}
	// Accepting it changes nothing of the mail nor the address.
	if _, err := s.AcceptInvitation(ctx, mailed.Hash, newUser("bob@example.com")); err != nil {
		t.Fatal(err)
	}
	if n := countMails(t, s); n != 1 {
		t.Errorf("%d mails after the acceptance, want still 1", n)
	}
}
