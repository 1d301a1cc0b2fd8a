package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/testkit"
)

// -screenshots writes a PNG (quality 100: anything less is JPEG) of each main page to docs/screenshots while
// the browser test runs (go test ./cmd/glpinetd -run Browser -screenshots).
var screenshots = flag.Bool("screenshots", false, "write screenshots of the portal's main pages to docs/screenshots")

// chrome starts Debian's Chromium, headless, for one test; a new browser
// context (its own cookies) is made per call of tab.
type chrome struct {
	t     *testing.T
	root  context.Context // the first tab, which starts the browser
	shots int
}

func newChrome(t *testing.T) *chrome {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("browser tests need Chromium: apt-get install -y chromium (.ci/run installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		// No traffic outside loopback: this machine has no other network.
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return &chrome{t: t, root: root}
}

// tab opens a tab in a fresh browser context: a visitor with no cookies.
func (c *chrome) tab() context.Context {
	ctx, cancel := chromedp.NewContext(c.root, chromedp.WithNewBrowserContext())
	c.t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	c.t.Cleanup(cancel)
	return ctx
}

// do runs steps, failing the test with what was being done.
func (c *chrome) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// value reads an input's value.
func (c *chrome) value(ctx context.Context, css string) string {
	c.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		c.t.Fatalf("reading %s: %v", css, err)
	}
	return v
}

// text reads the text of the page's main element.
func (c *chrome) text(ctx context.Context) string {
	c.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		c.t.Fatalf("reading the page: %v", err)
	}
	return v
}

// shot saves a screenshot of the page when -screenshots is set.
func (c *chrome) shot(ctx context.Context, name string) {
	c.t.Helper()
	if !*screenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	c.shots++
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// TestBrowser drives the portal in Chromium as people do: sign up and
// generate a key that GLPI accepts, invite a colleague who joins, make an
// API token and use it, and publish a plugin as an operator.
func TestBrowser(t *testing.T) {
	ts := startServer(t, seedCatalogue(3))
	c := newChrome(t)
	base := ts.URL()

	// Sign up, generate a key, and check it the way GLPI does.
	owner := c.tab()
	c.do(owner, "sign-up page", chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.CSS("input[name=organisation]")))
	c.shot(owner, "signup")
	c.do(owner, "sign up",
		chromedp.SendKeys(chromedp.CSS("input[name=organisation]"), "Stark Industries"),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Pepper Potts"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "pepper@stark.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "arc reactor mk2"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=keys] input[name=label]")))
	c.do(owner, "generate a key",
		chromedp.SendKeys(chromedp.CSS("input[name=label]"), "helpdesk"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#newkey")))
	c.shot(owner, "keys")
	key := c.value(owner, "#newkey")
	g := ts.glpi("", "10.0.16")
	g.Key = key
	info, _, err := g.RegistrationInfo(t.Context())
	if err != nil || !info.IsValid || info.Owner.Name != "Stark Industries" {
		t.Fatalf("the key made in the browser, on /api/registration/info: %+v, %v (key %q)", info, err, key)
	}
	c.do(owner, "dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("main[data-page=dashboard] h1")))
	c.shot(owner, "dashboard")
	c.do(owner, "marketplace", chromedp.Navigate(base+"/marketplace?glpi=10.0.16"), chromedp.WaitVisible(chromedp.CSS("main table")))
	c.shot(owner, "marketplace")
	c.do(owner, "offers", chromedp.Navigate(base+"/offers"), chromedp.WaitVisible(chromedp.CSS(".offers")))
	c.shot(owner, "offers")

	// Invite a colleague, who joins in another browser.
	c.do(owner, "invite",
		chromedp.Navigate(base+"/members"),
		chromedp.WaitVisible(chromedp.CSS("input[name=max_uses]")),
		chromedp.Click(chromedp.CSS("form[action='/members/invitations'] button")),
		chromedp.WaitVisible(chromedp.CSS("#newlink")))
	c.shot(owner, "members")
	link := c.value(owner, "#newlink")
	colleague := c.tab()
	c.do(colleague, "join",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("input[name=name]")),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Happy Hogan"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "happy@stark.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "driver and bodyguard"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=dashboard] h1")))
	if txt := c.text(colleague); !strings.Contains(txt, "Stark Industries") {
		t.Fatalf("after joining: %q", txt)
	}
	joined, err := ts.DB.FindUserByEmail(t.Context(), "happy@stark.example")
	pepper, _ := ts.DB.FindUserByEmail(t.Context(), "pepper@stark.example")
	if err != nil || joined.AccountID != pepper.AccountID || joined.Role != glpinet.RoleMember {
		t.Fatalf("joined user %+v, %v", joined, err)
	}

	// An API token made in the browser works on /api/v1.
	c.do(owner, "make a token",
		chromedp.Navigate(base+"/tokens"),
		chromedp.WaitVisible(chromedp.CSS("input[name=name]")),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "inventory sync"),
		chromedp.Click(chromedp.CSS("input[name=scope][value=read]")),
		chromedp.Click(chromedp.CSS("form[action='/tokens'] button")),
		chromedp.WaitVisible(chromedp.CSS("#newtoken")))
	c.shot(owner, "tokens")
	api := &client.API{BaseURL: base, Token: c.value(owner, "#newtoken")}
	me, err := api.Me(t.Context())
	if err != nil || me.Account.Name != "Stark Industries" || me.User.Email != "pepper@stark.example" {
		t.Fatalf("the browser's token on /api/v1/me: %+v, %v", me, err)
	}

	// An operator publishes a gated plugin in the browser: an entitled key
	// gets its download link, a free one does not.
	hash, _ := auth.HashPassword("operator password", auth.DefaultParams)
	if err := ts.DB.CreateUser(glpinet.WithActor(t.Context(), "test"), &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	archive := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "jarvis", Version: "3.0.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0"})
	op := c.tab()
	c.do(op, "operator login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("input[name=email]")))
	c.shot(op, "login")
	c.do(op, "operator login",
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "ops@provider.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "operator password"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=op_accounts] form[action='/operator/accounts']")))
	c.shot(op, "operator-accounts")
	c.do(op, "upload",
		chromedp.Navigate(base+"/operator/plugins"),
		chromedp.WaitVisible(chromedp.CSS("input[name=archive]")),
		chromedp.SetUploadFiles(chromedp.CSS("input[name=archive]"), []string{archive}),
		chromedp.SendKeys(chromedp.CSS("input[name=required_offers]"), "standard"),
		chromedp.Click(chromedp.CSS("form[action='/operator/plugins'] button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	c.shot(op, "operator-plugins")
	if txt := c.text(op); !strings.Contains(txt, "Published: jarvis 3.0.0") {
		t.Fatalf("after the upload: %q", txt)
	}
	eventually(t, func() error {
		for offer, want := range map[string]bool{"advanced": true, "registered": false} {
			plugins, _, err := ts.glpi(offer, "10.0.16").Plugins(t.Context())
			if err != nil {
				return err
			}
			found := false
			for _, p := range plugins {
				if p.Key == "jarvis" && len(p.Versions) == 1 {
					found = true
					if got := p.Versions[0].DownloadURL != nil; got != want {
						return fmt.Errorf("%s key: download link %v, want %v", offer, got, want)
					}
				}
			}
			if !found {
				return fmt.Errorf("jarvis is not in the catalogue of a %s key yet", offer)
			}
		}
		return nil
	})
	if *screenshots && c.shots == 0 {
		t.Fatal("no screenshot written")
	}
}
