package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
)

// apiUser creates a user (of account, 0 for an operator) with an API token
// of scopes, and returns the token's client.
func apiUser(t *testing.T, ts *testServer, email string, account int64, role glpinet.UserRole, scopes ...glpinet.TokenScope) (*glpinet.User, *client.API) {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	hash, _ := auth.HashPassword("a long password!", auth.DefaultParams)
	u := &glpinet.User{Email: email, Name: strings.Split(email, "@")[0], Role: role, AccountID: account, PasswordHash: hash}
	if err := ts.DB.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	raw, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := ts.DB.CreateToken(ctx, &glpinet.APIToken{UserID: u.ID, Name: "t", Hash: auth.HashToken(raw), Scopes: scopes}); err != nil {
		t.Fatal(err)
	}
	return u, &client.API{BaseURL: ts.URL(), Token: raw}
}

// claimMails takes the outbox's mails of kind ("" for every kind) off
// it, as the worker would.
func claimMails(t *testing.T, ts *testServer, kind string) []*glpinet.Mail {
	t.Helper()
	mails, err := ts.DB.ClaimMails(t.Context(), time.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(mails, func(m *glpinet.Mail) bool { return kind != "" && m.Kind != kind })
}

// accountOf returns the ID of the account whose key runs offer.
func (ts *testServer) accountOf(t *testing.T, offer string) int64 {
	t.Helper()
	rec, err := ts.DB.FindKeyRecord(t.Context(), glpinet.HashKey(ts.keys[offer]))
	if err != nil {
		t.Fatal(err)
	}
	return rec.Account.ID
}

// TestOfferRequestAPI: a customer's owner or admin asks for an offer
// through /api/v1 under the portal's rules (a member may not, nor a token
// without the admin scope; not twice, not the free offer, not below the
// running one); every member lists the account's requests, nobody
// another account's; an operator lists every account's by state, grants
// one (the subscription comes with it, once) and declines another with a
// reason the requester is mailed and the audit log keeps.
func TestOfferRequestAPI(t *testing.T) {
	ts := startServer(t, nil)
	ctx := t.Context()
	reg, std := ts.accountOf(t, "registered"), ts.accountOf(t, "standard")
	full := []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys, glpinet.ScopeAdmin}
	_, admin := apiUser(t, ts, "admin@reg.example", reg, glpinet.RoleAdmin, full...)
	_, readOnly := apiUser(t, ts, "reader@reg.example", reg, glpinet.RoleOwner, glpinet.ScopeRead)
	_, member := apiUser(t, ts, "member@reg.example", reg, glpinet.RoleMember, full...)
	_, stdOwner := apiUser(t, ts, "owner@std.example", std, glpinet.RoleOwner, full...)
	_, ops := apiUser(t, ts, "ops@provider.example", 0, glpinet.RoleOperator, append(full, glpinet.ScopePublish)...)

	for _, tc := range []struct {
		name         string
		api          *client.API
		offer, code  string
		wantInMessge string
	}{
		{"a member", member, "standard", "forbidden", "owners and admins"},
		{"a token without the admin scope", readOnly, "standard", "forbidden", `"admin" scope`},
		{"an operator", ops, "standard", "forbidden", "customer accounts"},
		{"the free offer, which every account runs", admin, glpinet.FreeOfferReference, "conflict", "nothing to ask for"},
		{"an unknown offer", admin, "platinum", "invalid", `"platinum"`},
		{"no offer", admin, " ", "invalid", "Say which offer"},
		{"an offer below the running one", stdOwner, "basic", "conflict", "nothing to ask for"},
		{"the running one, far from its end", stdOwner, "standard", "conflict", "nothing to ask for"},
	} {
		if _, err := tc.api.RequestOffer(ctx, tc.offer, ""); apiCode(err) != tc.code || !strings.Contains(err.Error(), tc.wantInMessge) {
			t.Errorf("request by %s: %v, want %s saying %q", tc.name, err, tc.code, tc.wantInMessge)
		}
	}

	q, err := admin.RequestOffer(ctx, "standard", "  For our 40 sites  ")
	if err != nil || q.ID == 0 || q.State != glpinet.OfferRequestPending || q.AccountID != reg || q.Message != "For our 40 sites" {
		t.Fatalf("request: %+v, %v", q, err)
	}
	if _, err := admin.RequestOffer(ctx, "standard", ""); apiCode(err) != "conflict" {
		t.Fatalf("second pending request: %v, want conflict", err)
	}
	mails := claimMails(t, ts, glpinet.MailKindOfferRequest)
	if len(mails) != 1 || mails[0].To != "ops@provider.example" || mails[0].Data["message"] != "For our 40 sites" || mails[0].Data["link"] != "" {
		t.Fatalf("operators' mail: %+v (no link without --public-url)", mails)
	}

	// Every member of the account sees it; another account does not.
	if l, err := member.OfferRequests(ctx, "", 0); err != nil || l.Total != 1 || l.Data[0].ID != q.ID {
		t.Fatalf("member's list: %+v, %v", l, err)
	}
	if l, err := stdOwner.OfferRequests(ctx, "", reg); err != nil || l.Total != 0 {
		t.Fatalf("another account's list (its ?account= ignored): %+v, %v", l, err)
	}
	if _, err := admin.OfferRequests(ctx, "waiting", 0); apiCode(err) != "invalid" {
		t.Fatalf("unknown state: %v", err)
	}

	// Operators: every account's, by state; customers cannot decide.
	if _, err := admin.GrantOfferRequest(ctx, q.ID, ""); apiCode(err) != "forbidden" {
		t.Fatalf("a customer's grant: %v", err)
	}
	if _, err := admin.DeclineOfferRequest(ctx, q.ID, ""); apiCode(err) != "forbidden" {
		t.Fatalf("a customer's decline: %v", err)
	}
	if l, err := ops.OfferRequests(ctx, glpinet.OfferRequestPending, 0); err != nil || l.Total != 1 || l.Data[0].ID != q.ID {
		t.Fatalf("operator's pending list: %+v, %v", l, err)
	}
	if _, err := ops.GrantOfferRequest(ctx, q.ID, "31/12/2099"); apiCode(err) != "invalid" {
		t.Fatalf("grant with a bad day: %v", err)
	}
	g, err := ops.GrantOfferRequest(ctx, q.ID, "")
	if err != nil || g.Request.State != glpinet.OfferRequestGranted || g.Subscription == nil || g.Subscription.OfferRef != "standard" ||
		g.Request.SubscriptionID == nil || *g.Request.SubscriptionID != g.Subscription.ID || !strings.HasPrefix(g.Request.DecidedBy, "token:") {
		t.Fatalf("grant: %+v, %v", g, err)
	}
	// The one-click grant: from today for a year.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if !g.Subscription.Begin.Equal(today) || !g.Subscription.End.Equal(today.AddDate(1, 0, 0)) {
		t.Fatalf("granted period %s to %s, want a year from %s", g.Subscription.Begin, g.Subscription.End, today)
	}
	if _, err := ops.GrantOfferRequest(ctx, q.ID, ""); apiCode(err) != "conflict" {
		t.Fatalf("second grant: %v", err)
	}
	if _, err := ops.DeclineOfferRequest(ctx, 99999, ""); apiCode(err) != "not_found" {
		t.Fatalf("unknown request: %v", err)
	}
	subs, err := admin.Subscriptions(ctx)
	if err != nil || subs.Total != 2 {
		t.Fatalf("subscriptions after the grant: %+v, %v", subs, err)
	}

	// Declined with a reason: mailed to the requester, kept in the audit.
	q2, err := admin.RequestOffer(ctx, "advanced", "")
	if err != nil {
		t.Fatal(err)
	}
	claimMails(t, ts, "")
	if _, err := ops.DeclineOfferRequest(ctx, q2.ID, strings.Repeat("x", glpinet.MaxOfferRequestMessageLen+1)); apiCode(err) != "invalid" {
		t.Fatalf("decline with a reason too long: %v", err)
	}
	d, err := ops.DeclineOfferRequest(ctx, q2.ID, " Not sold in your region yet ")
	if err != nil || d.State != glpinet.OfferRequestDeclined || d.SubscriptionID != nil {
		t.Fatalf("decline: %+v, %v", d, err)
	}
	mails = claimMails(t, ts, glpinet.MailKindOfferDeclined)
	if len(mails) != 1 || mails[0].To != "admin@reg.example" || mails[0].Data["reason"] != "Not sold in your region yet" {
		t.Fatalf("requester's mail: %+v", mails)
	}
	events, err := ops.Audit(ctx, glpinet.AuditFilter{Action: "offer.request-declined"})
	if err != nil || len(events.Data) != 1 || !strings.HasSuffix(events.Data[0].Details, "reason: Not sold in your region yet") {
		t.Fatalf("decline's audit: %+v, %v", events, err)
	}
	if l, err := ops.OfferRequests(ctx, "", reg); err != nil || l.Total != 2 || l.Data[0].ID != q2.ID || l.Data[1].State != glpinet.OfferRequestGranted {
		t.Fatalf("operator's list of the account, newest first: %+v, %v", l, err)
	}
	if l, err := ops.OfferRequests(ctx, glpinet.OfferRequestPending, 0); err != nil || l.Total != 0 {
		t.Fatalf("pending after the decisions: %+v, %v", l, err)
	}
}

