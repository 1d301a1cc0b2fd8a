package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// browser is a cookie-keeping client that submits forms as a browser
// without JavaScript does.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string // from the last page shown
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) read(resp *http.Response, err error) (int, string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	return b.read(b.c.Get(b.base + path))
}

// post submits a form with the current page's CSRF token.
func (b *browser) post(path string, fields ...string) (int, string) {
	b.t.Helper()
	form := url.Values{"csrf": {b.csrf}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return b.read(b.c.PostForm(b.base+path, form))
}

var keyRE = regexp.MustCompile(`gnk_[a-z2-7]{26}_[a-z2-7]{7}`)

func TestPortalSignupToValidKey(t *testing.T) {
	ts := startServer(t, nil)
	b := newBrowser(t, ts.URL())
	if status, body := b.get("/signup"); status != 200 || !strings.Contains(body, "Create an account") {
		t.Fatalf("signup page: %d", status)
	}
	status, body := b.post("/signup", "organisation", "Globex", "name", "Hank Scorpio", "email", "hank@globex.example", "password", "correct horse battery")
	if status != 200 || !strings.Contains(body, "Registration keys") {
		t.Fatalf("after sign-up: %d %.300s", status, body)
	}
	status, body = b.post("/keys", "label", "prod")
	key := keyRE.FindString(body)
	if status != 200 || key == "" || !strings.Contains(body, "shown only once") {
		t.Fatalf("generate: %d, key %q", status, key)
	}
	// The key shown once works for GLPI at once.
	g := ts.glpi("", "10.0.16")
	g.Key = key
	info, _, err := g.RegistrationInfo(t.Context())
	if err != nil || !info.IsValid || info.Owner.Name != "Globex" || info.Subscription.OfferReference != "registered" {
		t.Fatalf("the portal's key on /info: %+v, %v", info, err)
	}
	// It is never shown again.
	if _, body := b.get("/keys"); strings.Contains(body, key) || !strings.Contains(body, key[:12]) {
		t.Fatal("the keys page must show the prefix only")
	}
	// Dashboard, offers and instances pages answer.
	for p, want := range map[string]string{"/dashboard": "Globex", "/offers": "Your offer", "/instances": "No GLPI instance"} {
		if status, body := b.get(p); status != 200 || !strings.Contains(body, want) {
			t.Fatalf("%s: %d, want a page showing %q", p, status, want)
		}
	}
	// Rotation shows the new key and keeps the old one for a grace period.
	_, body = b.get("/keys")
	id := regexp.MustCompile(`action="/keys/(\d+)/rotate"`).FindStringSubmatch(body)
	status, body = b.post("/keys/" + id[1] + "/rotate")
	next := keyRE.FindString(body)
	if status != 200 || next == "" || next == key || !strings.Contains(body, "keeps working until") {
		t.Fatalf("rotate: %d %q", status, next)
	}
	// Logging out ends the session.
	b.post("/logout")
	if status, body := b.get("/dashboard"); status != 200 || !strings.Contains(body, "Log in") {
		t.Fatalf("after logout /dashboard: %d, want the login page", status)
	}
}

func TestPortalSecurity(t *testing.T) {
	ts := startServer(t, nil)
	ctx := glpinet.WithActor(t.Context(), "test")
	hash, _ := auth.HashPassword("a long password!", auth.DefaultParams)
	mk := func(email string, account int64, role glpinet.UserRole) {
		if err := ts.DB.CreateUser(ctx, &glpinet.User{Email: email, Name: "x", Role: role, AccountID: account, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	basic, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["basic"]))
	advanced, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["advanced"]))
	mk("member@basic.example", basic.Account.ID, glpinet.RoleMember)
	mk("owner@advanced.example", advanced.Account.ID, glpinet.RoleOwner)

	login := func(email string) *browser {
		b := newBrowser(t, ts.URL())
		b.get("/login")
		if status, body := b.post("/login", "email", email, "password", "a long password!"); status != 200 || !strings.Contains(body, "Dashboard") {
			t.Fatalf("login %s: %d", email, status)
		}
		return b
	}

	// Headers: a CSP without inline script, no framing.
	resp, err := http.Get(ts.URL() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
		resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers: %v", resp.Header)
	}

	// A member may look but not change keys.
	m := login("member@basic.example")
	if status, _ := m.post("/keys", "label", "x"); status != http.StatusForbidden {
		t.Fatalf("member generating a key: %d, want 403", status)
	}
	// Nobody reaches another account's keys.
	o := login("owner@advanced.example")
	if status, _ := o.post("/keys/" + itoa(basic.Key.ID) + "/revoke"); status != http.StatusNotFound {
		t.Fatalf("revoking another account's key: %d, want 404", status)
	}
	if rec, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["basic"])); rec.Key.RevokedAt != nil {
		t.Fatal("another account's key was revoked")
	}
	// A form without the CSRF token is refused.
	o.csrf = "forged"
	if status, _ := o.post("/keys", "label", "x"); status != http.StatusForbidden {
		t.Fatalf("POST without the CSRF token: %d, want 403", status)
	}

	// Open redirects are refused.
	c := newBrowser(t, ts.URL())
	c.get("/login")
	c.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	form := url.Values{"csrf": {c.csrf}, "email": {"owner@advanced.example"}, "password": {"a long password!"}}
	resp, err = c.c.PostForm(ts.URL()+"/login?next=//evil.example/", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/dashboard" {
		t.Fatalf("login redirected to %q", loc)
	}

	// Wrong passwords: a clear message, then a temporary lockout.
	b := newBrowser(t, ts.URL())
	b.get("/login?lang=fr")
	for i := range 5 {
		status, body := b.post("/login", "email", "member@basic.example", "password", "wrong")
		if status != http.StatusUnauthorized || !strings.Contains(body, "mot de passe incorrect") {
			t.Fatalf("failure %d: %d", i, status)
		}
	}
	if status, _ := b.post("/login", "email", "member@basic.example", "password", "a long password!"); status != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: %d, want 429 even with the right password", status)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

