package main

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/smtptest"
)

var joinLinkRE = regexp.MustCompile(`http://[^\s"<]+/join/gni_[a-z2-7]+`)

// invitationMail is a received invitation mail, parsed back.
type invitationMail struct {
	header     mail.Header
	subject    string
	text, html string
}

// readInvitationMail parses m: its headers and both parts, decoded.
func readInvitationMail(t *testing.T, m smtptest.Message) invitationMail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	out := invitationMail{header: msg.Header}
	out.subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || media != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
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
			out.text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			out.html = string(b)
		}
	}
	if out.text == "" || out.html == "" {
		t.Fatalf("a part is missing: text %q, html %q", out.text, out.html)
	}
	return out
}

// waitMailTo waits for the first message srv receives for to: other
// mails (a sign-up's verification) may come before it.
func waitMailTo(t *testing.T, srv *smtptest.Server, to string) smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for n := 1; ; n++ {
		got, err := srv.Wait(ctx, n)
		if err != nil {
			t.Fatalf("waiting for a mail to %s: %v", to, err)
		}
		if m := got[n-1]; slices.Contains(m.To, to) {
			return m
		}
	}
}

// invitationMails counts the outbox's invitation mails, every state.
func invitationMails(t *testing.T, ts *testServer) int {
	t.Helper()
	ms, err := ts.DB.ListMails(t.Context(), glpinet.MailFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == glpinet.MailKindInvitation {
			n++
		}
	}
	return n
}

// apiFor gives u an admin-scoped API token.
func apiFor(t *testing.T, ts *testServer, email string) *client.API {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	u, err := ts.DB.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := ts.DB.CreateToken(ctx, &glpinet.APIToken{UserID: u.ID, Name: "t", Hash: auth.HashToken(raw), Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}}); err != nil {
		t.Fatal(err)
	}
	return &client.API{BaseURL: ts.URL(), Token: raw}
}

// TestInvitationByMail: on a server that sends mail, the members form
// has an e-mail field; an invitation made with it is mailed in the
// inviter's language with the link, shown as sent in the table and the
// audit log; the join page offers the address; the link still shows
// once; a bad address is refused above the form; the API does the same;
// the code never reaches the logs.
func TestInvitationByMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	b := newBrowser(t, ts.URL())
	b.get("/signup?lang=fr")
	if status, _ := b.post("/signup", "organisation", "Globex", "name", "Hank Scorpio", "email", "hank@globex.example", "password", "correct horse battery"); status != 200 {
		t.Fatalf("signup: %d", status)
	}
	if _, page := b.get("/members"); !strings.Contains(page, `name="email"`) {
		t.Fatal("the invitation form has no e-mail field on a server that sends mail")
	}
	status, page := b.post("/members/invitations", "role", "admin", "max_uses", "1", "days", "7", "email", "not an address")
	if status != http.StatusBadRequest || !strings.Contains(page, "n&#39;est pas une adresse") && !strings.Contains(page, "is not an e-mail address") {
		t.Fatalf("bad address: %d", status)
	}
	status, page = b.post("/members/invitations", "role", "admin", "max_uses", "1", "days", "7", "email", " Marge@Globex.example ")
	link := joinLinkRE.FindString(page)
	if status != 200 || link == "" || !strings.Contains(page, "marge@globex.example") {
		t.Fatalf("invitation: %d, link %q", status, link)
	}
	got := readInvitationMail(t, waitMailTo(t, srv, "marge@globex.example"))
	if to := got.header.Get("To"); !strings.Contains(to, "marge@globex.example") {
		t.Errorf("To: %q", to)
	}
	if from := got.header.Get("From"); !strings.Contains(from, "noreply@example.com") {
		t.Errorf("From: %q", from)
	}
	// French: the inviter's language.
	if got.subject != "Vous êtes invité à rejoindre un compte glpinet" {
		t.Errorf("subject %q", got.subject)
	}
	for _, part := range []string{got.text, got.html} {
		for _, want := range []string{link, "Hank Scorpio", "Globex", "administrateur"} {
			if !strings.Contains(part, want) {
				t.Errorf("the mail lacks %q:\n%s", want, part)
			}
		}
	}
	if !strings.Contains(got.html, `<a href="`+link+`">`) {
		t.Errorf("the HTML part has no link to %s:\n%s", link, got.html)
	}
	if _, page := b.get("/members"); !strings.Contains(page, "Envoyée à marge@globex.example") {
		t.Error("the invitations table does not say where the invitation was sent")
	}
	ctx := glpinet.WithActor(t.Context(), "test")
	events, _, err := ts.DB.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "invitation.create"})
	if err != nil || len(events) != 1 || !strings.Contains(events[0].Details, "sent to marge@globex.example") {
		t.Errorf("audit: %+v, %v", events, err)
	}

	// The join page offers the address it was sent to.
	path := strings.TrimPrefix(link, ts.URL())
	j := newBrowser(t, ts.URL())
	if status, page := j.get(path); status != 200 || !strings.Contains(page, `value="marge@globex.example"`) {
		t.Fatalf("join page: %d", status)
	}

	// The API: the same mail, and the address in the list.
	api := apiFor(t, ts, "hank@globex.example")
	inv, err := api.InviteByEmail(t.Context(), "bart@globex.example", glpinet.RoleMember, 1, 3)
	if err != nil || inv.Email != "bart@globex.example" || !strings.HasPrefix(inv.Link, ts.URL()+"/join/gni_") {
		t.Fatalf("InviteByEmail: %+v, %v", inv, err)
	}
	if got := readInvitationMail(t, waitMailTo(t, srv, "bart@globex.example")); !strings.Contains(got.text, inv.Link) || !strings.Contains(got.text, "membre") {
		t.Errorf("API invitation mail: %s", got.text)
	}
	if _, err := api.InviteByEmail(t.Context(), "Bart <bart@globex.example>", glpinet.RoleMember, 1, 3); apiCode(err) != "invalid" {
		t.Errorf("a display name: %v", err)
	}
	list, err := api.Invitations(t.Context())
	if err != nil || len(list.Data) != 2 || list.Data[0].Email != "bart@globex.example" {
		t.Fatalf("Invitations: %+v, %v", list, err)
	}
	if n := invitationMails(t, ts); n != 2 {
		t.Errorf("%d invitation mails, want 2", n)
	}
	for _, l := range []string{link, inv.Link} {
		if code := l[strings.LastIndex(l, "/")+1:]; strings.Contains(ts.logs.String(), code) {
			t.Errorf("the logs show the invitation code %s", code)
		}
	}
}

