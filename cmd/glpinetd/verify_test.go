package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/smtptest"
	"github.com/glpinet/glpinet/service"
)

var verifyLinkRE = regexp.MustCompile(`http://[^\s]+/verify/gnv_[a-z2-7]+`)

// TestEmailVerification: with --smtp and --public-url, a sign-up is mailed
// a link; until it is opened the user is told so on the dashboard and the
// keys page, and no key is issued, neither from the portal nor with an API
// token; "send the link again" mails a new one at most every few minutes;
// the link verifies once, the token stays out of the logs, and keys come.
func TestEmailVerification(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	if status, _ := b.post("/signup", "organisation", "Globex", "name", "Hank", "email", "hank@globex.example", "password", "correct horse battery"); status != 200 {
		t.Fatalf("signup: %d", status)
	}
	m := waitMail(t, srv, 1)
	subject, text := textPart(t, m)
	link := verifyLinkRE.FindString(text)
	if m.To[0] != "hank@globex.example" || subject != "Confirm your e-mail address for glpinet" || !strings.HasPrefix(link, ts.URL()+"/verify/") {
		t.Fatalf("verification mail to %v, subject %q, text %q", m.To, subject, text)
	}

	for _, page := range []string{"/dashboard", "/keys"} {
		_, body := b.get(page)
		if !strings.Contains(body, `id="verify-banner"`) || !strings.Contains(body, "we sent a link to hank@globex.example") ||
			!strings.Contains(body, `action="/verification"`) {
			t.Errorf("%s: no verification banner with its button", page)
		}
	}
	if _, body := b.get("/keys"); strings.Contains(body, `action="/keys"`) {
		t.Error("the keys page offers the key form to an unverified user")
	}
	if status, body := b.post("/keys", "label", "prod"); status != http.StatusForbidden || !strings.Contains(body, "Confirm your e-mail address") {
		t.Errorf("issuing a key unverified: %d", status)
	}
	b.get("/tokens")
	form := url.Values{"csrf": {b.csrf}, "name": {"automation"}, "scope": {"keys"}, "days": {"0"}}
	_, body := b.read(b.c.PostForm(ts.URL()+"/tokens", form))
	api := &client.API{BaseURL: ts.URL(), Token: tokenRE.FindString(body)}
	if _, err := api.IssueKey(t.Context(), "ci"); apiCode(err) != "forbidden" || !strings.Contains(err.Error(), "Confirm your e-mail address") {
		t.Errorf("issuing a key with an unverified user's token: %v", err)
	}

	// Send the link again: once, then not for a few minutes.
	b.get("/dashboard")
	if status, body := b.post("/verification"); status != 200 || !strings.Contains(body, "A new link was sent to hank@globex.example") {
		t.Fatalf("send again: %d", status)
	}
	// Mail 2 is the notice of the new API token; 3 the new link.
	again := verifyLinkRE.FindString(func() string { _, s := textPart(t, waitMail(t, srv, 3)); return s }())
	if again == "" || again == link {
		t.Fatalf("second link %q (first %q)", again, link)
	}
	b.get("/dashboard")
	if status, body := b.post("/verification"); status != http.StatusTooManyRequests || !strings.Contains(body, "a few minutes ago") {
		t.Errorf("send again at once: %d", status)
	}

	// An unknown link: a clear page that says how to get a new one.
	if status, body := b.get("/verify/gnv_unknown"); status != http.StatusGone || !strings.Contains(body, "unknown, was already used or has expired") ||
		!strings.Contains(body, "Send the link again") {
		t.Errorf("unknown link: %d %s", status, body)
	}
	path := strings.TrimPrefix(link, ts.URL())
	status, body := b.get(path)
	if status != 200 || !strings.Contains(body, "hank@globex.example is confirmed") || !strings.Contains(body, `href="/keys"`) {
		t.Fatalf("verify: %d %s", status, body)
	}
	if _, body := b.get("/dashboard"); strings.Contains(body, `id="verify-banner"`) {
		t.Error("the banner stays once verified")
	}
	// Both links are spent.
	for _, p := range []string{path, strings.TrimPrefix(again, ts.URL())} {
		if status, _ := b.get(p); status != http.StatusGone {
			t.Errorf("%s again: %d, want 410", p, status)
		}
	}
	if status, body := b.post("/keys", "label", "prod"); status != 200 || !keyRE.MatchString(body) {
		t.Errorf("issuing a key verified: %d", status)
	}
	if _, err := api.IssueKey(t.Context(), "ci"); err != nil {
		t.Errorf("issuing a key with the token once verified: %v", err)
	}
	token := strings.TrimPrefix(path, "/verify/")
	if strings.Contains(ts.logs.String(), token) {
		t.Error("the logs show the verification token")
	}
	events, _, err := ts.DB.ListAuditEvents(t.Context(), glpinet.AuditFilter{Action: "user.email-verified"})
	if err != nil || len(events) != 1 {
		t.Errorf("audit events %v, %v; want one user.email-verified", events, err)
	}
}

