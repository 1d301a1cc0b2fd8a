package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

func TestOperatorArea(t *testing.T) {
	ts := startServer(t, nil)
	ctx := glpinet.WithActor(t.Context(), "test")
	hash, _ := auth.HashPassword("operator password", auth.DefaultParams)
	if err := ts.DB.CreateUser(ctx, &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	op := newBrowser(t, ts.URL())
	op.get("/login")
	status, body := op.post("/login", "email", "ops@provider.example", "password", "operator password")
	if status != 200 || !strings.Contains(body, "Customer basic") || !strings.Contains(body, "Customer advanced") {
		t.Fatalf("operator landing page: %d %.200s", status, body)
	}
	if _, body := op.get("/operator/accounts?q=basic"); !strings.Contains(body, "1 accounts") {
		t.Fatalf("search: %.300s", body)
	}
	rec, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["registered"]))
	id := fmt.Sprint(rec.Account.ID)
	op.get("/operator/accounts/" + id)

	// Grant a paid offer: the account's key sees it on /info.
	if status, body := op.post("/operator/accounts/"+id+"/subscriptions", "offer", "standard", "until", "2099-12-31"); status != 200 || !strings.Contains(body, "2099-12-31") {
		t.Fatalf("grant: %d", status)
	}
	g := ts.glpi("registered", "10.0.16")
	eventually(t, func() error {
		if info, _, err := g.RegistrationInfo(t.Context()); err != nil || info.Subscription == nil || info.Subscription.OfferReference != "standard" {
			return fmt.Errorf("after the grant: %+v %v", info, err)
		}
		return nil
	})
	// End it early: back to the free offer.
	_, body = op.get("/operator/accounts/" + id)
	sub := regexp.MustCompile(`action="/operator/subscriptions/(\d+)"`).FindAllStringSubmatch(body, -1)
	if status, _ := op.post("/operator/subscriptions/"+sub[len(sub)-1][1], "until", "2000-01-01", "state", "active"); status != 400 {
		t.Fatalf("ending before the start: %d, want 400", status)
	}
	op.get("/operator/accounts/" + id)
	if status, _ := op.post("/operator/subscriptions/"+sub[len(sub)-1][1], "until", "", "state", "suspended"); status != 200 {
		t.Fatalf("suspend subscription: %d", status)
	}
	eventually(t, func() error {
		if info, _, _ := g.RegistrationInfo(t.Context()); info == nil || info.Subscription.OfferReference != "registered" {
			return fmt.Errorf("after suspending the paid subscription: %+v", info)
		}
		return nil
	})
	// Suspend the account.
	op.get("/operator/accounts/" + id)
	if status, body := op.post("/operator/accounts/"+id+"/state", "state", "suspended"); status != 200 || !strings.Contains(body, "suspended") {
		t.Fatalf("suspend: %d", status)
	}
	eventually(t, func() error {
		if info, _, _ := g.RegistrationInfo(t.Context()); info == nil || info.Code != "ACCOUNT_SUSPENDED" {
			return fmt.Errorf("after suspension: %+v", info)
		}
		return nil
	})
	// Every change is in the audit log, with who made it.
	_, body = op.get("/operator/audit?action=account.state")
	if !strings.Contains(body, "account.state") || !strings.Contains(body, "user:") || strings.Contains(body, "subscription.grant") {
		t.Fatalf("audit filter: %.500s", body)
	}

	// Customers never reach the operator area.
	c := newBrowser(t, ts.URL())
	c.get("/signup")
	c.post("/signup", "organisation", "Nosy", "name", "N", "email", "nosy@example.com", "password", "let me see it all")
	for _, p := range []string{"/operator/accounts", "/operator/accounts/" + id, "/operator/audit"} {
		if status, _ := c.get(p); status != http.StatusForbidden {
			t.Fatalf("customer on %s: %d, want 403", p, status)
		}
	}
	if status, _ := c.post("/operator/accounts/"+id+"/state", "state", "active"); status != http.StatusForbidden {
		t.Fatalf("customer reactivating an account: %d", status)
	}
}

func TestOperatorOffersAndTags(t *testing.T) {
	ts := startServer(t, seedCatalogue(1))
	op := operatorBrowser(t, ts)
	op.get("/operator/offers")
	if status, _ := op.post("/operator/offers", "reference", "gold", "level", "50", "title_en", "Gold", "title_fr", "Or", "features", "marketplace, support"); status != 200 {
		t.Fatalf("new offer: %d", status)
	}
	if status, body := op.post("/operator/offers", "reference", "Bad Ref", "level", "1"); status != 400 || !strings.Contains(body, "offer reference") {
		t.Fatalf("bad offer: %d", status)
	}
	op.get("/operator/offers")
	if status, _ := op.post("/operator/tags/all", "name_en", "Everything", "name_fr", "Tout"); status != 200 {
		t.Fatalf("tag: %d", status)
	}
	g := ts.glpi("", "10.0.16")
	g.Lang = "fr"
	eventually(t, func() error {
		offers, err := g.Offers(t.Context())
		if err != nil || len(offers) != 5 || offers[4].OfferReference != "gold" || offers[4].Title != "Or" {
			return fmt.Errorf("offers after the change: %+v %v", offers, err)
		}
		tags, err := g.TopTags(t.Context(), "fr")
		if err != nil || len(tags) == 0 || tags[0].Tag != "Tout" {
			return fmt.Errorf("tags after the change: %+v %v", tags, err)
		}
		return nil
	})
}
