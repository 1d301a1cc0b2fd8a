package main

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/glpinet/glpinet/internal/smtptest"
)

// verifyMail parses a verification mail: its headers, and its text and
// HTML parts, decoded.
func verifyMail(t *testing.T, m smtptest.Message) (h mail.Header, subject, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, %v; want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(p)
		}
		b, _ := io.ReadAll(r)
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			html = string(b)
		}
	}
	return msg.Header, subject, text, html
}

// TestBrowserSignUpVerification: in Chromium, a sign-up on a server with
// --smtp and --public-url lands on the keys page with the verification
// banner (accessible) and no key form, and a key asked for anyway is
// refused; the mail (both parts) carries the link, which verifies the
// address in the browser; then a registration key is made.
func TestBrowserSignUpVerification(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	base := ts.URL()
	c := newChrome(t)
	axe := axeSource(t)

	b := c.tab()
	c.do(b, "sign up",
		chromedp.Navigate(base+"/signup"),
		chromedp.WaitVisible(chromedp.CSS("input[name=organisation]")),
		chromedp.SendKeys(chromedp.CSS("input[name=organisation]"), "Stark Industries"),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Pepper Potts"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "pepper@stark.example"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "arc reactor 2008"),
		chromedp.Click(chromedp.CSS("form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=keys] #verify-banner")))
	if txt := c.text(b); !strings.Contains(txt, "we sent a link to pepper@stark.example") {
		t.Fatalf("keys page: %q", txt)
	}
	if n := c.audit(b, axe, "keys page with the verification banner"); n != 0 {
		t.Logf("%d minor axe findings", n)
	}
	if n := evaluate[int](c, b, `document.querySelectorAll("form[action='/keys']").length`); n != 0 {
		t.Errorf("the keys page shows %d key forms to an unverified user", n)
	}
	// Asked for anyway, with the page's CSRF token: refused.
	status, err := chromedp.Run(b, chromedp.Evaluate[int](`fetch("/keys", {method: "POST", body: new URLSearchParams({
		csrf: document.querySelector("#verify-banner input[name=csrf]").value, label: "sneaky"})}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 403 {
		t.Errorf("a key asked for unverified: %d, %v; want 403", status, err)
	}
	c.do(b, "dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("main[data-page=dashboard] #verify-banner")))
	c.audit(b, axe, "dashboard with the verification banner")

	h, subject, text, html := verifyMail(t, waitMail(t, srv, 1))
	link := verifyLinkRE.FindString(text)
	if to, _ := mail.ParseAddress(h.Get("To")); to == nil || to.Address != "pepper@stark.example" {
		t.Errorf("To: %q", h.Get("To"))
	}
	if from, _ := mail.ParseAddress(h.Get("From")); from == nil || from.Address != "noreply@example.com" {
		t.Errorf("From: %q", h.Get("From"))
	}
	if subject != "Confirm your e-mail address for glpinet" || !strings.Contains(text, "Hello Pepper Potts,") || !strings.HasPrefix(link, base+"/verify/gnv_") {
		t.Fatalf("mail %q: %q", subject, text)
	}
	if !strings.Contains(html, `href="`+link+`"`) || !strings.Contains(html, "Confirm my e-mail address") {
		t.Errorf("the HTML part lacks the link: %q", html)
	}

	c.do(b, "open the link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=verify] [role=status]")))
	if txt := c.text(b); !strings.Contains(txt, "pepper@stark.example is confirmed") {
		t.Fatalf("after the link: %q", txt)
	}
	c.audit(b, axe, "address confirmed")
	c.do(b, "make a key",
		chromedp.Click(chromedp.CSS("main a[href='/keys']")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=keys] input[name=label]")),
		chromedp.SendKeys(chromedp.CSS("input[name=label]"), "production"),
		chromedp.Click(chromedp.CSS("form[action='/keys'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#newkey")))
	if key := c.value(b, "#newkey"); !keyRE.MatchString(key) {
		t.Fatalf("new key %q", key)
	}
	if n := evaluate[int](c, b, `document.querySelectorAll("#verify-banner").length`); n != 0 {
		t.Error("the banner stays once verified")
	}
}
