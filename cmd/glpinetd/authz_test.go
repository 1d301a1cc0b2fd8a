package main

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// Outcomes of a request in the authorization table.
const (
	allow     = "allow"     // 2xx, or a redirect that is not to the login page
	login     = "login"     // redirected to the login page
	forbid    = "forbid"    // 403
	notFound  = "notfound"  // 404: another account's object
	unauth    = "unauth"    // 401
	malformed = "malformed" // 400: allowed in, but the (empty) input is refused
	conflict  = "conflict"  // 409: allowed in, but a rule of the account refuses it
)

// principal is one caller of the table: a browser session and an API token.
type principal struct {
	name    string
	browser *browser
	token   string
}

// TestAuthorization checks every portal and /api/v1 route against an
// anonymous visitor, a member and an admin of account A, the owner of
// account B, and an operator. A test at the end fails if a route of the
// server is missing from the table.
func TestAuthorization(t *testing.T) {
	ts := startServer(t, seedCatalogue(1))
	ctx := glpinet.WithActor(t.Context(), "test")
	recA, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["standard"]))
	recB, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["advanced"]))
	accountA := recA.Account.ID

	hash, _ := auth.HashPassword("a long password!", auth.DefaultParams)
	newPrincipal := func(name, email string, account int64, role glpinet.UserRole) *principal {
		u := &glpinet.User{Email: email, Name: name, Role: role, AccountID: account, PasswordHash: hash}
		if err := ts.DB.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, ts.URL())
		b.get("/login")
		if status, _ := b.post("/login", "email", email, "password", "a long password!"); status != 200 {
			t.Fatalf("login %s: %d", name, status)
		}
		tok, _ := auth.NewToken(auth.PrefixAPIToken)
		scopes := []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys, glpinet.ScopeAdmin}
		if role == glpinet.RoleOperator {
			scopes = append(scopes, glpinet.ScopePublish)
		}
		if err := ts.DB.CreateToken(ctx, &glpinet.APIToken{UserID: u.ID, Name: "t", Hash: auth.HashToken(tok), Scopes: scopes}); err != nil {
			t.Fatal(err)
		}
		return &principal{name: name, browser: b, token: tok}
	}
	anon := &principal{name: "anonymous", browser: newBrowser(t, ts.URL())}
	anon.browser.get("/login") // gets a CSRF token like any visitor
	member := newPrincipal("member", "member@a.example", accountA, glpinet.RoleMember)
	admin := newPrincipal("admin", "admin@a.example", accountA, glpinet.RoleAdmin)
	other := newPrincipal("other-owner", "owner@b.example", recB.Account.ID, glpinet.RoleOwner)
	operator := newPrincipal("operator", "ops@example.com", 0, glpinet.RoleOperator)
	all := []*principal{anon, member, admin, other, operator}

	// Fresh objects of account A for the requests that change one.
	keyA := func() string {
		_, k, _ := newKey(accountA, "")
		ts.DB.CreateKey(ctx, k)
		return fmt.Sprint(k.ID)
	}
	invitationA := func() string {
		code, _ := auth.NewToken(auth.PrefixInvitation)
		inv := &glpinet.Invitation{AccountID: accountA, Hash: auth.HashToken(code), Display: "gni_x", Role: glpinet.RoleMember,
			MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedBy: 1}
		ts.DB.CreateInvitation(ctx, inv)
		return fmt.Sprint(inv.ID)
	}
	tokenOfMember := func() string {
		users, _, _ := ts.DB.ListUsers(ctx, accountA, glpinet.Page{})
		tok := &glpinet.APIToken{UserID: users[0].ID, Name: "x", Scopes: []glpinet.TokenScope{glpinet.ScopeRead}}
		for _, u := range users {
			if u.Email == "member@a.example" {
				tok.UserID = u.ID
			}
		}
		raw, _ := auth.NewToken(auth.PrefixAPIToken)
		tok.Hash = auth.HashToken(raw)
		ts.DB.CreateToken(ctx, tok)
		return fmt.Sprint(tok.ID)
	}
	subscriptionA := func() string {
		return fmt.Sprint(recA.Subscriptions[len(recA.Subscriptions)-1].ID)
	}
	fresh := 0
	memberOfA := func() string {
		fresh++
		u := &glpinet.User{Email: fmt.Sprintf("fresh%d@a.example", fresh), Name: "Fresh", Role: glpinet.RoleMember, AccountID: accountA, PasswordHash: hash}
		if err := ts.DB.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(u.ID)
	}
	opMembersA := fmt.Sprintf("/operator/accounts/%d/members", accountA)
	// requestA returns A's pending request for basic, made if there is
	// none (a decision refused leaves it pending for the next caller).
	requestA := func() string {
		pending, _ := ts.DB.ListOfferRequests(ctx, glpinet.OfferRequestFilter{AccountID: accountA, State: glpinet.OfferRequestPending})
		if len(pending) > 0 {
			return fmt.Sprint(pending[0].ID)
		}
		users, _, _ := ts.DB.ListUsers(ctx, accountA, glpinet.Page{})
		q := &glpinet.OfferRequest{AccountID: accountA, OfferRef: "basic", UserID: users[0].ID}
		if err := ts.DB.CreateOfferRequest(ctx, q); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(q.ID)
	}
	invitationCode := func() string {
		code, _ := auth.NewToken(auth.PrefixInvitation)
		ts.DB.CreateInvitation(ctx, &glpinet.Invitation{AccountID: accountA, Hash: auth.HashToken(code), Role: glpinet.RoleMember,
			MaxUses: 100, ExpiresAt: time.Now().Add(time.Hour), CreatedBy: 1})
		return code
	}

	type row struct {
		pattern string
		path    func() string // nil: the pattern's path as it is
		form    []string      // for POST
		body    string        // for /api/v1; "{}" when empty
		want    map[string]string
	}
	same := func(p string) func() string { return func() string { return p } }
	want := func(anonymous, member, admin, otherOwner, op string) map[string]string {
		return map[string]string{"anonymous": anonymous, "member": member, "admin": admin, "other-owner": otherOwner, "operator": op}
	}
	everyone := want(allow, allow, allow, allow, allow)
	customers := want(login, allow, allow, allow, forbid)
	managersOfA := want(login, forbid, allow, notFound, forbid)
	operators := want(login, forbid, forbid, forbid, allow)
	api := want(unauth, allow, allow, allow, forbid)
	operatorsAPI := want(unauth, forbid, forbid, forbid, allow)

	rows := []row{
		{pattern: "GET /{$}", path: same("/"), want: want(login, allow, allow, allow, allow)},
		{pattern: "GET /login", want: everyone},
		{pattern: "POST /login", form: []string{"email", "nobody@example.com", "password", "x"}, want: want("unauthorized-page", "unauthorized-page", "unauthorized-page", "unauthorized-page", "unauthorized-page")},
		{pattern: "GET /signup", want: everyone},
		{pattern: "GET /password/forgot", want: everyone},
		{pattern: "POST /password/forgot", form: []string{"email", "nobody@example.com"}, want: everyone},
		{pattern: "GET /password/reset/{token}", path: same("/password/reset/gnr_unknown"), want: want("410", "410", "410", "410", "410")},
		{pattern: "POST /password/reset/{token}", path: same("/password/reset/gnr_unknown"), form: []string{"password", "a", "repeat", "b"},
			want: want(malformed, malformed, malformed, malformed, malformed)},
		{pattern: "GET /verify/{token}", path: same("/verify/gnv_unknown"), want: want("410", "410", "410", "410", "410")},
		{pattern: "POST /verification", want: want(login, allow, allow, allow, allow)},
		{pattern: "POST /signup", form: []string{"organisation", "", "email", "bad"}, want: want(malformed, malformed, malformed, malformed, malformed)},
		{pattern: "GET /join/{code}", path: func() string { return "/join/" + invitationCode() }, want: everyone},
		{pattern: "POST /join/{code}", path: func() string { return "/join/" + invitationCode() }, form: []string{"password", "short"}, want: want(malformed, malformed, malformed, malformed, malformed)},
		{pattern: "GET /dashboard", want: customers},
		{pattern: "GET /keys", want: customers},
		{pattern: "GET /instances", want: customers},
		{pattern: "GET /offers", want: customers},
		{pattern: "GET /marketplace", want: customers},
		{pattern: "GET /members", want: customers},
		{pattern: "GET /tokens", want: want(login, allow, allow, allow, allow)},
		{pattern: "GET /password", want: want(login, allow, allow, allow, allow)},
		{pattern: "POST /password", form: []string{"current", "wrong", "new", "whatever long"}, want: want(login, unauth, unauth, unauth, unauth)},
		{pattern: "POST /tokens", form: []string{"name", "x", "scope", "read"}, want: want(login, allow, allow, allow, allow)},
		{pattern: "POST /tokens/{id}/revoke", path: func() string { return "/tokens/" + tokenOfMember() + "/revoke" }, want: want(login, allow, notFound, notFound, notFound)},
		{pattern: "POST /keys", want: want(login, forbid, allow, allow, forbid)},
		{pattern: "POST /keys/{id}/rotate", path: func() string { return "/keys/" + keyA() + "/rotate" }, want: managersOfA},
		{pattern: "POST /keys/{id}/revoke", path: func() string { return "/keys/" + keyA() + "/revoke" }, want: managersOfA},
		{pattern: "POST /members/invitations", form: []string{"role", "member", "max_uses", "1", "days", "1"}, want: want(login, forbid, allow, allow, forbid)},
		{pattern: "POST /members/invitations/{id}/revoke", path: func() string { return "/members/invitations/" + invitationA() + "/revoke" }, want: managersOfA},
		{pattern: "POST /members/{id}/role", path: func() string { return "/members/" + memberOfA() + "/role" }, form: []string{"role", "admin"}, want: managersOfA},
		{pattern: "GET /members/{id}/remove", path: func() string { return "/members/" + memberOfA() + "/remove" }, want: managersOfA},
		{pattern: "POST /members/{id}/remove", path: func() string { return "/members/" + memberOfA() + "/remove" }, want: managersOfA},
		{pattern: "GET /members/leave", want: customers},
		// The member and the admin leave (and join again below); B's owner
		// is its last: refused, said on the page.
		{pattern: "POST /members/leave", want: want(login, allow, allow, malformed, forbid)},
		{pattern: "GET /operator/accounts/{account}/members", path: same(opMembersA), want: operators},
		{pattern: "POST /operator/accounts/{account}/members/{id}/role", path: func() string { return opMembersA + "/" + memberOfA() + "/role" }, form: []string{"role", "admin"}, want: operators},
		{pattern: "POST /operator/accounts/{account}/members/{id}/verify", path: func() string { return opMembersA + "/" + memberOfA() + "/verify" }, want: operators},
		{pattern: "GET /operator/accounts/{account}/members/{id}/remove", path: func() string { return opMembersA + "/" + memberOfA() + "/remove" }, want: operators},
		{pattern: "POST /operator/accounts/{account}/members/{id}/remove", path: func() string { return opMembersA + "/" + memberOfA() + "/remove" }, want: operators},
		{pattern: "POST /logout", want: want(login, login, login, login, login)},  // logging out also ends on the login page
		{pattern: "GET /operator", want: want(allow, allow, allow, allow, allow)}, // a redirect to the guarded area
		{pattern: "GET /operator/accounts", want: operators},
		{pattern: "GET /operator/accounts/{id}", path: same(fmt.Sprintf("/operator/accounts/%d", accountA)), want: operators},
		{pattern: "POST /operator/accounts/{id}/state", path: same(fmt.Sprintf("/operator/accounts/%d/state", accountA)), form: []string{"state", "active"}, want: operators},
		{pattern: "POST /operator/accounts/{id}/subscriptions", path: same(fmt.Sprintf("/operator/accounts/%d/subscriptions", accountA)), form: []string{"offer", "basic", "until", "2099-01-01"}, want: operators},
		{pattern: "POST /operator/subscriptions/{id}", path: func() string { return "/operator/subscriptions/" + subscriptionA() }, form: []string{"state", "active"}, want: operators},
		// Account B runs advanced already: nothing higher to ask for.
		{pattern: "POST /offers/{ref}/request", path: same("/offers/advanced/request"), form: []string{"message", "please"}, want: want(login, forbid, allow, conflict, forbid)},
		{pattern: "GET /operator/requests", want: operators},
		{pattern: "POST /operator/requests/{id}/grant", path: func() string { return "/operator/requests/" + requestA() + "/grant" }, want: operators},
		{pattern: "POST /operator/requests/{id}/decline", path: func() string { return "/operator/requests/" + requestA() + "/decline" }, want: operators},
		{pattern: "GET /operator/audit", want: operators},
		{pattern: "GET /operator/offers", want: operators},
		{pattern: "GET /operator/operators", want: operators},
		{pattern: "GET /operator/mails", want: operators},
		{pattern: "POST /operator/operators", form: []string{"email", "ops2@example.com", "password", "a long enough password", "password2", "a long enough password"}, want: operators},
		{pattern: "POST /operator/operators/{id}/state", path: func() string {
			ops, _ := ts.DB.ListOperators(ctx)
			return fmt.Sprintf("/operator/operators/%d/state", ops[0].ID)
		}, form: []string{"state", "enabled"}, want: operators},
		{pattern: "POST /operator/offers", form: []string{"reference", "gold", "level", "50", "title_en", "Gold"}, want: operators},
		{pattern: "POST /operator/offers/{ref}", path: same("/operator/offers/basic"), form: []string{"level", "10", "title_en", "Basic"}, want: operators},
		{pattern: "POST /operator/tags/{key}", path: same("/operator/tags/all"), form: []string{"name_en", "All", "name_fr", "Tous"}, want: operators},
		{pattern: "GET /operator/plugins", want: operators},
		{pattern: "POST /operator/plugins", want: want(login, forbid, forbid, forbid, malformed)},
		{pattern: "GET /operator/plugins/{key}", path: same("/operator/plugins/plugin000"), want: operators},
		{pattern: "POST /operator/plugins/{key}", path: same("/operator/plugins/plugin000"), form: []string{"name", "Plugin 0"}, want: operators},
		{pattern: "POST /operator/plugins/{key}/versions/{version}/yank", path: same("/operator/plugins/plugin000/versions/1.0.0/yank"), form: []string{"yanked", "0"}, want: operators},
		{pattern: "GET /api/v1/openapi.json", want: everyone},
		{pattern: "GET /api/v1/me", want: want(unauth, allow, allow, allow, allow)},
		{pattern: "GET /api/v1/keys", want: api},
		{pattern: "POST /api/v1/keys", want: want(unauth, forbid, allow, allow, forbid)},
		{pattern: "POST /api/v1/keys/{id}/rotate", path: func() string { return "/api/v1/keys/" + keyA() + "/rotate" }, want: want(unauth, forbid, allow, notFound, forbid)},
		{pattern: "POST /api/v1/keys/{id}/revoke", path: func() string { return "/api/v1/keys/" + keyA() + "/revoke" }, want: want(unauth, forbid, allow, notFound, forbid)},
		{pattern: "GET /api/v1/subscriptions", want: api},
		{pattern: "GET /api/v1/instances", want: api},
		{pattern: "GET /api/v1/users", want: api},
		{pattern: "PATCH /api/v1/users/{id}", path: func() string { return "/api/v1/users/" + memberOfA() }, body: `{"role":"admin"}`, want: want(unauth, forbid, allow, notFound, allow)},
		{pattern: "DELETE /api/v1/users/{id}", path: func() string { return "/api/v1/users/" + memberOfA() }, want: want(unauth, forbid, allow, notFound, allow)},
		{pattern: "POST /api/v1/me/leave", want: want(unauth, allow, allow, conflict, forbid)},
		{pattern: "GET /api/v1/invitations", want: want(unauth, forbid, allow, allow, forbid)},
		{pattern: "POST /api/v1/invitations", body: `{"role":"member","max_uses":1,"days":1}`, want: want(unauth, forbid, allow, allow, forbid)},
		{pattern: "POST /api/v1/invitations/{id}/revoke", path: func() string { return "/api/v1/invitations/" + invitationA() + "/revoke" }, want: want(unauth, forbid, allow, notFound, forbid)},
		{pattern: "GET /api/v1/offers", want: want(unauth, allow, allow, allow, allow)},
		{pattern: "PUT /api/v1/offers/{ref}", path: same("/api/v1/offers/basic"), body: `{"level":10,"titles":{"en":"Basic"},"features":[]}`, want: operatorsAPI},
		{pattern: "GET /api/v1/accounts", want: operatorsAPI},
		{pattern: "GET /api/v1/accounts/{id}", path: same(fmt.Sprintf("/api/v1/accounts/%d", accountA)), want: operatorsAPI},
		{pattern: "POST /api/v1/accounts/{id}/suspend", path: same(fmt.Sprintf("/api/v1/accounts/%d/suspend", recB.Account.ID+100)), want: want(unauth, forbid, forbid, forbid, notFound)},
		{pattern: "POST /api/v1/accounts/{id}/activate", path: same(fmt.Sprintf("/api/v1/accounts/%d/activate", accountA)), want: operatorsAPI},
		{pattern: "POST /api/v1/accounts/{id}/subscriptions", path: same(fmt.Sprintf("/api/v1/accounts/%d/subscriptions", accountA)), body: `{"offer":"basic","until":"2099-01-01"}`, want: operatorsAPI},
		{pattern: "PATCH /api/v1/subscriptions/{id}", path: func() string { return "/api/v1/subscriptions/" + subscriptionA() }, body: `{"state":"active"}`, want: operatorsAPI},
		{pattern: "GET /api/v1/audit", want: operatorsAPI},
		{pattern: "GET /api/v1/plugins", want: want(unauth, allow, allow, allow, allow)},
		{pattern: "GET /api/v1/plugins/{key}", path: same("/api/v1/plugins/plugin000"), want: want(unauth, allow, allow, allow, allow)},
		{pattern: "POST /api/v1/plugins", want: want(unauth, forbid, forbid, forbid, malformed)},
		{pattern: "PATCH /api/v1/plugins/{key}", path: same("/api/v1/plugins/plugin000"), body: `{"license":"GPLv3+"}`, want: operatorsAPI},
		{pattern: "POST /api/v1/plugins/{key}/versions/{version}/yank", path: same("/api/v1/plugins/plugin000/versions/1.0.0/yank"), want: operatorsAPI},
		{pattern: "POST /api/v1/plugins/{key}/versions/{version}/unyank", path: same("/api/v1/plugins/plugin000/versions/1.0.0/unyank"), want: operatorsAPI},
		{pattern: "GET /api/v1/tags", want: want(unauth, allow, allow, allow, allow)},
		{pattern: "PUT /api/v1/tags/{key}", path: same("/api/v1/tags/all"), body: `{"names":{"en":"All"}}`, want: operatorsAPI},
		{pattern: "GET /api/v1/offer-requests", want: want(unauth, allow, allow, allow, allow)},
		// By now account A runs advanced (granted above) and B too: gold,
		// made on the operators' offers page above, is the one to ask for.
		{pattern: "POST /api/v1/offer-requests", body: `{"offer":"gold","message":"please"}`, want: want(unauth, forbid, allow, allow, forbid)},
		{pattern: "POST /api/v1/offer-requests/{id}/grant", path: func() string { return "/api/v1/offer-requests/" + requestA() + "/grant" }, want: operatorsAPI},
		{pattern: "POST /api/v1/offer-requests/{id}/decline", path: func() string { return "/api/v1/offer-requests/" + requestA() + "/decline" }, body: `{"reason":"no"}`, want: operatorsAPI},
	}

	classify := func(status int, loc string) string {
		switch {
		case status == http.StatusSeeOther && strings.HasPrefix(loc, "/login"):
			return login
		case status < 400:
			return allow
		case status == http.StatusUnauthorized:
			return unauth
		case status == http.StatusForbidden:
			return forbid
		case status == http.StatusNotFound:
			return notFound
		case status == http.StatusBadRequest:
			return malformed
		case status == http.StatusConflict:
			return conflict
		}
		return fmt.Sprint(status)
	}
	covered := map[string]bool{}
	for _, rw := range rows {
		covered[rw.pattern] = true
		method, pattern, _ := strings.Cut(rw.pattern, " ")
		for _, p := range all {
			path := strings.TrimSuffix(pattern, "{$}")
			if rw.path != nil {
				path = rw.path()
			}
			var req *http.Request
			if strings.HasPrefix(path, "/api/v1/") {
				body := rw.body
				if body == "" {
					body = "{}"
				}
				req, _ = http.NewRequest(method, ts.URL()+path, strings.NewReader(body))
				if p.token != "" {
					req.Header.Set("Authorization", "Bearer "+p.token)
				}
			} else if method == "POST" {
				form := url.Values{"csrf": {p.browser.csrf}}
				for i := 0; i+1 < len(rw.form); i += 2 {
					form.Add(rw.form[i], rw.form[i+1])
				}
				req, _ = http.NewRequest(method, ts.URL()+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req, _ = http.NewRequest(method, ts.URL()+path, nil)
			}
			client := *p.browser.c
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := classify(resp.StatusCode, resp.Header.Get("Location"))
			if rw.pattern == "POST /login" && resp.StatusCode == http.StatusUnauthorized {
				got = "unauthorized-page"
			}
			if got != rw.want[p.name] {
				t.Errorf("%s %s as %s: %s (status %d), want %s", method, path, p.name, got, resp.StatusCode, rw.want[p.name])
			}
			// Who left joins again, signed in with a new token, for the
			// rows after this one.
			if method == "POST" && strings.HasSuffix(rw.pattern, "/leave") && (p == member || p == admin) && got == allow {
				role := map[*principal]glpinet.UserRole{member: glpinet.RoleMember, admin: glpinet.RoleAdmin}[p]
				*p = *newPrincipal(p.name, p.name+"@a.example", accountA, role)
			}
			if rw.pattern == "POST /logout" && p != anon {
				if status, _ := p.browser.get("/dashboard"); status != 200 || p.browser.csrf == "" {
					t.Fatalf("%s: status %d after logout", p.name, status)
				}
				// Log back in for the rows after this one.
				p.browser.get("/login")
				email := map[string]string{"member": "member@a.example", "admin": "admin@a.example", "other-owner": "owner@b.example", "operator": "ops@example.com"}[p.name]
				p.browser.post("/login", "email", email, "password", "a long password!")
			}
		}
	}

	// Every state change of the portal refuses a forged CSRF token.
	for _, rw := range rows {
		method, pattern, _ := strings.Cut(rw.pattern, " ")
		if method != "POST" || strings.HasPrefix(pattern, "/api/") {
			continue
		}
		for _, p := range []*principal{anon, admin, operator} {
			path := pattern
			if rw.path != nil {
				path = rw.path()
			}
			form := url.Values{"csrf": {"forged"}}
			for i := 0; i+1 < len(rw.form); i += 2 {
				form.Add(rw.form[i], rw.form[i+1])
			}
			client := *p.browser.c
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := client.PostForm(ts.URL()+path, form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// Anonymous visitors are sent to the login page first where a
			// page needs a session; either way nothing is done.
			if resp.StatusCode != http.StatusForbidden && !(p == anon && resp.StatusCode == http.StatusSeeOther) {
				t.Errorf("POST %s as %s with a forged CSRF token: status %d, want 403", path, p.name, resp.StatusCode)
			}
		}
	}

	// Every portal and management API route must be in the table.
	var missing []string
	for _, r := range ts.HTTP.Routes() {
		method, path, _ := strings.Cut(r, " ")
		isGLPI := strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/v1/")
		if isGLPI || r == "/" || path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/static/" || method == "" {
			continue
		}
		if !covered[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes missing from the authorization table: %v", missing)
	}
}
