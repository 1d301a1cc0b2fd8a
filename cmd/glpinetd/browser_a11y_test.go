package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// axeSHA256 is the SHA-256 of testdata/axe/axe.min.js, as recorded in
// testdata/axe/VENDORED.md.
const axeSHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

// axeSource reads the vendored axe-core and checks it is the recorded file.
func axeSource(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("testdata", "axe")
	src, err := os.ReadFile(filepath.Join(dir, "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	if got := hex.EncodeToString(sum[:]); got != axeSHA256 {
		t.Fatalf("testdata/axe/axe.min.js has SHA-256 %s, want %s (VENDORED.md)", got, axeSHA256)
	}
	if md, err := os.ReadFile(filepath.Join(dir, "VENDORED.md")); err != nil || !strings.Contains(string(md), axeSHA256) {
		t.Fatalf("testdata/axe/VENDORED.md does not record the SHA-256 %s (%v)", axeSHA256, err)
	}
	return string(src)
}

// axeViolation is one rule axe-core found broken on a page.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Targets []string `json:"targets"`
}

// axeRun is the script that runs axe-core on the page (WCAG 2.x A and AA
// rules and axe's best practices) and returns its violations.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	targets: v.nodes.map(n => n.target.join(" ")),
})))`

// audit injects axe-core into the page ctx shows and fails the test on any
// violation of impact serious or critical; it returns how many violations
// (of any impact) the page has.
func (c *chrome) audit(ctx context.Context, axe, page string) int {
	c.t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		c.t.Fatalf("%s: injecting axe-core: %v", page, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Fatalf("%s: running axe-core: %v", page, err)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("%s: %s (%s) on %s: %s — %s", page, v.ID, v.Impact, strings.Join(v.Targets, ", "), v.Help, v.HelpURL)
		if v.Impact == "serious" || v.Impact == "critical" {
			c.t.Error(msg)
		} else {
			c.t.Log(msg)
		}
	}
	return len(vs)
}

// evaluate returns the value of a JavaScript expression on the page.
func evaluate[T any](c *chrome, ctx context.Context, expr string) T {
	c.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		c.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// TestBrowserAccessibility runs axe-core on every main page of the portal,
// customer and operator, with data in their tables, and checks what makes
// the pages look finished: the current page marked in the navigation,
// states in the tables, the password rule, no horizontal scrolling at
// 1280 px.
func TestBrowserAccessibility(t *testing.T) {
	ts := startServer(t, seedCatalogue(3))
	c := newChrome(t)
	base := ts.URL()
	axe := axeSource(t)
	counts := map[string]int{}
	visit := func(ctx context.Context, name, path string) {
		t.Helper()
		c.do(ctx, name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
		counts[name] = c.audit(ctx, axe, name)
		if w := evaluate[int](c, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
			t.Errorf("%s: the page scrolls sideways by %d px at 1280 px", name, w)
		}
	}

	anon := c.tab()
	visit(anon, "login", "/login")
	visit(anon, "signup", "/signup")
	if txt := c.text(anon); !strings.Contains(txt, fmt.Sprint(glpinet.MinPasswordLen)) {
		t.Errorf("sign-up page does not give the password rule: %q", txt)
	}
	if n := evaluate[int](c, anon, `document.querySelectorAll("main a[href='/login']").length`); n != 1 {
		t.Errorf("sign-up page: %d links to log in instead, want 1", n)
	}
	visit(anon, "forgot password", "/password/forgot")
	visit(anon, "reset link used or unknown", "/password/reset/gnr_unknown")
	visit(anon, "verification link used or unknown", "/verify/gnv_unknown")
	visit(anon, "not found", "/no-such-page")
	if h1 := evaluate[string](c, anon, `document.querySelector("h1").textContent`); h1 != "Something went wrong" {
		t.Errorf("a browser's 404 page is titled %q", h1)
	}
	if icon := evaluate[string](c, anon, `document.querySelector("link[rel=icon]").href`); icon != base+"/static/favicon.svg" {
		t.Errorf("the favicon link is %q", icon)
	}
	resp, err := http.Get(base + "/static/favicon.svg")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") {
		t.Errorf("the favicon is served with %s, %v", resp.Status, resp.Header)
	}

	owner := c.tab()
	c.do(owner, "sign up", chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.CSS("input[name=organisation]")),
		chromedp.SendKeys(chromedp.CSS("input[name=organisation]"), "Wayne Enterprises"),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Lucius Fox"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "lucius@wayne.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "applied sciences"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=keys] input[name=label]")))
	c.do(owner, "generate a key", chromedp.SendKeys(chromedp.CSS("input[name=label]"), "gotham"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#newkey")))
	g := ts.glpi("", "10.0.16")
	g.Key = c.value(owner, "#newkey")
	if _, _, err := g.RegistrationInfo(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.do(owner, "invite", chromedp.Navigate(base+"/members"), chromedp.WaitVisible(chromedp.CSS("input[name=max_uses]")),
		chromedp.Click(chromedp.CSS("form[action='/members/invitations'] button")), chromedp.WaitVisible(chromedp.CSS("#newlink")))
	link := c.value(owner, "#newlink")
	c.do(owner, "make a token", chromedp.Navigate(base+"/tokens"), chromedp.WaitVisible(chromedp.CSS("input[name=name]")),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "batcomputer"),
		chromedp.Click(chromedp.CSS("input[name=scope][value=read]")),
		chromedp.Click(chromedp.CSS("form[action='/tokens'] button")), chromedp.WaitVisible(chromedp.CSS("#newtoken")))

	for _, p := range []struct{ name, path string }{
		{"dashboard", "/dashboard"}, {"keys", "/keys"}, {"instances", "/instances"}, {"members", "/members"},
		{"tokens", "/tokens"}, {"offers", "/offers"}, {"marketplace", "/marketplace?glpi=10.0.16"}, {"password", "/password"},
	} {
		visit(owner, p.name, p.path)
		if p.name == "password" {
			continue
		}
		cur := evaluate[[]string](c, owner, `[...document.querySelectorAll("nav [aria-current=page]")].map(a => a.getAttribute("href"))`)
		if want := strings.SplitN(p.path, "?", 2)[0]; len(cur) != 1 || cur[0] != want {
			t.Errorf("%s: the navigation marks %v as the current page, want [%s]", p.name, cur, want)
		}
	}
	visit(owner, "keys", "/keys")
	if h1, nav := evaluate[string](c, owner, `document.querySelector("h1").textContent`),
		evaluate[string](c, owner, `document.querySelector("nav [aria-current=page]").textContent`); !strings.HasPrefix(h1, nav) {
		t.Errorf("the navigation says %q for the page titled %q", nav, h1)
	}
	visit(owner, "tokens", "/tokens")
	if txt := evaluate[string](c, owner, `document.querySelector("main table tbody tr").textContent`); !strings.Contains(txt, "active") {
		t.Errorf("the token's row gives no state: %q", txt)
	}
	visit(owner, "offers", "/offers")
	// seedCatalogue(3): plugin000 needs the standard offer, the two others
	// none.
	cards := evaluate[map[string]string](c, owner, `Object.fromEntries([...document.querySelectorAll(".offers section")].map(s => [s.querySelector("h2").textContent, s.querySelector(".count").textContent]))`)
	for title, want := range map[string]string{"Registered (free)": "2", "Basic": "2", "Standard": "3", "Advanced": "3"} {
		if got := cards[title]; !strings.HasSuffix(got, " "+want) {
			t.Errorf("offers page: the %s card says %q, want %s plugins", title, got, want)
		}
	}
	visit(owner, "marketplace", "/marketplace?glpi=10.0.16")
	if n := evaluate[int](c, owner, `document.querySelectorAll("main th:empty, main td button, main td .button").length`); n != 0 {
		t.Errorf("marketplace: %d empty column headers or button-like cells", n)
	}

	joiner := c.tab()
	visit(joiner, "join", strings.TrimPrefix(link, base))

	hash, _ := auth.HashPassword("operator password", auth.DefaultParams)
	if err := ts.DB.CreateUser(glpinet.WithActor(t.Context(), "test"), &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	wayne, err := ts.DB.FindUserByEmail(t.Context(), "lucius@wayne.example")
	if err != nil {
		t.Fatal(err)
	}
	// A pending offer request: the requests page shows its grant and
	// decline forms.
	if err := ts.DB.CreateOfferRequest(glpinet.WithActor(t.Context(), "test"), &glpinet.OfferRequest{AccountID: wayne.AccountID,
		OfferRef: "standard", UserID: wayne.ID, Message: "For the Batcave"}); err != nil {
		t.Fatal(err)
	}
	// Lists longer than a page: the accounts and the audit log show their
	// pager.
	for i := range glpinet.DefaultPageLimit + 5 {
		if err := ts.DB.CreateAccount(glpinet.WithActor(t.Context(), "test"), &glpinet.Account{Name: fmt.Sprintf("Paged %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	op := c.tab()
	c.do(op, "operator login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("input[name=email]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "ops@provider.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "operator password"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=op_accounts]")))
	for _, p := range []struct{ name, path string }{
		{"operator accounts", "/operator/accounts"}, {"operator account", fmt.Sprintf("/operator/accounts/%d", wayne.AccountID)},
		{"operator plugins", "/operator/plugins"}, {"operator plugin", "/operator/plugins/plugin000"},
		{"operator offers", "/operator/offers"}, {"operator audit", "/operator/audit"},
		{"operator operators", "/operator/operators"}, {"operator mails", "/operator/mails"},
		{"operator requests", "/operator/requests"},
	} {
		visit(op, p.name, p.path)
		if p.name == "operator audit" || p.name == "operator account" {
			c.shot(op, strings.ReplaceAll(p.name, " ", "-"))
		}
	}
	visit(op, "operator audit", "/operator/audit")
	if next := evaluate[string](c, op, `document.querySelector("nav.pager a[rel=next]")?.getAttribute("href") ?? ""`); next == "" {
		t.Error("operator audit: no link to the next page")
	} else {
		visit(op, "operator audit, next page", next)
	}
	visit(op, "operator account", fmt.Sprintf("/operator/accounts/%d", wayne.AccountID))
	if n := evaluate[int](c, op, `[...document.querySelectorAll("form[action^='/operator/subscriptions/'] input[type=date]")].filter(i => !i.labels.length).length`); n != 0 {
		t.Errorf("operator account: %d date fields of subscriptions without a label", n)
	}
	for name, n := range counts {
		t.Logf("axe-core: %s: %d violation(s)", name, n)
	}
}

// TestBrowserKeyboard signs up and generates a key with the keyboard only:
// Tab to a field, type, Enter to submit.
func TestBrowserKeyboard(t *testing.T) {
	ts := startServer(t, nil)
	c := newChrome(t)
	ctx := c.tab()
	// tabTo presses Tab until the focused element matches css.
	tabTo := func(css string) {
		t.Helper()
		for range 40 {
			if evaluate[bool](c, ctx, fmt.Sprintf(`document.activeElement !== null && document.activeElement.matches(%q)`, css)) {
				return
			}
			c.do(ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("Tab never reached %s (at %s)", css, evaluate[string](c, ctx, `document.activeElement.outerHTML`))
	}
	c.do(ctx, "sign-up page", chromedp.Navigate(ts.URL()+"/signup"), chromedp.WaitVisible(chromedp.CSS("input[name=organisation]")))
	for _, f := range []struct{ css, text string }{
		{"input[name=organisation]", "Oscorp"},
		{"input[name=name]", "Otto Octavius"},
		{"input[name=email]", "otto@oscorp.example"},
		{"input[name=password]", "four arms are better"},
	} {
		tabTo(f.css)
		c.do(ctx, "typing into "+f.css, chromedp.KeyEvent(f.text))
	}
	tabTo("form.card button[type=submit]")
	c.do(ctx, "submitting the sign-up", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("main[data-page=keys] input[name=label]")))
	tabTo("input[name=label]")
	c.do(ctx, "typing a label", chromedp.KeyEvent("fusion reactor"))
	tabTo("form[action='/keys'] button[type=submit]")
	c.do(ctx, "generating a key", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#newkey")))
	if key := c.value(ctx, "#newkey"); glpinet.CheckKey(key) != glpinet.KeyOK {
		t.Fatalf("the key shown is %q", key)
	}
	if txt := c.text(ctx); !strings.Contains(txt, "fusion reactor") {
		t.Fatalf("the key's label is not in the list: %q", txt)
	}
}