// TestEmailVerificationByOperator: an operator marks a member's address
// verified on the account's members page, audited with their e-mail;
// without mail, a sign-up is verified at once.
func TestEmailVerificationByOperator(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", "Initech", "name", "Peter", "email", "peter@initech.example", "password", "correct horse battery")
	u, err := ts.DB.FindUserByEmail(t.Context(), "peter@initech.example")
	if err != nil || u.Verified() {
		t.Fatalf("signed up: %+v, %v; want unverified", u, err)
	}
	op := operatorBrowser(t, ts)
	base := "/operator/accounts/" + itoa(u.AccountID) + "/members"
	_, body := op.get(base)
	if !strings.Contains(body, "e-mail not verified") || !strings.Contains(body, `action="`+base+"/"+itoa(u.ID)+`/verify"`) {
		t.Fatalf("members page: no verify button\n%s", body)
	}
	if status, body := op.post(base + "/" + itoa(u.ID) + "/verify"); status != 200 || !strings.Contains(body, "E-mail address marked verified: peter@initech.example") {
		t.Fatalf("verify by hand: %d", status)
	}
	if u, _ := ts.DB.FindUserByEmail(t.Context(), "peter@initech.example"); !u.Verified() {
		t.Fatal("not verified by hand")
	}
	f := glpinet.AuditFilter{Action: "user.email-verified", Actor: "ops@provider.example"}
	if events, _, err := ts.DB.ListAuditEvents(t.Context(), f); err != nil || len(events) != 1 {
		t.Errorf("audit %v, %v; want one event by the operator's e-mail", events, err)
	}
	// A customer cannot use the operator's route.
	if status, _ := b.post(base + "/" + itoa(u.ID) + "/verify"); status != http.StatusForbidden {
		t.Errorf("a customer verifying: %d", status)
	}

	plain := startServer(t, nil)
	p := newBrowser(t, plain.URL())
	p.get("/signup")
	p.post("/signup", "organisation", "Hooli", "name", "Gavin", "email", "gavin@hooli.example", "password", "correct horse battery")
	if _, body := p.get("/keys"); strings.Contains(body, `id="verify-banner"`) || !strings.Contains(body, `action="/keys"`) {
		t.Error("without mail, a sign-up is not verified at once")
	}
}

// TestEmailVerificationByAPI: an operator's token marks a user's address
// verified with PATCH /api/v1/users/{id} {"email_verified": true}; a
// customer's token may not, not even for themselves; false is refused.
func TestEmailVerificationByAPI(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	ctx := t.Context()
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", "Vandelay", "name", "Art", "email", "art@vandelay.example", "password", "correct horse battery")
	u, err := ts.DB.FindUserByEmail(ctx, "art@vandelay.example")
	if err != nil || u.Verified() {
		t.Fatalf("signed up: %+v, %v; want unverified", u, err)
	}
	customerTok, _, err := service.New(ts.DB, nil).CreateToken(ctx, service.TokenRequest{User: u, Name: "self", Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	op := &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: "x"}
	if err := ts.DB.CreateUser(ctx, op); err != nil {
		t.Fatal(err)
	}
	opTok, _, err := service.New(ts.DB, nil).CreateToken(ctx, service.TokenRequest{User: op, Name: "ops", Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	path := ts.URL() + "/api/v1/users/" + itoa(u.ID)
	if status, _ := apiCall(t, "PATCH", path, customerTok, `{"email_verified": true}`); status != http.StatusForbidden {
		t.Errorf("a customer vouching for themselves: %d, want 403", status)
	}
	if status, _ := apiCall(t, "PATCH", path, opTok, `{"email_verified": false}`); status != http.StatusBadRequest {
		t.Errorf("email_verified false: %d, want 400", status)
	}
	status, out := apiCall(t, "PATCH", path, opTok, `{"email_verified": true}`)
	if status != 200 || out["email_verified_at"] == nil || out["email"] != "art@vandelay.example" {
		t.Fatalf("operator: %d %v", status, out)
	}
	if u, _ := ts.DB.FindUserByID(ctx, u.ID); !u.Verified() {
		t.Error("not verified")
	}
}

// TestEmailVerificationOnJoin: with mail, a person who joins by a link
// (not mailed to their address) is stored unverified and mailed a link.
func TestEmailVerificationOnJoin(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	ctx := t.Context()
	a := &glpinet.Account{Name: "Pied Piper"}
	owner := &glpinet.User{Email: "richard@piedpiper.example", Name: "Richard", PasswordHash: "x"}
	if err := ts.DB.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	code, _ := auth.NewToken(auth.PrefixInvitation)
	if err := ts.DB.CreateInvitation(ctx, &glpinet.Invitation{AccountID: a.ID, Hash: auth.HashToken(code), Role: glpinet.RoleMember,
		MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedBy: owner.ID}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts.URL())
	b.get("/join/" + code)
	b.post("/join/"+code, "name", "Dinesh", "email", "dinesh@piedpiper.example", "password", "correct horse battery")
	u, err := ts.DB.FindUserByEmail(ctx, "dinesh@piedpiper.example")
	if err != nil || u.Verified() || u.AccountID != a.ID {
		t.Fatalf("joined: %+v, %v; want unverified in the account", u, err)
	}
	m := waitMail(t, srv, 1)
	if _, text := textPart(t, m); m.To[0] != "dinesh@piedpiper.example" || verifyLinkRE.FindString(text) == "" {
		t.Fatalf("mail to %v: %q", m.To, text)
	}
	if _, body := b.get("/dashboard"); !strings.Contains(body, `id="verify-banner"`) {
		t.Error("no banner for the member who joined")
	}
}