var linkRE = regexp.MustCompile(`https?://[^"]+/join/(gni_[a-z2-7]+)`)

func TestPortalInvitations(t *testing.T) {
	ts := startServer(t, nil)
	owner := newBrowser(t, ts.URL())
	owner.get("/signup")
	owner.post("/signup", "organisation", "Initech", "name", "Bill", "email", "bill@initech.example", "password", "tps reports 4ever")
	owner.get("/members")
	status, body := owner.post("/members/invitations", "role", "admin", "max_uses", "1", "days", "7")
	m := linkRE.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("create invitation: %d %.200s", status, body)
	}
	link := m[0]
	if !strings.HasPrefix(link, ts.URL()+"/join/") {
		t.Fatalf("link %q is not on this server", link)
	}

	peter := newBrowser(t, ts.URL())
	if status, body := peter.get("/join/" + m[1]); status != 200 || !strings.Contains(body, "Initech") || !strings.Contains(body, "admin") {
		t.Fatalf("join page: %d", status)
	}
	status, body = peter.post("/join/"+m[1], "name", "Peter", "email", "peter@initech.example", "password", "i want my stapler")
	if status != 200 || !strings.Contains(body, "Initech") {
		t.Fatalf("join: %d %.200s", status, body)
	}
	u, err := ts.DB.FindUserByEmail(t.Context(), "peter@initech.example")
	bill, _ := ts.DB.FindUserByEmail(t.Context(), "bill@initech.example")
	if err != nil || u.AccountID != bill.AccountID || u.Role != glpinet.RoleAdmin {
		t.Fatalf("joined user %+v, %v", u, err)
	}
	// Used up: a clear page, no account.
	milton := newBrowser(t, ts.URL())
	if status, body := milton.get("/join/" + m[1]); status != http.StatusGone || !strings.Contains(body, "used as many times") {
		t.Fatalf("used-up invitation: %d", status)
	}
	// Unknown and revoked codes too.
	if status, body := milton.get("/join/gni_doesnotexist"); status != http.StatusGone || !strings.Contains(body, "does not exist") {
		t.Fatalf("unknown invitation: %d", status)
	}
	_, body = owner.post("/members/invitations", "role", "member", "max_uses", "5", "days", "1")
	second := linkRE.FindStringSubmatch(body)
	_, body = owner.get("/members")
	rev := regexp.MustCompile(`action="/members/invitations/(\d+)/revoke"`).FindStringSubmatch(body)
	if status, _ := owner.post("/members/invitations/" + rev[1] + "/revoke"); status != 200 {
		t.Fatalf("revoke: %d", status)
	}
	if status, body := milton.get("/join/" + second[1]); status != http.StatusGone || !strings.Contains(body, "revoked") {
		t.Fatalf("revoked invitation: %d", status)
	}
	// The members page lists both users.
	if _, body := owner.get("/members"); !strings.Contains(body, "peter@initech.example") || !strings.Contains(body, "1 / 1") {
		t.Fatal("members page")
	}
}

