package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/smtptest"
)

// TestBrowserInvitationByMail: in Chromium, an owner invites an admin by
// e-mail from the members page; the mail is parsed back (headers, both
// parts) and carries the link the page shows; in a second browser
// context the invitee opens the mailed link, finds their address filled
// in, joins, and lands in the account as an admin. Both pages with the
// new fields pass axe-core.
func TestBrowserInvitationByMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	base := ts.URL()
	c := newChrome(t)
	axe := axeSource(t)

	owner := c.tab()
	c.do(owner, "sign up",
		chromedp.Navigate(base+"/signup"),
		chromedp.WaitVisible(chromedp.CSS("input[name=organisation]")),
		chromedp.SendKeys(chromedp.CSS("input[name=organisation]"), "Springfield Nuclear"),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Montgomery Burns"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "burns@springfield.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "excellent smithers"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=keys]")))
	form := "form[action='/members/invitations'] "
	c.do(owner, "the members page", chromedp.Navigate(base+"/members"), chromedp.WaitVisible(chromedp.CSS(form+"input[name=email]")))
	c.audit(owner, axe, "members (invitation by e-mail)")
	c.do(owner, "invite by e-mail",
		chromedp.SetValue(chromedp.CSS(form+"select[name=role]"), "admin"),
		chromedp.SendKeys(chromedp.CSS(form+"input[name=email]"), "Smithers@Springfield.example"),
		chromedp.Click(chromedp.CSS(form+"button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#newlink")))
	shown := c.value(owner, "#newlink")
	if txt := c.text(owner); !strings.Contains(txt, "smithers@springfield.example") {
		t.Errorf("the page does not say where the link was mailed:\n%s", txt)
	}

	got := readInvitationMail(t, waitMailTo(t, srv, "smithers@springfield.example"))
	link := joinLinkRE.FindString(got.text)
	if link == "" || link != shown || !strings.Contains(got.html, `href="`+link+`"`) {
		t.Fatalf("mailed link %q, shown %q; html:\n%s", link, shown, got.html)
	}
	if to, subject := got.header.Get("To"), got.subject; !strings.Contains(to, "smithers@springfield.example") ||
		subject != "You are invited to join a glpinet account" || got.header.Get("Message-Id") == "" {
		t.Errorf("headers: To %q, Subject %q, Message-Id %q", to, subject, got.header.Get("Message-Id"))
	}
	for _, want := range []string{"Montgomery Burns", "Springfield Nuclear", "an admin"} {
		if !strings.Contains(got.text, want) || !strings.Contains(got.html, want) {
			t.Errorf("the mail lacks %q:\n%s", want, got.text)
		}
	}

	invitee := c.tab()
	c.do(invitee, "open the mailed link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main[data-page=join] input[name=name]")))
	if email := c.value(invitee, "input[name=email]"); email != "smithers@springfield.example" {
		t.Errorf("the join page offers %q, want the invited address", email)
	}
	c.audit(invitee, axe, "join (pre-filled)")
	c.do(invitee, "join",
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Waylon Smithers"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "yes mister burns"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=dashboard] h1")))
	if txt := c.text(invitee); !strings.Contains(txt, "Springfield Nuclear") {
		t.Errorf("after joining: %q", txt)
	}
	// An admin manages the members: the members page shows them the
	// invitations, with the one they came by, used.
	c.do(invitee, "the invitee's members page", chromedp.Navigate(base+"/members"), chromedp.WaitVisible(chromedp.CSS(form+"input[name=email]")))
	if txt := c.text(invitee); !strings.Contains(txt, "Sent to smithers@springfield.example") || !strings.Contains(txt, "used up") {
		t.Errorf("the invitee's members page:\n%s", txt)
	}
	u, err := ts.DB.FindUserByEmail(glpinet.WithActor(t.Context(), "test"), "smithers@springfield.example")
	if err != nil || u.Role != glpinet.RoleAdmin || u.Name != "Waylon Smithers" {
		t.Fatalf("the invitee: %+v, %v", u, err)
	}
}
