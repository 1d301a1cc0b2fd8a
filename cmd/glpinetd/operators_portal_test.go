package main

import (
	"fmt"
	"time"

	"net/http"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// TestOperatorsPage: an operator adds a colleague from the browser, the
// colleague signs in, is disabled from the page (shut out at once: their
// session ends, their password no longer opens one) and enabled again;
// nobody can disable themselves, and every change is in the audit log
// under the operator who made it.
func TestOperatorsPage(t *testing.T) {
	ts := startServer(t, nil)
	op := operatorBrowser(t, ts)
	if status, body := op.get("/operator/operators"); status != 200 || !strings.Contains(body, "ops@provider.example (you)") {
		t.Fatalf("operators page: %d %.400s", status, body)
	}

	status, body := op.post("/operator/operators", "email", "colleague@provider.example", "name", "Colleague",
		"password", "colleague password", "password2", "colleague password typo")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "The two passwords differ") {
		t.Fatalf("mistyped confirmation: %d", status)
	}
	status, body = op.post("/operator/operators", "email", "colleague@provider.example", "name", "Colleague",
		"password", "colleague password", "password2", "colleague password")
	if status != 200 || !strings.Contains(body, "Operator colleague@provider.example created") {
		t.Fatalf("create: %d %.400s", status, body)
	}
	colleague := newBrowser(t, ts.URL())
	colleague.get("/login")
	colleague.post("/login", "email", "colleague@provider.example", "password", "colleague password")
	if _, body := colleague.get("/operator/accounts"); !strings.Contains(body, `data-page="op_accounts"`) {
		t.Fatalf("the new operator's area: %.300s", body)
	}

	ops, err := ts.DB.ListOperators(t.Context())
	if err != nil || len(ops) != 2 {
		t.Fatalf("operators: %v %v", ops, err)
	}
	ids := map[string]int64{}
	for _, o := range ops {
		ids[o.Email] = o.ID
	}
	status, body = op.post(fmt.Sprintf("/operator/operators/%d/state", ids["ops@provider.example"]), "state", "disabled")
	if status != http.StatusConflict || !strings.Contains(body, "You cannot disable yourself") {
		t.Fatalf("disabling oneself: %d", status)
	}
	status, body = op.post(fmt.Sprintf("/operator/operators/%d/state", ids["colleague@provider.example"]), "state", "disabled")
	if status != 200 || !strings.Contains(body, "colleague@provider.example is disabled") || !strings.Contains(body, "disabled since") {
		t.Fatalf("disable: %d %.400s", status, body)
	}
	if _, body := colleague.get("/operator/accounts"); !strings.Contains(body, `data-page="login"`) {
		t.Fatalf("the disabled operator's session still opens the operator area: %.300s", body)
	}
	again := newBrowser(t, ts.URL())
	again.get("/login")
	if status := again.postLogin("colleague@provider.example", "colleague password", nil); status == http.StatusOK || status == http.StatusSeeOther {
		t.Fatalf("the disabled operator signed in again: %d", status)
	}

	status, _ = op.post(fmt.Sprintf("/operator/operators/%d/state", ids["colleague@provider.example"]), "state", "enabled")
	if status != 200 {
		t.Fatalf("enable: %d", status)
	}
	again.get("/login")
	again.post("/login", "email", "colleague@provider.example", "password", "colleague password")
	if _, body := again.get("/operator/accounts"); !strings.Contains(body, `data-page="op_accounts"`) {
		t.Fatalf("after enable: %.300s", body)
	}
	// A customer's ID is not an operator's: not found here.
	customer := &glpinet.User{AccountID: 1, Email: "member@customer.example", Name: "M", Role: glpinet.RoleMember, PasswordHash: "x"}
	if err := ts.DB.CreateUser(glpinet.WithActor(t.Context(), "test"), customer); err != nil {
		t.Fatal(err)
	}
	if status, _ := op.post(fmt.Sprintf("/operator/operators/%d/state", customer.ID), "state", "disabled"); status != http.StatusNotFound {
		t.Fatalf("a customer's ID: %d", status)
	}

	events, _, err := ts.DB.ListAuditEvents(t.Context(), glpinet.AuditFilter{Page: glpinet.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range events {
		if strings.HasPrefix(e.Action, "user.") && e.Actor != "test" {
			seen = append(seen, e.Action)
			// Who did it, by e-mail, not only "user:<id>".
			if want := fmt.Sprintf("user:%d ops@provider.example", ids["ops@provider.example"]); e.Actor != want {
				t.Errorf("%s recorded as done by %q, want %q", e.Action, e.Actor, want)
			}
		}
	}
	if got := strings.Join(seen, " "); !strings.Contains(got, "user.disable") || !strings.Contains(got, "user.enable") || !strings.Contains(got, "user.create") {
		t.Errorf("audit actions %q, want user.create, user.disable and user.enable", got)
	}
}

// TestOperatorMailsPage: a mail the SMTP server refused for good is shown
// to operators with the server's answer, and never its contents.
func TestOperatorMailsPage(t *testing.T) {
	ts := startServer(t, nil)
	ctx := glpinet.WithActor(t.Context(), "test")
	m := &glpinet.Mail{To: "typo@customer.example", Lang: "en", Kind: glpinet.MailKindTest, Data: map[string]string{"server": "secret-link-value"}}
	if err := ts.DB.EnqueueMail(ctx, m); err != nil {
		t.Fatal(err)
	}
	claimed, err := ts.DB.ClaimMails(ctx, time.Now().Add(time.Minute), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := ts.DB.FinishMail(ctx, claimed[0].ID, claimed[0].Claim, time.Now(), glpinet.MailOutcome{Error: "550 5.1.1 no such user"}); err != nil {
		t.Fatal(err)
	}
	op := operatorBrowser(t, ts)
	status, body := op.get("/operator/mails")
	if status != 200 || !strings.Contains(body, "typo@customer.example") || !strings.Contains(body, "550 5.1.1 no such user") || !strings.Contains(body, "given up (1)") {
		t.Fatalf("mails page: %d %.600s", status, body)
	}
	if strings.Contains(body, "secret-link-value") {
		t.Fatal("the page shows a mail's contents")
	}
	if _, body := op.get("/operator/mails?state=sent"); strings.Contains(body, "typo@customer.example") {
		t.Fatal("a given-up mail listed as sent")
	}
}