// loginAs creates a user in the account of an offer's test key and logs in.
func loginAs(t *testing.T, ts *testServer, offer, email string, role glpinet.UserRole) *browser {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	rec, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys[offer]))
	hash, _ := auth.HashPassword("a long password!", auth.DefaultParams)
	if err := ts.DB.CreateUser(ctx, &glpinet.User{Email: email, Name: "x", Role: role, AccountID: rec.Account.ID, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts.URL())
	b.get("/login")
	if status, _ := b.post("/login", "email", email, "password", "a long password!"); status != 200 {
		t.Fatalf("login %s: %d", email, status)
	}
	return b
}

func TestPortalMarketplaceAndWarning(t *testing.T) {
	ts := startServer(t, seedCatalogue(3))
	std := loginAs(t, ts, "standard", "s@example.com", glpinet.RoleMember)
	reg := loginAs(t, ts, "registered", "r@example.com", glpinet.RoleMember)

	// The same rules as the GLPI API: plugin000 needs standard.
	_, body := std.get("/marketplace?glpi=10.0.16")
	if !strings.Contains(body, "glpi-plugin000-1.0.0.tar.gz") || strings.Contains(body, "2.0.0") {
		t.Fatalf("standard account, GLPI 10.0.16: %.800s", body)
	}
	_, body = reg.get("/marketplace?glpi=11.0.4")
	if strings.Contains(body, "glpi-plugin000-2.0.0.tar.gz") || !strings.Contains(body, "Needs the Standard offer") || !strings.Contains(body, "glpi-plugin001-2.0.0.tar.gz") {
		t.Fatalf("registered account, GLPI 11.0.4: %.800s", body)
	}

	// A paid subscription ending within 30 days is announced.
	ctx := glpinet.WithActor(t.Context(), "test")
	rec, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["standard"]))
	for _, s := range rec.Subscriptions {
		if s.OfferRef == "standard" {
			end := s.Begin.AddDate(0, 0, 20)
			if _, err := ts.DB.UpdateSubscription(ctx, s.ID, &end, glpinet.SubscriptionActive); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, body := std.get("/dashboard"); !strings.Contains(body, "Your subscription ends on") {
		t.Fatalf("no end-of-subscription warning: %.600s", body)
	}
	if _, body := reg.get("/dashboard"); strings.Contains(body, "Your subscription ends on") {
		t.Fatal("the free offer never ends, yet a warning shows")
	}
}

func TestPortalChangePassword(t *testing.T) {
	ts := startServer(t, nil)
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", "Wayne", "name", "Bruce", "email", "bruce@wayne.example", "password", "i am the night")
	other := newBrowser(t, ts.URL())
	other.get("/login")
	other.post("/login", "email", "bruce@wayne.example", "password", "i am the night")

	b.get("/password")
	if status, body := b.post("/password", "current", "wrong", "new", "alfred knows best"); status != 401 || !strings.Contains(body, "current password is wrong") {
		t.Fatalf("wrong current password: %d", status)
	}
	if status, body := b.post("/password", "current", "i am the night", "new", "short"); status != 400 || !strings.Contains(body, "at least 10") {
		t.Fatalf("weak new password: %d", status)
	}
	if status, body := b.post("/password", "current", "i am the night", "new", "alfred knows best"); status != 200 || !strings.Contains(body, "password is changed") {
		t.Fatalf("change: %d", status)
	}
	// This session goes on; the other one is logged out.
	if _, body := b.get("/dashboard"); !strings.Contains(body, "Wayne") {
		t.Fatal("the session that changed the password was logged out")
	}
	if _, body := other.get("/dashboard"); !strings.Contains(body, "Log in") {
		t.Fatal("another session survived the password change")
	}
	c := newBrowser(t, ts.URL())
	c.get("/login")
	if status, _ := c.post("/login", "email", "bruce@wayne.example", "password", "alfred knows best"); status != 200 {
		t.Fatalf("login with the new password: %d", status)
	}
}
