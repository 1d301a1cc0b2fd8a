package glpinet

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayPtr(s string) *time.Time { t := day(s); return &t }

func TestRunningSubscription(t *testing.T) {
	offers := OfferMap(DefaultOffers())
	free := &Subscription{ID: 1, OfferRef: "registered", Begin: day("2025-01-01"), State: SubscriptionActive}
	std := &Subscription{ID: 2, OfferRef: "standard", Begin: day("2026-01-01"), End: dayPtr("2027-01-01"), State: SubscriptionActive}
	adv := &Subscription{ID: 3, OfferRef: "advanced", Begin: day("2026-06-01"), End: dayPtr("2026-07-01"), State: SubscriptionActive}
	basicLong := &Subscription{ID: 4, OfferRef: "standard", Begin: day("2026-01-01"), End: dayPtr("2028-01-01"), State: SubscriptionActive}
	suspended := &Subscription{ID: 5, OfferRef: "advanced", Begin: day("2020-01-01"), State: SubscriptionSuspended}
	unknown := &Subscription{ID: 6, OfferRef: "gone", Begin: day("2020-01-01"), State: SubscriptionActive}
	subs := []*Subscription{free, std, adv, suspended, unknown}
	tests := []struct {
		at   string
		subs []*Subscription
		want *Subscription
	}{
		{"2025-06-01", subs, free},
		{"2026-03-01", subs, std},
		{"2026-06-01", subs, adv},                                  // begin is inclusive
		{"2026-07-01", subs, std},                                  // end is exclusive
		{"2027-01-01", subs, free},                                 // the paid one ended: back to free
		{"2024-01-01", subs, nil},                                  // before anything began
		{"2026-03-01", []*Subscription{std, basicLong}, basicLong}, // same level: the longer one
	}
	for _, tt := range tests {
		if got := RunningSubscription(tt.subs, offers, day(tt.at)); got != tt.want {
			t.Errorf("at %s: running = %+v, want %+v", tt.at, got, tt.want)
		}
	}
	if got := NextChange(subs, day("2026-03-01")); !got.Equal(day("2026-06-01")) {
		t.Errorf("NextChange = %v, want 2026-06-01", got)
	}
	if got := NextChange([]*Subscription{free}, day("2026-03-01")); !got.IsZero() {
		t.Errorf("NextChange of a perpetual subscription = %v, want zero", got)
	}
}

func TestEvaluate(t *testing.T) {
	offers := OfferMap(DefaultOffers())
	now := day("2026-03-01")
	free := &Subscription{OfferRef: "registered", Begin: day("2025-01-01"), State: SubscriptionActive}
	std := &Subscription{OfferRef: "standard", Begin: day("2026-01-01"), End: dayPtr("2026-04-01"), State: SubscriptionActive}
	rec := func(mod func(*KeyRecord)) *KeyRecord {
		r := &KeyRecord{Account: Account{ID: 1, Name: "A", State: AccountActive}, Subscriptions: []*Subscription{free, std}}
		if mod != nil {
			mod(r)
		}
		return r
	}
	tests := []struct {
		name      string
		rec       *KeyRecord
		code      ValidationCode
		valid     bool
		offer     string
		expiresAt string
	}{
		{"running paid", rec(nil), ValidationValid, true, "standard", "2026-04-01"},
		{"revoked", rec(func(r *KeyRecord) { r.Key.RevokedAt = dayPtr("2026-02-01") }), ValidationRevoked, false, "", ""},
		{"revoked later", rec(func(r *KeyRecord) { r.Key.RevokedAt = dayPtr("2026-05-01") }), ValidationValid, true, "standard", "2026-04-01"},
		{"in grace", rec(func(r *KeyRecord) { r.Key.GraceUntil = dayPtr("2026-03-08") }), ValidationValid, true, "standard", "2026-03-08"},
		{"grace over", rec(func(r *KeyRecord) { r.Key.GraceUntil = dayPtr("2026-02-08") }), ValidationRotatedExpired, false, "", ""},
		{"suspended", rec(func(r *KeyRecord) { r.Account.State = AccountSuspended }), ValidationAccountSuspended, true, "", ""},
		{"nothing runs", rec(func(r *KeyRecord) {
			r.Subscriptions = []*Subscription{{OfferRef: "basic", Begin: day("2025-01-01"), End: dayPtr("2026-01-01"), State: SubscriptionActive}}
		}), ValidationSubscriptionEnded, true, "basic", ""},
	}
	for _, tt := range tests {
		v := Evaluate(tt.rec, offers, now)
		offer := ""
		if v.Offer != nil {
			offer = v.Offer.Reference
		}
		exp := ""
		if !v.Expires.IsZero() {
			exp = FormatDate(v.Expires)
		}
		if v.Code != tt.code || v.IsValid() != tt.valid || offer != tt.offer || exp != tt.expiresAt {
			t.Errorf("%s: got code %s valid %v offer %q expires %q; want %s %v %q %q", tt.name, v.Code, v.IsValid(), offer, exp, tt.code, tt.valid, tt.offer, tt.expiresAt)
		}
	}
}

