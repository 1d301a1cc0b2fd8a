package storetest

import (
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

func testAccounts(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)

	a := mustAccount(t, s, "  ACME IT  ")
	if a.ID == 0 || a.Name != "ACME IT" || a.State != glpinet.AccountActive || !a.CreatedAt.Equal(c.t) {
		t.Fatalf("created account = %+v", a)
	}
	got, err := s.FindAccountByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Fatalf("FindAccountByID mismatch (-want +got):\n%s", diff)
	}

	// Every account starts with a perpetual free subscription, running now.
	subs, err := s.ListSubscriptions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].OfferRef != glpinet.FreeOfferReference || subs[0].End != nil || !subs[0].Covers(c.t) {
		t.Fatalf("initial subscriptions = %+v", subs)
	}

	_, err = s.FindAccountByID(ctx, a.ID+1000)
	wantCode(t, err, glpinet.ENOTFOUND)
	wantCode(t, s.CreateAccount(ctx, &glpinet.Account{Name: "   "}), glpinet.EINVALID)

	mustAccount(t, s, "Beta 50% off")
	mustAccount(t, s, "Gamma")
	found, next, err := s.FindAccounts(ctx, glpinet.AccountFilter{Name: ptr("50%")})
	if err != nil || next != "" || len(found) != 1 || found[0].Name != "Beta 50% off" {
		t.Fatalf("FindAccounts by name = %v, %q, %v", found, next, err)
	}
	// The former offset still skips rows (after the cursor).
	page, next, err := s.FindAccounts(ctx, glpinet.AccountFilter{Offset: 1, Page: glpinet.Page{Limit: 1}})
	if err != nil || next == "" || len(page) != 1 || page[0].Name != "Beta 50% off" {
		t.Fatalf("FindAccounts page = %v, %q, %v", page, next, err)
	}
	if n, err := s.CountAccounts(ctx); err != nil || n != 3 {
		t.Fatalf("CountAccounts = %d, %v", n, err)
	}

	c.t = c.t.Add(time.Hour)
	if err := s.SetAccountState(ctx, a.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindAccountByID(ctx, a.ID)
	if got.State != glpinet.AccountSuspended || !got.UpdatedAt.Equal(c.t) {
		t.Fatalf("after suspend: %+v", got)
	}
	wantCode(t, s.SetAccountState(ctx, a.ID, "frozen"), glpinet.EINVALID)
	wantCode(t, s.SetAccountState(ctx, 99999, glpinet.AccountActive), glpinet.ENOTFOUND)
}

func testOffers(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	ctx := ctxFor(t)
	offers, err := s.ListOffers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(glpinet.DefaultOffers(), offers); diff != "" {
		t.Fatalf("seeded offers (-want +got):\n%s", diff)
	}
	premium := &glpinet.Offer{Reference: "premium", Level: 40, Titles: map[string]string{"en": "Premium"}, Features: []string{"all"}}
	if err := s.SaveOffer(ctx, premium); err != nil {
		t.Fatal(err)
	}
	premium.Titles["fr"] = "Premium+"
	if err := s.SaveOffer(ctx, premium); err != nil {
		t.Fatal(err)
	}
	offers, _ = s.ListOffers(ctx)
	if len(offers) != 5 || offers[4].Reference != "premium" || offers[4].Titles["fr"] != "Premium+" {
		t.Fatalf("after SaveOffer: %+v", offers[len(offers)-1])
	}
	wantCode(t, s.SaveOffer(ctx, &glpinet.Offer{Reference: "Bad Ref"}), glpinet.EINVALID)
}

func testSubscriptions(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := mustAccount(t, s, "ACME")

	begin := c.t.Add(-24 * time.Hour)
	end := c.t.Add(30 * 24 * time.Hour)
	sub := &glpinet.Subscription{AccountID: a.ID, OfferRef: "advanced", Begin: begin, End: &end}
	if err := s.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if sub.ID == 0 || sub.State != glpinet.SubscriptionActive {
		t.Fatalf("created = %+v", sub)
	}
	subs, err := s.ListSubscriptions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 {
		t.Fatalf("got %d subscriptions, want 2", len(subs))
	}
	if diff := cmp.Diff(sub, subs[0]); diff != "" {
		t.Fatalf("listed subscription (-want +got):\n%s", diff)
	}

	wantCode(t, s.CreateSubscription(ctx, &glpinet.Subscription{AccountID: a.ID, OfferRef: "nope", Begin: begin}), glpinet.EINVALID)
	wantCode(t, s.CreateSubscription(ctx, &glpinet.Subscription{AccountID: a.ID, OfferRef: "basic", Begin: end, End: &begin}), glpinet.EINVALID)
	wantCode(t, s.CreateSubscription(ctx, &glpinet.Subscription{AccountID: 4242, OfferRef: "basic", Begin: begin}), glpinet.ENOTFOUND)
	_, err = s.ListSubscriptions(ctx, 4242)
	wantCode(t, err, glpinet.ENOTFOUND)

	newEnd := end.Add(365 * 24 * time.Hour)
	up, err := s.UpdateSubscription(ctx, sub.ID, &newEnd, glpinet.SubscriptionSuspended)
	if err != nil {
		t.Fatal(err)
	}
	if !up.End.Equal(newEnd) || up.State != glpinet.SubscriptionSuspended {
		t.Fatalf("updated = %+v", up)
	}
	_, err = s.UpdateSubscription(ctx, sub.ID, &begin, glpinet.SubscriptionActive)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.UpdateSubscription(ctx, 9999, nil, glpinet.SubscriptionActive)
	wantCode(t, err, glpinet.ENOTFOUND)
}
