package main

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet/internal/smtptest"
)

// startResetServer starts a server that sends mail to srv and knows its
// public URL (reset links are only sent with one): the port is chosen
// first, so that the URL names it.
func startResetServer(t *testing.T, srv *smtptest.Server) *testServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return startServerWith(t, nil, func(m *Main) {
		m.Addr, m.PublicURL = addr, "http://"+addr
		m.Mail = mailSettings{smtp: srv.URL(), from: "glpinet <noreply@example.com>"}
		if err := m.Mail.check(); err != nil {
			t.Fatal(err)
		}
	})
}

// waitMail waits for the n-th message srv receives.
func waitMail(t *testing.T, srv *smtptest.Server, n int) smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := srv.Wait(ctx, n)
	if err != nil {
		t.Fatalf("waiting for mail %d: %v", n, err)
	}
	return got[n-1]
}

// textPart returns a message's subject and its text/plain part, decoded.
func textPart(t *testing.T, m smtptest.Message) (subject, text string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			var r io.Reader = p
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				r = quotedprintable.NewReader(p)
			}
			b, _ := io.ReadAll(r)
			return subject, string(b)
		}
	}
}

var resetLinkRE = regexp.MustCompile(`http://[^\s]+/password/reset/gnr_[a-z2-7]+`)

// TestPasswordResetByMail: forgot → the mail → the link → a new password:
// the old session ends, the old password is refused, the new one works,
// the "password changed" notice arrives; the link works once; an unknown
// address gets the same page and no mail; requests are rate-limited; the
// token never reaches the logs.
func TestPasswordResetByMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	ts := startResetServer(t, srv)
	old := newBrowser(t, ts.URL())
	old.get("/signup")
	if status, _ := old.post("/signup", "organisation", "Globex", "name", "Hank", "email", "hank@globex.example", "password", "correct horse battery"); status != 200 {
		t.Fatalf("signup: %d", status)
	}

	b := newBrowser(t, ts.URL())
	if _, body := b.get("/login"); !strings.Contains(body, `href="/password/forgot"`) {
		t.Fatal("the login page has no link to /password/forgot")
	}
	b.get("/password/forgot")
	status, known := b.post("/password/forgot", "email", "Hank@Globex.example")
	if status != 200 || !strings.Contains(known, "If an account exists for this address") {
		t.Fatalf("forgot: %d %s", status, known)
	}
	m := waitMail(t, srv, 2) // 1 is the sign-up's verification link
	subject, text := textPart(t, m)
	link := resetLinkRE.FindString(text)
	if m.To[0] != "hank@globex.example" || subject != "Choose a new glpinet password" || link == "" || !strings.HasPrefix(link, ts.URL()+"/password/reset/") {
		t.Fatalf("reset mail to %v, subject %q, text %q", m.To, subject, text)
	}

	// An unknown address: the same page, and no mail.
	b.get("/password/forgot")
	status, unknown := b.post("/password/forgot", "email", "nobody@globex.example")
	if status != 200 || unknown != known {
		t.Errorf("unknown address: %d, a page other than a known one's", status)
	}

	path := strings.TrimPrefix(link, ts.URL())
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("reset page: %d, Referrer-Policy %q", resp.StatusCode, resp.Header.Get("Referrer-Policy"))
	}
	r := newBrowser(t, ts.URL())
	r.get(path)
	if status, body := r.post(path, "password", "a new long passphrase", "repeat", "another one"); status != 400 || !strings.Contains(body, "differ") {
		t.Errorf("mismatched passwords: %d", status)
	}
	if status, body := r.post(path, "password", "short", "repeat", "short"); status != 400 || !strings.Contains(body, "at least 10") {
		t.Errorf("short password: %d", status)
	}
	status, body := r.post(path, "password", "a new long passphrase", "repeat", "a new long passphrase")
	if status != 200 || !strings.Contains(body, "Your password is changed") || !strings.Contains(body, `href="/login"`) {
		t.Fatalf("reset: %d %s", status, body)
	}
	if resp, err := old.c.Get(ts.URL() + "/keys"); err != nil || resp.Request.URL.Path != "/login" {
		t.Errorf("the old session still works: %v %v", resp.Request.URL, err)
	}
	n := newBrowser(t, ts.URL())
	n.get("/login")
	if status := n.postLogin("hank@globex.example", "correct horse battery", nil); status != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", status)
	}
	n.get("/login")
	if status := n.postLogin("hank@globex.example", "a new long passphrase", nil); status != http.StatusSeeOther && status != 200 {
		t.Errorf("new password: %d", status)
	}
	notice := waitMail(t, srv, 3)
	if subject, text := textPart(t, notice); subject != "Your glpinet password was changed" || !strings.Contains(text, ts.URL()+"/password/forgot") {
		t.Errorf("notice %q: %q", subject, text)
	}

	// Used once: the second use gets the one clear page, at once and
	// when the form is sent anyway.
	if status, body := r.get(path); status != http.StatusGone || !strings.Contains(body, "expired or was used") {
		t.Errorf("used link's page: %d", status)
	}
	if status, body := r.post(path, "password", "yet another passphrase", "repeat", "yet another passphrase"); status != http.StatusGone ||
		!strings.Contains(body, "expired or was used") || !strings.Contains(body, `href="/password/forgot"`) {
		t.Errorf("second use: %d %s", status, body)
	}
	if len(srv.Messages()) != 3 {
		t.Errorf("%d mails, want 3 (none for the unknown address)", len(srv.Messages()))
	}
	token := strings.TrimPrefix(path, "/password/reset/")
	if strings.Contains(ts.logs.String(), token) {
		t.Error("the logs show the reset token")
	}

	// The per-e-mail limit: 5 an hour, whatever the address's account.
	for i := range 6 {
		b.get("/password/forgot")
		status, _ := b.post("/password/forgot", "email", "limit@globex.example")
		if want := 200; i == 5 {
			if status != http.StatusTooManyRequests {
				t.Errorf("request %d: %d, want 429", i+1, status)
			}
		} else if status != want {
			t.Errorf("request %d: %d", i+1, status)
		}
	}
}

// TestPasswordResetWithoutPublicURL: with no --public-url, a reset
// request answers as usual but mails nothing, and says why in the log.
func TestPasswordResetWithoutPublicURL(t *testing.T) {
	ts := startServer(t, nil)
	b := newBrowser(t, ts.URL())
	b.get("/signup")
	b.post("/signup", "organisation", "Globex", "name", "Hank", "email", "hank@globex.example", "password", "correct horse battery")
	b.get("/password/forgot")
	if status, body := b.post("/password/forgot", "email", "hank@globex.example"); status != 200 || !strings.Contains(body, "If an account exists") {
		t.Fatalf("forgot: %d", status)
	}
	if !strings.Contains(ts.logs.String(), "no --public-url") {
		t.Error("no warning in the log")
	}
	if n, _ := ts.DB.CountMails(t.Context()); len(n) != 0 && n["pending"] != 0 {
		t.Errorf("mails %v, want none", n)
	}
}
