package service_test

import (
	"errors"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

func TestGrantPeriod(t *testing.T) {
	now := time.Date(2026, 3, 1, 23, 59, 0, 0, time.FixedZone("UTC+2", 2*3600)) // 21:59 UTC
	last := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		last       *time.Time
		begin, end string
	}{
		{nil, "2026-03-01", "2027-03-01"},   // one click: a year, its last day 2027-02-28
		{&last, "2026-03-01", "2027-01-01"}, // until 2026-12-31 included
	} {
		g := service.GrantPeriod(now, tt.last)
		if got := g.Begin.Format(time.DateOnly) + " " + g.End.Format(time.DateOnly); got != tt.begin+" "+tt.end || g.Begin.Location() != time.UTC {
			t.Errorf("GrantPeriod(%v) = %s (%s), want %s %s", tt.last, got, g.Begin.Location(), tt.begin, tt.end)
		}
	}
}

// TestRequestOffer: the rules of a request, whichever surface asks: an
// owner or admin, an offer above the running one or the running one in
// its last 30 days, the message trimmed and the operators' link kept for
// their mail.
func TestRequestOffer(t *testing.T) {
	s, a := fixture(t)
	ctx := glpinet.WithActor(t.Context(), "test")
	user := func(email string, role glpinet.UserRole) *glpinet.User {
		u := &glpinet.User{Email: email, Name: "N", Role: role, AccountID: a.ID, PasswordHash: "x"}
		if role == glpinet.RoleOperator {
			u.AccountID = 0
		}
		if err := s.Store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	owner, member, op := user("owner@acme.example", glpinet.RoleOwner), user("member@acme.example", glpinet.RoleMember), user("op@example.com", glpinet.RoleOperator)
	for _, u := range []*glpinet.User{member, op} {
		if _, err := s.RequestOffer(ctx, u, "standard", "", ""); glpinet.ErrorCode(err) != glpinet.EFORBIDDEN {
			t.Errorf("a request by a %s: %v, want forbidden", u.Role, err)
		}
	}

	// Standard runs until 40 days from now: not askable; basic neither.
	now := s.Now()
	end := now.AddDate(0, 0, 40)
	sub := &glpinet.Subscription{AccountID: a.ID, OfferRef: "standard", Begin: now.AddDate(-1, 0, 0), End: &end}
	if err := s.Store.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"basic", "standard", glpinet.FreeOfferReference} {
		if _, err := s.RequestOffer(ctx, owner, ref, "", ""); !errors.Is(err, service.ErrNotAskable) {
			t.Errorf("a request for %s under standard: %v, want ErrNotAskable", ref, err)
		}
	}
	if _, err := s.RequestOffer(ctx, owner, "platinum", "", ""); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Errorf("a request for no such offer: %v, want invalid", err)
	}
	// In its last 30 days, its renewal may be asked for.
	end = now.AddDate(0, 0, 20)
	if _, err := s.Store.UpdateSubscription(ctx, sub.ID, &end, glpinet.SubscriptionActive); err != nil {
		t.Fatal(err)
	}
	q, err := s.RequestOffer(ctx, owner, "standard", "  renew us  ", "https://portal.example/operator/requests")
	if err != nil || q.ID == 0 || q.Message != "renew us" || q.UserID != owner.ID || q.State != glpinet.OfferRequestPending {
		t.Fatalf("the renewal: %+v, %v", q, err)
	}
	mails, err := s.Store.ClaimMails(ctx, now.Add(time.Hour), time.Minute, 10)
	if err != nil || len(mails) != 1 || mails[0].To != "op@example.com" || mails[0].Data["link"] != "https://portal.example/operator/requests" {
		t.Fatalf("the operator's mail: %+v, %v", mails, err)
	}

	if _, err := s.ListOfferRequests(ctx, a.ID, "done"); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Errorf("an unknown state: %v", err)
	}
	if qs, err := s.ListOfferRequests(ctx, a.ID+1, ""); err != nil || qs == nil || len(qs) != 0 {
		t.Errorf("another account's requests: %v, %v; want an empty list", qs, err)
	}
	got, sub2, err := s.GrantOfferRequest(ctx, q.ID, nil)
	if err != nil || got.State != glpinet.OfferRequestGranted || !sub2.End.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the grant: %+v %+v, %v", got, sub2, err)
	}
	if _, err := s.DeclineOfferRequest(ctx, q.ID, "too late"); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Errorf("declining a granted request: %v", err)
	}
}