// TestOfferRequestDeclineReason: the operators' requests page declines
// with a reason, mailed to the requester as the API's and the command
// line's are.
func TestOfferRequestDeclineReason(t *testing.T) {
	ts := startServer(t, nil)
	op := operatorBrowser(t, ts)
	owner := loginAs(t, ts, "registered", "owner@r.example", glpinet.RoleOwner)
	owner.get("/offers")
	if status, _ := owner.post("/offers/basic/request"); status != 200 {
		t.Fatalf("request: %d", status)
	}
	pending, err := ts.DB.ListOfferRequests(t.Context(), glpinet.OfferRequestFilter{State: glpinet.OfferRequestPending})
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %v %v", pending, err)
	}
	if _, body := op.get("/operator/requests"); !strings.Contains(body, `name="reason"`) {
		t.Fatalf("the requests page has no reason field: %.2000s", body)
	}
	claimMails(t, ts, "")
	if status, body := op.post(fmt.Sprintf("/operator/requests/%d/decline", pending[0].ID), "reason", "Basic is no longer sold"); status != 200 || !strings.Contains(body, "declined") {
		t.Fatalf("decline: %d %.2000s", status, body)
	}
	if mails := claimMails(t, ts, glpinet.MailKindOfferDeclined); len(mails) != 1 || mails[0].To != "owner@r.example" || mails[0].Data["reason"] != "Basic is no longer sold" {
		t.Fatalf("requester's mail: %+v", mails)
	}
}
