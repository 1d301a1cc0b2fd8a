package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/smtptest"
	"github.com/glpinet/glpinet/mail"
)

func sender(t *testing.T, srv *smtptest.Server) *mail.Sender {
	t.Helper()
	s, err := mail.ParseServer(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Sender{Server: s, TLS: srv.TLSConfig(), HelloName: "test.localhost", DialTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second}
}

var from = &netmail.Address{Name: "glpinet Réseau", Address: "noreply@example.com"}

// parsed is a message read back as a mail client reads it.
type parsed struct {
	header     netmail.Header
	subject    string
	text, html string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var p parsed
	p.header = msg.Header
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		switch ct := part.Header.Get("Content-Type"); ct {
		case "text/plain; charset=utf-8":
			p.text = string(b)
		case "text/html; charset=utf-8":
			p.html = string(b)
		default:
			t.Errorf("part of type %q", ct)
		}
	}
	return p
}

// TestSendSTARTTLSAuth: a French test mail through STARTTLS and AUTH
// PLAIN, read back: headers, the encoded subject, both parts.
func TestSendSTARTTLSAuth(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{User: "glpinet", Password: "s3cret:/@"})
	m := &glpinet.Mail{To: "jeanne@example.org", Lang: "fr", Kind: glpinet.MailKindTest, Data: map[string]string{"server": "https://glpinet.example.com"}}
	r, err := mail.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	msg, err := mail.Message(from, m.To, r, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := sender(t, srv).Send(t.Context(), from.Address, m.To, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || !got[0].Authed || got[0].From != from.Address || len(got[0].To) != 1 || got[0].To[0] != m.To {
		t.Fatalf("received %+v", got)
	}
	p := parse(t, got[0].Data)
	if p.subject != "Message d'essai de glpinet — ça marche" {
		t.Errorf("subject %q", p.subject)
	}
	if raw := p.header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw subject %q is not Q-encoded", raw)
	}
	if a, err := p.header.AddressList("From"); err != nil || len(a) != 1 || *a[0] != *from {
		t.Errorf("From %v, %v", a, err)
	}
	if a, err := p.header.AddressList("To"); err != nil || len(a) != 1 || a[0].Address != m.To {
		t.Errorf("To %v, %v", a, err)
	}
	if d, err := p.header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date %v, %v", d, err)
	}
	if id := p.header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q", id)
	}
	if !strings.Contains(p.text, "Bonjour,") || !strings.Contains(p.text, "serveur glpinet https://glpinet.example.com : ses réglages") {
		t.Errorf("text part:\n%s", p.text)
	}
	if !strings.Contains(p.html, `<html lang="fr">`) || !strings.Contains(p.html, "<p>Bonjour,</p>") {
		t.Errorf("HTML part:\n%s", p.html)
	}
	for _, line := range bytes.Split(got[0].Data, []byte("\r\n")) {
		if len(line) > 78 {
			t.Errorf("line of %d bytes: %q", len(line), line)
		}
	}
}

// TestImplicitTLS: smtps:// speaks TLS from the first byte.
func TestImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{ImplicitTLS: true, User: "u", Password: "p"})
	if err := sender(t, srv).Send(t.Context(), "a@example.com", "b@example.com", []byte("Subject: x\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS || !got[0].Authed {
		t.Fatalf("received %+v", got)
	}
}

// TestRefusals: no password in clear, a wrong password, an untrusted
// certificate, a server that is down: each an error naming the step.
func TestRefusals(t *testing.T) {
	clear := smtptest.Start(t, smtptest.Options{NoTLS: true, User: "u", Password: "p"})
	if err := sender(t, clear).Check(t.Context()); err == nil || !strings.Contains(err.Error(), "offers no STARTTLS") {
		t.Errorf("credentials without TLS: %v", err)
	}
	if got := clear.Messages(); len(got) != 0 {
		t.Errorf("received %v", got)
	}
	open := smtptest.Start(t, smtptest.Options{NoTLS: true})
	if err := sender(t, open).Send(t.Context(), "a@example.com", "b@example.com", []byte("Subject: x\r\n\r\nhi\r\n")); err != nil {
		t.Errorf("a relay without TLS nor credentials: %v", err)
	}

	srv := smtptest.Start(t, smtptest.Options{User: "u", Password: "p"})
	s := sender(t, srv)
	s.Server.Password = "wrong"
	if err := s.Check(t.Context()); err == nil || !strings.Contains(err.Error(), "AUTH") || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: %v", err)
	}
	s = sender(t, srv)
	s.TLS = nil // the system's roots do not know the test certificate
	if err := s.Check(t.Context()); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("untrusted certificate: %v", err)
	}
	srv.Stop()
	if err := sender(t, srv).Check(t.Context()); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("server down: %v", err)
	}
}

// TestCommandTimeout: a server that accepts the connection and says
// nothing costs CommandTimeout, not forever.
func TestCommandTimeout(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := sender(t, srv)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	// A context that ends bounds a session as well.
	srv.Stop()
	_ = s.Check(ctx)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestParseServer(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		implicit bool
		user     string
	}{
		{"smtp://mail.example.com", "smtp://mail.example.com:587", false, ""},
		{"smtps://mail.example.com", "smtps://mail.example.com:465", true, ""},
		{"smtp://u%40x:p%3Aw@mail.example.com:2525", "smtp://u%40x:xxxxx@mail.example.com:2525", false, "u@x"},
		{"smtp://[::1]:25", "smtp://[::1]:25", false, ""},
	} {
		s, err := mail.ParseServer(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if s.String() != tt.want || s.ImplicitTLS != tt.implicit || s.Username != tt.user {
			t.Errorf("%s: %s %v %q", tt.in, s, s.ImplicitTLS, s.Username)
		}
	}
	for _, bad := range []string{"", "mail.example.com", "http://mail.example.com", "smtp://", "smtp://:p@host", "smtp://h/path", "smtp://h?tls=no", "smtp://u:p@h:bad port"} {
		_, err := mail.ParseServer(bad)
		if glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("%q: the message shows the password: %v", bad, err)
		}
	}
	if got := mail.Redact("smtp://u:hunter2@h:587"); strings.Contains(got, "hunter2") {
		t.Errorf("Redact: %s", got)
	}
	if got := mail.Redact("smtp://u:hun ter2@h:bad port"); strings.Contains(got, "hun") {
		t.Errorf("Redact of a malformed URL: %s", got)
	}
	if _, err := mail.ParseFrom("glpinet <noreply@example.com>"); err != nil {
		t.Error(err)
	}
	if _, err := mail.ParseFrom("noreply"); err == nil {
		t.Error("ParseFrom(noreply): no error")
	}
}