// TestInvitationByMailWithoutMail: a server without --smtp, or without
// --public-url, shows no e-mail field, and refuses an address sent anyway
// (a stale form, the API) with a message that says to copy the link; it
// stores nothing and mails nothing.
func TestInvitationByMailWithoutMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	noURL := startServerWith(t, nil, func(m *Main) {
		m.Mail = mailSettings{smtp: srv.URL(), from: "glpinet <noreply@example.com>"}
		if err := m.Mail.check(); err != nil {
			t.Fatal(err)
		}
	})
	for name, ts := range map[string]*testServer{"no --smtp": startServer(t, nil), "no --public-url": noURL} {
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, ts.URL())
			b.get("/signup")
			if status, _ := b.post("/signup", "organisation", "Initech", "name", "Bill", "email", "bill@initech.example", "password", "correct horse battery"); status != 200 {
				t.Fatalf("signup: %d", status)
			}
			if _, page := b.get("/members"); strings.Contains(page, `name="email" maxlength`) {
				t.Error("the invitation form shows an e-mail field on a server that cannot mail")
			}
			status, page := b.post("/members/invitations", "role", "member", "max_uses", "1", "days", "7", "email", "peter@initech.example")
			if status != http.StatusBadRequest || !strings.Contains(page, "no mail set up") || !strings.Contains(page, "copy the link") {
				t.Errorf("an address anyway: %d", status)
			}
			// Without an address, the link flow stays as it is.
			status, page = b.post("/members/invitations", "role", "member", "max_uses", "1", "days", "7", "email", "")
			if status != 200 || !strings.Contains(page, "/join/gni_") {
				t.Errorf("a link only: %d", status)
			}
			api := apiFor(t, ts, "bill@initech.example")
			if _, err := api.InviteByEmail(t.Context(), "peter@initech.example", glpinet.RoleMember, 1, 3); apiCode(err) != "invalid" || !strings.Contains(err.Error(), "no mail set up") {
				t.Errorf("API: %v", err)
			}
			if list, err := api.Invitations(t.Context()); err != nil || len(list.Data) != 1 || list.Data[0].Email != "" {
				t.Errorf("Invitations: %+v, %v", list, err)
			}
			if n := invitationMails(t, ts); n != 0 {
				t.Errorf("%d invitation mails, want none", n)
			}
		})
	}
	for _, m := range srv.Messages() {
		if slices.Contains(m.To, "peter@initech.example") {
			t.Error("an invitation was mailed by a server without a public URL")
		}
	}
}