func TestEntitled(t *testing.T) {
	offers := OfferMap(DefaultOffers())
	at := func(ref string) Validation {
		return Validation{Code: ValidationValid, Offer: offers[ref]}
	}
	tests := []struct {
		running  Validation
		required []string
		want     bool
	}{
		{at("registered"), nil, true},
		{Validation{Code: ValidationUnknown}, nil, true},
		{Validation{Code: ValidationUnknown}, []string{"basic"}, false},
		{at("registered"), []string{"basic"}, false},
		{at("basic"), []string{"basic"}, true},
		{at("advanced"), []string{"basic"}, true}, // higher includes lower
		{at("basic"), []string{"standard", "advanced"}, false},
		{at("standard"), []string{"advanced", "standard"}, true},
		{at("advanced"), []string{"platinum"}, false}, // unknown offers unlock nothing
		{Validation{Code: ValidationSubscriptionEnded, Offer: offers["advanced"]}, []string{"basic"}, false},
	}
	for _, tt := range tests {
		if got := Entitled(tt.running, tt.required, offers); got != tt.want {
			t.Errorf("Entitled(%s/%v, %v) = %v, want %v", tt.running.Code, tt.running.Offer, tt.required, got, tt.want)
		}
	}
}

// TestLapsedPaidOffer: when a paid subscription ends, the key stays VALID
// on the free offer, and the verdict keeps the ended one so that GLPI's
// administrator is told which offer ended and when.
func TestLapsedPaidOffer(t *testing.T) {
	offers := OfferMap(DefaultOffers())
	free := &Subscription{ID: 1, OfferRef: "registered", Begin: day("2025-01-01"), State: SubscriptionActive}
	oldBasic := &Subscription{ID: 2, OfferRef: "basic", Begin: day("2025-01-01"), End: dayPtr("2025-06-01"), State: SubscriptionActive}
	std := &Subscription{ID: 3, OfferRef: "standard", Begin: day("2026-01-01"), End: dayPtr("2026-04-01"), State: SubscriptionActive}
	next := &Subscription{ID: 4, OfferRef: "standard", Begin: day("2026-09-01"), End: dayPtr("2027-09-01"), State: SubscriptionActive}
	stopped := &Subscription{ID: 5, OfferRef: "advanced", Begin: day("2025-01-01"), End: dayPtr("2025-02-01"), State: SubscriptionSuspended}
	rec := func(subs ...*Subscription) *KeyRecord {
		return &KeyRecord{Account: Account{ID: 1, Name: "A", State: AccountActive}, Subscriptions: subs}
	}
	for _, tt := range []struct {
		name string
		at   string
		subs []*Subscription
		want *Subscription
	}{
		{"paid one running", "2026-03-01", []*Subscription{free, oldBasic, std}, nil},
		{"paid one ended: the last ended named", "2026-05-01", []*Subscription{free, oldBasic, std}, std},
		{"a renewal is booked: no alarm", "2026-05-01", []*Subscription{free, std, next}, nil},
		{"never paid", "2026-05-01", []*Subscription{free}, nil},
		{"suspended by an operator, not ended", "2026-05-01", []*Subscription{free, stopped}, nil},
	} {
		v := Evaluate(rec(tt.subs...), offers, day(tt.at))
		if v.Code != ValidationValid || v.Offer.Reference != "registered" && tt.want != nil {
			t.Errorf("%s: %s on %v", tt.name, v.Code, v.Offer)
		}
		if v.Lapsed != tt.want {
			t.Errorf("%s: lapsed %+v, want %+v", tt.name, v.Lapsed, tt.want)
		}
		if tt.want != nil && (v.LapsedOffer == nil || v.LapsedOffer.Reference != tt.want.OfferRef) {
			t.Errorf("%s: lapsed offer %+v", tt.name, v.LapsedOffer)
		}
	}
}
