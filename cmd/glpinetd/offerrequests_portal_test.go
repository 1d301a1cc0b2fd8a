package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
)

// TestOfferRequestGrant: a customer's owner asks for Standard on the
// offers page; every operator gets the mail; the pending request shows on
// the card and cannot be made twice; an operator grants it in one click;
// the customer's page shows Standard running, GLPI's registration says
// Standard and the plugin gated on Standard becomes downloadable.
func TestOfferRequestGrant(t *testing.T) {
	ts := startServer(t, seedCatalogue(1))
	ctx := t.Context()
	op := operatorBrowser(t, ts)
	owner := loginAs(t, ts, "registered", "owner@r.example", glpinet.RoleOwner)
	g := ts.glpi("registered", "10.0.16")
	gated := func() (*client.Version, error) {
		plugins, _, err := g.Plugins(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range plugins {
			if p.Key == "plugin000" && len(p.Versions) == 1 {
				return &p.Versions[0], nil
			}
		}
		return nil, fmt.Errorf("no plugin000 in %+v", plugins)
	}
	if v, err := gated(); err != nil || v.DownloadURL != nil {
		t.Fatalf("the standard plugin before the grant: %+v %v", v, err)
	}

	_, body := owner.get("/offers")
	if !strings.Contains(body, `action="/offers/standard/request"`) || strings.Contains(body, `action="/offers/registered/request"`) {
		t.Fatalf("offers page without the request forms: %.2000s", body)
	}
	if status, body := owner.post("/offers/standard/request", "message", "For our 40 sites"); status != 200 || !strings.Contains(body, "waiting for an operator") {
		t.Fatalf("request: %d %.2000s", status, body)
	}
	if status, _ := owner.post("/offers/standard/request"); status != http.StatusConflict {
		t.Fatalf("second request: %d, want 409", status)
	}

	mails, err := ts.DB.ClaimMails(ctx, time.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var toOps []string
	for _, m := range mails {
		if m.Kind == glpinet.MailKindOfferRequest {
			toOps = append(toOps, m.To+" "+m.Data["offer"]+" "+m.Data["account"]+" "+m.Data["message"])
		}
	}
	if want := "ops@provider.example Standard Customer registered For our 40 sites"; strings.Join(toOps, "|") != want {
		t.Fatalf("operators' mails: %q, want %q", toOps, want)
	}

	if _, body := op.get("/operator/requests"); !strings.Contains(body, "Customer registered") || !strings.Contains(body, "owner@r.example") {
		t.Fatalf("operators' requests page: %.2000s", body)
	}
	pending, err := ts.DB.ListOfferRequests(ctx, glpinet.OfferRequestFilter{State: glpinet.OfferRequestPending})
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending requests: %v %v", pending, err)
	}
	status, body := op.post(fmt.Sprintf("/operator/requests/%d/grant", pending[0].ID))
	if status != 200 || !strings.Contains(body, "Offer standard granted until") {
		t.Fatalf("grant: %d %.2000s", status, body)
	}
	if status, _ := op.post(fmt.Sprintf("/operator/requests/%d/decline", pending[0].ID)); status != http.StatusConflict {
		t.Fatalf("declining a granted request: %d, want 409", status)
	}
	mails, _ = ts.DB.ClaimMails(ctx, time.Now().Add(time.Hour), time.Minute, 100)
	if len(mails) != 1 || mails[0].Kind != glpinet.MailKindOfferGranted || mails[0].To != "owner@r.example" {
		t.Fatalf("requester's mail: %+v", mails)
	}

	_, body = owner.get("/offers")
	if i := strings.Index(body, "<h2>Standard</h2>"); i < 0 || !strings.Contains(body[i:i+200], "Your offer") {
		t.Fatalf("offers page after the grant: %.2000s", body)
	}
	eventually(t, func() error {
		info, _, err := g.RegistrationInfo(ctx)
		if err != nil {
			return err
		}
		if info.Subscription == nil || info.Subscription.OfferReference != "standard" {
			return fmt.Errorf("registration: %+v", info.Subscription)
		}
		return nil
	})
	eventually(t, func() error {
		v, err := gated()
		if err != nil {
			return err
		} else if v.DownloadURL == nil {
			return fmt.Errorf("plugin000 (standard) not downloadable with the granted key")
		}
		_, _, err = g.DownloadVersion(ctx, *v, io.Discard)
		return err
	})
}

// TestDashboardLinksToRequest: the dashboard links to the offer's request
// when a paid subscription ends within 30 days, and when it has ended;
// the offers page then offers to request it again.
func TestDashboardLinksToRequest(t *testing.T) {
	ts := startServer(t, nil)
	ctx := glpinet.WithActor(t.Context(), "test")
	owner := loginAs(t, ts, "basic", "owner@b.example", glpinet.RoleOwner)
	rec, err := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["basic"]))
	if err != nil {
		t.Fatal(err)
	}
	var sub *glpinet.Subscription
	for _, s := range rec.Subscriptions {
		if s.OfferRef == "basic" {
			sub = s
		}
	}
	for _, end := range []time.Time{time.Now().AddDate(0, 0, 10), time.Now().Add(-time.Minute)} {
		if _, err := ts.DB.UpdateSubscription(ctx, sub.ID, &end, glpinet.SubscriptionActive); err != nil {
			t.Fatal(err)
		}
		if _, body := owner.get("/dashboard"); !strings.Contains(body, `href="/offers#offer-basic"`) {
			t.Fatalf("dashboard, basic ending %s, without the link: %.2000s", end, body)
		}
		if _, body := owner.get("/offers"); !strings.Contains(body, `action="/offers/basic/request"`) {
			t.Fatalf("offers page, basic ending %s, without its request: %.3000s", end, body)
		}
	}
	if _, body := owner.get("/dashboard"); !strings.Contains(body, "Your Basic subscription ended on") {
		t.Fatalf("dashboard after the end: %.2000s", body)
	}
}

// TestOfferRequestOnlyUpwards: a request for the offer that runs (outside
// its renewal window) or a lower one is refused, even forged past the page
// that hides its button; a higher one is recorded.
func TestOfferRequestOnlyUpwards(t *testing.T) {
	ts := startServer(t, nil)
	admin := loginAs(t, ts, "standard", "admin@std.example", glpinet.RoleAdmin)
	admin.get("/offers")
	for _, ref := range []string{"basic", "standard"} {
		if status, body := admin.post("/offers/"+ref+"/request", "message", "forged"); status != http.StatusConflict || !strings.Contains(body, "nothing to ask for") {
			t.Errorf("request for %s under a running standard offer: %d", ref, status)
		}
	}
	admin.get("/offers")
	if status, _ := admin.post("/offers/advanced/request"); status != http.StatusOK {
		t.Fatalf("request for advanced: %d", status)
	}
	reqs, err := ts.DB.ListOfferRequests(t.Context(), glpinet.OfferRequestFilter{})
	if err != nil || len(reqs) != 1 || reqs[0].OfferRef != "advanced" {
		t.Fatalf("requests recorded: %+v %v", reqs, err)
	}
}
