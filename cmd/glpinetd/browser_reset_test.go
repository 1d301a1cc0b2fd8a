package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/glpinet/glpinet/internal/smtptest"
)

// TestBrowserPasswordReset: in Chromium, from the log-in page's link to
// the mail, then the mailed link to a new password, then a log-in with it.
func TestBrowserPasswordReset(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	base := ts.URL()
	c := newChrome(t)

	b := c.tab()
	c.do(b, "sign up",
		chromedp.Navigate(base+"/signup"),
		chromedp.WaitVisible(chromedp.CSS("input[name=organisation]")),
		chromedp.SendKeys(chromedp.CSS("input[name=organisation]"), "Wayne Enterprises"),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Lucius Fox"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "lucius@wayne.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "applied sciences"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=keys]")))

	v := c.tab()
	c.do(v, "forgot",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("a[href='/password/forgot']")),
		chromedp.Click(chromedp.CSS("a[href='/password/forgot']")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=forgot] input[name=email]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "lucius@wayne.example"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=forgot] [role=status]")))
	if txt := c.text(v); !strings.Contains(txt, "If an account exists for this address") {
		t.Fatalf("after asking: %q", txt)
	}
	// Mail 1 is the sign-up's verification link.
	_, text := textPart(t, waitMail(t, srv, 2))
	link := resetLinkRE.FindString(text)
	if link == "" {
		t.Fatalf("no link in %q", text)
	}

	c.do(v, "reset",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=reset] input[name=password]")),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "a cape and a cowl"),
		chromedp.SendKeys(chromedp.CSS("input[name=repeat]"), "a cape and a cowl"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=reset] [role=status]")))
	c.do(v, "log in with the new password",
		chromedp.Click(chromedp.CSS("main a[href='/login']")),
		chromedp.WaitVisible(chromedp.CSS("input[name=email]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "lucius@wayne.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "a cape and a cowl"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=dashboard] h1")))
	if txt := c.text(v); !strings.Contains(txt, "Wayne Enterprises") {
		t.Fatalf("after logging in: %q", txt)
	}
	// The sign-up's session ended with the reset.
	c.do(b, "old session", chromedp.Navigate(base+"/keys"), chromedp.WaitVisible(chromedp.CSS("main[data-page=login]")))
}
