package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/smtptest"
	"github.com/glpinet/glpinet/internal/testkit"
)

// TestBrowserUpgradeRequest: in real Chromium, a customer's owner asks for
// the Standard offer on the offers page; the operators' mail reaches the
// SMTP server (headers, a text and an HTML part, both linking to the
// requests page of the public URL); the operator opens that link in
// another browser, signs in and grants the request in one click; the
// customer's offers page shows Standard as theirs; and a plugin version
// gated on Standard, which GLPI's API refused the customer's key before,
// downloads with that key right after the grant, the server still
// running.
func TestBrowserUpgradeRequest(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	base := ts.URL()
	ctx := glpinet.WithActor(t.Context(), "test")

	// The customer: an account, its owner, and a key issued by glpinetd.
	const password = "hasta la vista"
	hash, _ := auth.HashPassword(password, auth.DefaultParams)
	acct := &glpinet.Account{Name: "Cyberdyne Systems"}
	if err := ts.DB.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := ts.DB.CreateUser(ctx, &glpinet.User{Email: "miles@cyberdyne.example", Name: "Miles Dyson", Role: glpinet.RoleOwner,
		AccountID: acct.ID, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"key", "issue", "--account", fmt.Sprint(acct.ID), "--label", "T-800",
		"--data", ts.Store.data, "--database", ts.Store.database}, &stdout, &stderr); code != 0 {
		t.Fatalf("key issue: %s", stderr.String())
	}
	key, _, _ := strings.Cut(stdout.String(), "\n")

	// The operator (password "a long password!") publishes a version
	// gated on Standard through /api/v1.
	_, opAPI := apiUser(t, ts, "ops@provider.example", 0, glpinet.RoleOperator, glpinet.ScopeRead, glpinet.ScopeAdmin, glpinet.ScopePublish)
	archive := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "skynet", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0"})
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := opAPI.Publish(t.Context(), filepath.Base(archive), f, glpinet.PublishOptions{RequiredOffers: []string{"standard"}}); err != nil {
		t.Fatalf("publish: %v", err)
	}

	// Before: GLPI with the customer's key sees the version without a
	// download link, and the archive's URL refuses the key.
	g := &client.GLPI{BaseURL: base, Key: key, UID: "Cyberdyne0123456789abcdefghij0123456789a", Version: "10.0.16", InstallMode: "TARBALL", Lang: "en"}
	skynet := func(g *client.GLPI) (*client.Version, error) {
		plugins, _, err := g.Plugins(t.Context())
		if err != nil {
			return nil, err
		}
		for _, p := range plugins {
			if p.Key == "skynet" && len(p.Versions) == 1 {
				return &p.Versions[0], nil
			}
		}
		return nil, fmt.Errorf("skynet is not in the catalogue yet")
	}
	var archiveURL string
	eventually(t, func() error {
		v, err := skynet(ts.glpi("advanced", "10.0.16"))
		if err != nil {
			return err
		} else if v.DownloadURL == nil {
			return fmt.Errorf("an advanced key has no link to skynet")
		}
		archiveURL = *v.DownloadURL
		info, _, err := g.RegistrationInfo(t.Context())
		if err != nil || !info.IsValid {
			return fmt.Errorf("the customer's key: %+v, %v", info, err)
		}
		return nil
	})
	if v, err := skynet(g); err != nil || v.DownloadURL != nil {
		t.Fatalf("skynet with the free key, before the grant: %+v, %v; want no download link", v, err)
	}
	if _, _, err := g.Download(t.Context(), archiveURL, io.Discard); err == nil {
		t.Fatal("the gated archive was served to the free key before the grant")
	}

	// The customer asks for Standard in the browser.
	c := newChrome(t)
	signIn := func(tab context.Context, email, password, then string) {
		c.do(tab, "sign in as "+email,
			chromedp.WaitVisible(chromedp.CSS("input[name=email]")),
			chromedp.SendKeys(chromedp.CSS("input[name=email]"), email),
			chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
			chromedp.Submit(chromedp.CSS("input[name=password]")),
			chromedp.WaitVisible(chromedp.CSS("main[data-page="+then+"]")))
	}
	customer := c.tab()
	c.do(customer, "the login page", chromedp.Navigate(base+"/login"))
	signIn(customer, "miles@cyberdyne.example", password, "dashboard")
	form := "#offer-standard form[action='/offers/standard/request']"
	c.do(customer, "request Standard",
		chromedp.Navigate(base+"/offers"),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SendKeys(chromedp.CSS(form+" textarea[name=message]"), "For the neural net processor"),
		chromedp.Click(chromedp.CSS(form+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#offer-standard [role=status]")))
	if text := c.text(customer); !strings.Contains(text, "waiting for an operator") {
		t.Fatalf("the offers page after the request:\n%s", text)
	}

	// The operators' mail: headers, both parts, the link.
	link := base + "/operator/requests"
	subject, header, text, html := mailParts(t, waitMailAbout(t, srv, "ops@provider.example", "A customer asks for an offer"))
	if !strings.Contains(header.Get("From"), "noreply@example.com") || header.Get("To") != "<ops@provider.example>" || header.Get("Date") == "" || header.Get("Message-ID") == "" {
		t.Fatalf("the operators' mail headers: subject %q, %v", subject, header)
	}
	for _, want := range []string{"Cyberdyne Systems", "Standard", "Miles Dyson <miles@cyberdyne.example>", "For the neural net processor", link} {
		if !strings.Contains(text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `href="`+link+`"`) || !strings.Contains(html, "Miles Dyson &lt;miles@cyberdyne.example&gt;") {
		t.Errorf("the HTML part lacks the link or the requester:\n%s", html)
	}

	// The operator follows the link, signs in, and grants in one click.
	op := c.tab()
	c.do(op, "the mail's link", chromedp.Navigate(link))
	signIn(op, "ops@provider.example", "a long password!", "op_requests")
	grant := "main[data-page=op_requests] form[action$='/grant'] button[type=submit]"
	c.do(op, "grant", chromedp.WaitVisible(chromedp.CSS(grant)), chromedp.Click(chromedp.CSS(grant)),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=op_requests] .flash")))
	granted := time.Now()
	if text := c.text(op); !strings.Contains(text, "Offer standard granted until") {
		t.Fatalf("the requests page after the grant:\n%s", text)
	}

	// The customer's page shows Standard as theirs.
	c.do(customer, "the offers page again", chromedp.Navigate(base+"/offers"), chromedp.WaitVisible(chromedp.CSS("#offer-standard .badge")))
	card, err := chromedp.Run(customer, chromedp.Text(chromedp.CSS("#offer-standard")))
	if err != nil || !strings.Contains(card, "Your offer") {
		t.Fatalf("the Standard card after the grant: %q, %v", card, err)
	}

	// GLPI downloads the gated version with the same key, from the same
	// running server, within the change feed's second.
	var v *client.Version
	eventually(t, func() error {
		var err error
		if v, err = skynet(g); err != nil {
			return err
		} else if v.DownloadURL == nil {
			return fmt.Errorf("skynet has no download link for the key yet")
		}
		return nil
	})
	if waited := time.Since(granted); waited > time.Second {
		t.Errorf("the grant took %s to reach GLPI's catalogue", waited)
	}
	var got bytes.Buffer
	if _, n, err := g.DownloadVersion(t.Context(), *v, &got); err != nil || n != v.Size {
		t.Fatalf("download after the grant: %d bytes, %v", n, err)
	}
	if want, _ := os.ReadFile(archive); !bytes.Equal(got.Bytes(), want) {
		t.Fatal("the downloaded archive differs from the published one")
	}
	info, _, err := g.RegistrationInfo(t.Context())
	if err != nil || info.Subscription == nil || info.Subscription.OfferReference != "standard" {
		t.Fatalf("registration after the grant: %+v, %v", info, err)
	}
	if _, _, text, _ := mailParts(t, waitMailAbout(t, srv, "miles@cyberdyne.example", "Your offer request was granted")); !strings.Contains(text, "Standard") {
		t.Fatalf("the customer's mail:\n%s", text)
	}
}

// waitMailAbout waits for the first message srv receives for to with
// this subject: other mails (security notices) come too.
func waitMailAbout(t *testing.T, srv *smtptest.Server, to, subject string) smtptest.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, m := range srv.Messages() {
			if s, _, _, _ := mailParts(t, m); s == subject && slices.Contains(m.To, to) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail %q for %s in 10 s", subject, to)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mailParts parses a message: its decoded subject, its headers, and its
// text/plain and text/html parts, decoded.
func mailParts(t *testing.T, m smtptest.Message) (subject string, h mail.Header, text, html string) {
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
	if text == "" || html == "" {
		t.Fatalf("a part is missing: text %q, HTML %q", text, html)
	}
	return subject, msg.Header, text, html
}
