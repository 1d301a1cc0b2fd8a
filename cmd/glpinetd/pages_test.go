package main

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
)

// pagerLinkRE finds a link of a list's pager: "First page" or "Next page".
var pagerLinkRE = regexp.MustCompile(`<a href="([^"]+)"(?: rel="next")?>(First page|Next page)</a>`)

// pagerLinks returns the pager's links of a page by their text, and
// whether the page has a pager at all.
func pagerLinks(body string) (map[string]string, bool) {
	i := strings.Index(body, `<nav class="pager" aria-label="Pages of the list">`)
	if i < 0 {
		return nil, false
	}
	nav, _, _ := strings.Cut(body[i:], "</nav>")
	out := map[string]string{}
	for _, m := range pagerLinkRE.FindAllStringSubmatch(nav, -1) {
		out[m[2]] = html.UnescapeString(m[1])
	}
	return out, true
}

// TestPagination: the lists that grow come one page at a time, through
// the management API (?limit=, ?after=, next) and in the portal (a
// "Next page" link, then "First page"), with their filters kept; a
// malformed cursor is refused with a clear message.
func TestPagination(t *testing.T) {
	ts := startServer(t, nil)
	ctx := glpinet.WithActor(t.Context(), "test")
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", "Paged", "name", "Paula", "email", "paula@paged.example", "password", "many pages to read")
	owner, err := ts.DB.FindUserByEmail(ctx, "paula@paged.example")
	if err != nil {
		t.Fatal(err)
	}
	var keys []*glpinet.RegistrationKey
	for i := range 60 {
		raw := fmt.Sprintf("gnk_pages%03d", i)
		keys = append(keys, &glpinet.RegistrationKey{AccountID: owner.AccountID, Hash: glpinet.HashKey(raw), Prefix: raw, Label: fmt.Sprintf("key %03d", i)})
	}
	if err := ts.DB.CreateKeys(ctx, keys); err != nil {
		t.Fatal(err)
	}
	raw, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := ts.DB.CreateToken(ctx, &glpinet.APIToken{UserID: owner.ID, Name: "pages", Hash: auth.HashToken(raw),
		Scopes: []glpinet.TokenScope{glpinet.ScopeRead}}); err != nil {
		t.Fatal(err)
	}
	api := &client.API{BaseURL: ts.URL(), Token: raw}

	t.Run("API", func(t *testing.T) {
		first, err := api.Keys(t.Context(), glpinet.Page{})
		if err != nil || len(first.Data) != glpinet.DefaultPageLimit || first.Limit != glpinet.DefaultPageLimit || first.Next == "" {
			t.Fatalf("first page: %d keys, limit %d, next %q, %v", len(first.Data), first.Limit, first.Next, err)
		}
		second, err := api.Keys(t.Context(), glpinet.Page{After: first.Next})
		if err != nil || len(second.Data) != 10 || second.Next != "" {
			t.Fatalf("second page: %d keys, next %q, %v", len(second.Data), second.Next, err)
		}
		seen := map[int64]bool{}
		for _, k := range append(first.Data, second.Data...) {
			if seen[k.ID] {
				t.Fatalf("key %d on both pages", k.ID)
			}
			seen[k.ID] = true
		}
		// A smaller page; a larger limit than the maximum is cut.
		if l, err := api.Keys(t.Context(), glpinet.Page{Limit: 7}); err != nil || len(l.Data) != 7 || l.Next == "" {
			t.Fatalf("limit 7: %d keys, next %q, %v", len(l.Data), l.Next, err)
		}
		if l, err := api.Keys(t.Context(), glpinet.Page{Limit: 100000}); err != nil || len(l.Data) != 60 || l.Limit != glpinet.MaxPageLimit {
			t.Fatalf("limit 100000: %d keys, limit %d, %v", len(l.Data), l.Limit, err)
		}
		status, out := apiCall(t, "GET", ts.URL()+"/api/v1/keys?after=not-a-cursor", raw, "")
		if status != http.StatusBadRequest || out["code"] != "invalid" || !strings.Contains(fmt.Sprint(out["message"]), "cursor is malformed") {
			t.Fatalf("a malformed cursor: %d %v", status, out)
		}
		status, out = apiCall(t, "GET", ts.URL()+"/api/v1/users?after="+first.Next, raw, "")
		if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out["message"]), "another list") {
			t.Fatalf("a keys cursor given to the users: %d %v", status, out)
		}
		if status, out := apiCall(t, "GET", ts.URL()+"/api/v1/instances?limit=many", raw, ""); status != http.StatusBadRequest {
			t.Fatalf("limit=many: %d %v", status, out)
		}
		for _, path := range []string{"/api/v1/users", "/api/v1/instances"} {
			status, out := apiCall(t, "GET", ts.URL()+path+"?limit=2", raw, "")
			if _, ok := out["next"]; status != 200 || !ok {
				t.Fatalf("%s: %d %v, want a next cursor", path, status, out)
			}
		}
	})

	t.Run("Portal", func(t *testing.T) {
		status, body := b.get("/keys")
		links, ok := pagerLinks(body)
		if status != 200 || !ok || links["Next page"] == "" || links["First page"] != "" {
			t.Fatalf("keys page 1: %d, pager %v %v", status, ok, links)
		}
		if !strings.Contains(body, "key 059") || strings.Contains(body, "key 009") {
			t.Fatal("the first page of keys is not the newest 50")
		}
		status, body = b.get(links["Next page"])
		links, ok = pagerLinks(body)
		if status != 200 || !ok || links["Next page"] != "" || links["First page"] != "/keys" {
			t.Fatalf("keys page 2: %d, pager %v %v", status, ok, links)
		}
		if !strings.Contains(body, "key 009") || strings.Contains(body, "key 010") {
			t.Fatal("the second page of keys is not the oldest 10")
		}
		if status, body := b.get("/keys?after=%25%25"); status != http.StatusBadRequest || !strings.Contains(body, "cursor is malformed") {
			t.Fatalf("a malformed cursor in the portal: %d", status)
		}
		// A short list has no pager; the dashboard counts all the keys.
		if _, body := b.get("/instances"); strings.Contains(body, `class="pager"`) {
			t.Fatal("a list of one page has a pager")
		}
		if _, body := b.get("/dashboard"); !strings.Contains(body, "(60)") {
			t.Fatal("the dashboard does not count the 60 keys")
		}
	})

	t.Run("Members", func(t *testing.T) {
		// A disabled member is marked so in the list.
		hash, _ := auth.HashPassword("member password", auth.DefaultParams)
		m := &glpinet.User{AccountID: owner.AccountID, Email: "gone@paged.example", Name: "Gone", Role: glpinet.RoleMember, PasswordHash: hash}
		if err := ts.DB.CreateUser(ctx, m); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ts.DB.SetUserDisabled(ctx, m.ID, true); err != nil {
			t.Fatal(err)
		}
		_, body := b.get("/members")
		before, after, _ := strings.Cut(body, "gone@paged.example")
		row, _, _ := strings.Cut(before[strings.LastIndex(before, "<tr>"):]+after, "</tr>")
		if !strings.Contains(row, "(Disabled)") {
			t.Fatalf("the disabled member's row: %s", row)
		}
		if _, body := b.get("/members"); strings.Count(body, "(Disabled)") != 1 {
			t.Fatal("an enabled member is shown disabled")
		}
	})

	t.Run("Audit", func(t *testing.T) {
		// 60 key.import events would be one; issue keys one by one.
		for range 55 {
			k := &glpinet.RegistrationKey{AccountID: owner.AccountID, Prefix: "gnk_audit"}
			rawKey, _ := glpinet.GenerateKey()
			k.Hash = glpinet.HashKey(rawKey)
			if err := ts.DB.CreateKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		issued, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.AuditEvent, string, error) {
			return ts.DB.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "key.issue", Page: p})
		})
		if err != nil || len(issued) <= glpinet.DefaultPageLimit {
			t.Fatalf("key.issue events: %d, %v", len(issued), err)
		}
		op := operatorBrowser(t, ts)
		status, body := op.get("/operator/audit?action=key.issue")
		links, ok := pagerLinks(body)
		if status != 200 || !ok || !strings.Contains(links["Next page"], "action=key.issue") || !strings.Contains(links["Next page"], "after=") {
			t.Fatalf("audit page 1: %d, pager %v %v", status, ok, links)
		}
		if n := strings.Count(body, ">key.issue<"); n != glpinet.DefaultPageLimit {
			t.Fatalf("audit page 1 shows %d events, want %d", n, glpinet.DefaultPageLimit)
		}
		_, body = op.get(links["Next page"])
		links, _ = pagerLinks(body)
		if n := strings.Count(body, ">key.issue<"); n != len(issued)-glpinet.DefaultPageLimit || links["First page"] != "/operator/audit?action=key.issue" || links["Next page"] != "" {
			t.Fatalf("audit page 2: %d events, pager %v", n, links)
		}
		if strings.Contains(body, ">key.import<") {
			t.Fatal("the filter was lost on the next page")
		}
		// The accounts list pages too.
		for i := range 55 {
			if err := ts.DB.CreateAccount(ctx, &glpinet.Account{Name: fmt.Sprintf("Many %02d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, body = op.get("/operator/accounts?q=many")
		links, _ = pagerLinks(body)
		if !strings.Contains(links["Next page"], "q=many") || strings.Contains(body, "accounts found") {
			t.Fatalf("accounts page 1: pager %v", links)
		}
		_, body = op.get(links["Next page"])
		if !strings.Contains(body, "Many 54") || strings.Contains(body, "Many 49<") {
			t.Fatal("accounts page 2 is not the last 5")
		}
	})
}
