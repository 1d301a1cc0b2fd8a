package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// TestRequestCommands: "glpinetd request list" shows the pending requests
// with their account and requester (as text and --json); "request grant"
// grants one with the subscription (flags after the ID), "request
// decline" declines one with a reason mailed to the requester (flags
// before the ID); a request is decided once, and each mistake is one line
// with its remedy.
func TestRequestCommands(t *testing.T) {
	ctx := glpinet.WithActor(t.Context(), "test")
	sf := storeFlags{data: filepath.Join(t.TempDir(), "data")}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &glpinet.Account{Name: "Initech"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.HashPassword("a long password!", auth.DefaultParams)
	owner := &glpinet.User{Email: "bill@initech.example", Name: "Bill", Role: glpinet.RoleOwner, AccountID: a.ID, PasswordHash: hash}
	op := &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}
	for _, u := range []*glpinet.User{owner, op} {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	var reqs []*glpinet.OfferRequest
	for _, ref := range []string{"standard", "advanced"} {
		q := &glpinet.OfferRequest{AccountID: a.ID, OfferRef: ref, UserID: owner.ID, Message: "TPS reports\nfor " + ref}
		if err := db.CreateOfferRequest(ctx, q); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, q)
	}
	db.Close()

	glpinetd := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), append(args, "--data", sf.data), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := glpinetd(args...)
		if code != 0 {
			t.Fatalf("glpinetd %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return out
	}

	out := must("request", "list", "--state", "pending")
	for _, want := range []string{"ID  ACCOUNT", fmt.Sprintf("%d   %d Initech  advanced  pending", reqs[1].ID, a.ID), "bill@initech.example  TPS reports for advanced"} {
		if !strings.Contains(out, want) {
			t.Fatalf("request list lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "advanced") > strings.Index(out, "standard") {
		t.Fatalf("request list is not newest first:\n%s", out)
	}
	var rows []struct {
		ID        int64  `json:"id"`
		Offer     string `json:"offer_reference"`
		Account   string `json:"account_name"`
		Requester string `json:"requester_email"`
	}
	if err := json.Unmarshal([]byte(must("--json", "request", "list")), &rows); err != nil || len(rows) != 2 || rows[1].Offer != "standard" ||
		rows[1].Account != "Initech" || rows[1].Requester != "bill@initech.example" {
		t.Fatalf("request list --json: %+v, %v", rows, err)
	}

	out = must("request", "grant", fmt.Sprint(reqs[0].ID), "--until", "2099-12-31")
	if want := fmt.Sprintf("Request %d granted: account %d has the standard offer from %s until 2099-12-31 included", reqs[0].ID, a.ID, time.Now().UTC().Format(time.DateOnly)); !strings.Contains(out, want) {
		t.Fatalf("grant said %q, want %q", out, want)
	}
	out = must("request", "decline", "--reason", "Not this quarter", fmt.Sprint(reqs[1].ID))
	if !strings.Contains(out, fmt.Sprintf("Request %d declined", reqs[1].ID)) {
		t.Fatalf("decline said %q", out)
	}
	if out := must("request", "list", "--state", "pending"); !strings.Contains(out, "(no request)") {
		t.Fatalf("pending after the decisions:\n%s", out)
	}
	if out := must("request", "list", "--state", "granted"); !strings.Contains(out, "standard  granted") || strings.Contains(out, "advanced") {
		t.Fatalf("granted requests:\n%s", out)
	}
	if out := must("subscription", "list", "--account", fmt.Sprint(a.ID)); !strings.Contains(out, "2099-12-31") {
		t.Fatalf("the grant made no subscription:\n%s", out)
	}

	for _, tc := range []struct {
		args       []string
		code       int
		wantStderr string
	}{
		{[]string{"request", "grant", fmt.Sprint(reqs[0].ID)}, 1, "was already granted; nothing was changed; see the current state with glpinetd request list --state pending"},
		{[]string{"request", "decline", "999"}, 1, "Offer request 999 does not exist; check the ID, key or e-mail with glpinetd request list --state pending"},
		{[]string{"request", "list", "--state", "waiting"}, 1, "none of pending, granted and declined"},
		{[]string{"request", "grant", "seven"}, 2, `"seven" is not a valid request ID`},
		{[]string{"request", "grant"}, 2, "request grant takes one request ID"},
		{[]string{"request", "grant", "1", "--until", "31/12/2099"}, 2, "is not a date like 2027-12-31"},
		{[]string{"request", "approve", "1"}, 2, "choose list, grant, decline"},
	} {
		code, _, errOut := glpinetd(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.wantStderr) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("glpinetd %s: exit %d, %q; want exit %d saying %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.wantStderr)
		}
	}

	// The requester was mailed both decisions, the reason with the
	// decline; the audit names the command's user.
	db, err = sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mails, err := db.ClaimMails(ctx, time.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mails {
		if m.To == owner.Email {
			got = append(got, m.Kind+" "+m.Data["reason"])
		}
	}
	if want := "offer-granted |offer-declined Not this quarter"; strings.Join(got, "|") != want {
		t.Fatalf("requester's mails %q, want %q", got, want)
	}
}
