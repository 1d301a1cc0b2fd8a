package storetest

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testOfferRequests: a member requests a paid offer once (a second pending
// request is refused, a suspended account cannot ask); the request mails
// every enabled operator in their language; a grant creates the
// subscription and mails the requester in its transaction; a decline
// mails too; a request is decided once.
func testOfferRequests(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("jane@example.com")
	owner.Lang = "fr"
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	var ops []*glpinet.User
	for _, e := range []string{"op1@example.com", "op2@example.com", "gone@example.com"} {
		op := newUser(e)
		op.Role = glpinet.RoleOperator
		if e == "op2@example.com" {
			op.Lang = "fr"
		}
		if err := s.CreateUser(ctx, op); err != nil {
			t.Fatal(err)
		}
		ops = append(ops, op)
	}
	if _, _, err := s.SetUserDisabled(ctx, ops[2].ID, true); err != nil {
		t.Fatal(err)
	}
	claim := func() []string {
		t.Helper()
		mails, err := s.ClaimMails(ctx, c.Now().Add(time.Hour), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range mails {
			line := m.Kind + " " + m.To + " " + m.Lang + " " + m.Data["account"] + " " + m.Data["offer"] + " " + m.Data["requester"] + m.Data["period"] + " " + m.Data["message"] + m.Data["reason"]
			if m.Data["link"] != "" {
				line += " " + m.Data["link"]
			}
			got = append(got, line)
		}
		sort.Strings(got)
		return got
	}
	wantMails := func(got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("mails:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	r := &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "standard", UserID: owner.ID, Message: "for 40 instances", Link: "https://portal.example/operator/requests"}
	if err := s.CreateOfferRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.State != glpinet.OfferRequestPending || !r.CreatedAt.Equal(c.Now()) {
		t.Fatalf("created request: %+v", r)
	}
	wantMails(claim(),
		"offer-request op1@example.com en ACME Standard Jane Doe <jane@example.com> for 40 instances https://portal.example/operator/requests",
		"offer-request op2@example.com fr ACME Standard Jane Doe <jane@example.com> for 40 instances https://portal.example/operator/requests")
	wantCode(t, s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "standard", UserID: owner.ID}), glpinet.ECONFLICT)
	wantCode(t, s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: a.ID, OfferRef: glpinet.FreeOfferReference, UserID: owner.ID}), glpinet.EINVALID)
	wantCode(t, s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "nope", UserID: owner.ID}), glpinet.EINVALID)
	wantCode(t, s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "basic", UserID: ops[0].ID}), glpinet.EINVALID)

	// Granted, once: the subscription and the requester's mail come with it.
	end := c.Now().AddDate(1, 0, 0)
	gctx := glpinet.WithActor(ctx, "user:9 op1@example.com")
	got, sub, err := s.GrantOfferRequest(gctx, r.ID, glpinet.OfferGrant{Begin: c.Now(), End: &end})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != glpinet.OfferRequestGranted || got.DecidedBy != "user:9 op1@example.com" || got.DecidedAt == nil ||
		got.SubscriptionID == nil || *got.SubscriptionID != sub.ID {
		t.Fatalf("granted request: %+v", got)
	}
	subs, err := s.ListSubscriptions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || subs[1].OfferRef != "standard" || subs[1].ID != sub.ID {
		t.Fatalf("subscriptions after the grant: %+v", subs)
	}
	wantMails(claim(), "offer-granted jane@example.com fr ACME Standard from 2026-03-01 until 2027-03-01 ")
	_, _, err = s.GrantOfferRequest(gctx, r.ID, glpinet.OfferGrant{Begin: c.Now()})
	wantCode(t, err, glpinet.ECONFLICT)
	_, err = s.DeclineOfferRequest(gctx, r.ID, "")
	wantCode(t, err, glpinet.ECONFLICT)
	_, _, err = s.GrantOfferRequest(gctx, 9999, glpinet.OfferGrant{Begin: c.Now()})
	wantCode(t, err, glpinet.ENOTFOUND)

	// A bad period leaves the request pending, and mails nothing.
	r2 := &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "advanced", UserID: owner.ID}
	if err := s.CreateOfferRequest(ctx, r2); err != nil {
		t.Fatal(err)
	}
	claim()
	before := c.Now().Add(-48 * time.Hour)
	_, _, err = s.GrantOfferRequest(gctx, r2.ID, glpinet.OfferGrant{Begin: c.Now(), End: &before})
	wantCode(t, err, glpinet.EINVALID)
	wantMails(claim())
	_, err = s.DeclineOfferRequest(gctx, r2.ID, strings.Repeat("x", glpinet.MaxOfferRequestMessageLen+1))
	wantCode(t, err, glpinet.EINVALID)
	if d, err := s.DeclineOfferRequest(gctx, r2.ID, "not sold in your region yet"); err != nil {
		t.Fatal(err)
	} else if d.State != glpinet.OfferRequestDeclined || d.SubscriptionID != nil {
		t.Fatalf("declined request: %+v", d)
	}
	wantMails(claim(), "offer-declined jane@example.com fr ACME Avancé  not sold in your region yet")
	// The reason stays in the audit log, with who declined.
	if events, _, err := s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "offer.request-declined"}); err != nil {
		t.Fatal(err)
	} else if len(events) != 1 || !strings.HasSuffix(events[0].Details, " advanced reason: not sold in your region yet") || events[0].Actor != "user:9 op1@example.com" {
		t.Fatalf("decline's audit events: %+v", events)
	}
	// Once decided, the offer may be asked for again.
	if err := s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "advanced", UserID: owner.ID}); err != nil {
		t.Fatal(err)
	}

	list, err := s.ListOfferRequests(ctx, glpinet.OfferRequestFilter{AccountID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, q := range list {
		states = append(states, q.OfferRef+" "+string(q.State))
	}
	if want := "advanced pending,advanced declined,standard granted"; strings.Join(states, ",") != want {
		t.Fatalf("requests: %s, want %s", strings.Join(states, ","), want)
	}
	if pending, err := s.ListOfferRequests(ctx, glpinet.OfferRequestFilter{State: glpinet.OfferRequestPending}); err != nil || len(pending) != 1 {
		t.Fatalf("pending requests: %d, %v", len(pending), err)
	}

	if err := s.SetAccountState(ctx, a.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateOfferRequest(ctx, &glpinet.OfferRequest{AccountID: a.ID, OfferRef: "basic", UserID: owner.ID}), glpinet.EFORBIDDEN)
}

// testOfferTexts: an offer's prices and descriptions are kept per language.
func testOfferTexts(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	ctx := ctxFor(t)
	o := glpinet.DefaultOffers()[2]
	o.Prices = map[string]string{"en": "€400 / year", "fr": "400 € / an"}
	o.Descriptions = map[string]string{"en": "Every standard plugin."}
	if err := s.SaveOffer(ctx, o); err != nil {
		t.Fatal(err)
	}
	offers, err := s.ListOffers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range offers {
		if got.Reference == o.Reference && (got.Price("fr") != "400 € / an" || got.Description("fr") != "Every standard plugin.") {
			t.Fatalf("saved offer: %+v", got)
		}
	}
}
