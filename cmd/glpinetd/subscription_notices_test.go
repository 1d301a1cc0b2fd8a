package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/smtptest"
	"github.com/glpinet/glpinet/publish"
)

// parsedMail is a received message read back: its decoded subject and
// its parts by media type, decoded.
type parsedMail struct {
	header  mail.Header
	subject string
	parts   map[string]string
}

func parseMail(t *testing.T, m smtptest.Message) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedMail{header: msg.Header, parts: map[string]string{}}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	typ, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || typ != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p
		} else if err != nil {
			t.Fatal(err)
		}
		pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(part)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		p.parts[pt] = string(b)
	}
}

// TestServeSendsSubscriptionNotices: the running server's scan at start
// mails the owners of an account whose paid subscription ends in 5 days
// (the 7-day notice, in French) and of one whose subscription ended
// yesterday (in English), through a real SMTP server: both parts say the
// offer and its last day and link to its card on the offers page at the
// public URL; a second scan sends nothing; the metric counts them.
func TestServeSendsSubscriptionNotices(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	now := time.Now()
	endSoon := now.Add(5*24*time.Hour - time.Hour)
	ended := now.Add(-24 * time.Hour)
	seed := func(t *testing.T, ctx context.Context, db Store, _ *publish.Publisher) {
		for _, c := range []struct {
			account, email, lang string
			end                  time.Time
		}{{"Initech", "peter@initech.example", "fr", endSoon}, {"Globex", "hank@globex.example", "en", ended}} {
			a := &glpinet.Account{Name: c.account}
			u := &glpinet.User{Email: c.email, Name: "Boss", Lang: c.lang, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}
			if err := db.SignUp(ctx, a, u); err != nil {
				t.Fatal(err)
			}
			end := c.end
			if err := db.CreateSubscription(ctx, &glpinet.Subscription{AccountID: a.ID, OfferRef: "standard", Begin: now.Add(-300 * 24 * time.Hour), End: &end}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ts := startServerWith(t, seed, func(m *Main) {
		m.Addr, m.PublicURL = addr, "http://"+addr+"/"
		m.MetricsAddr = "127.0.0.1:0"
		m.Mail = mailSettings{smtp: srv.URL(), from: "glpinet <noreply@example.com>"}
		if err := m.Mail.check(); err != nil {
			t.Fatal(err)
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := srv.Wait(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	link := "http://" + addr + "/offers#offer-standard"
	byTo := map[string]parsedMail{}
	for _, m := range got {
		byTo[m.To[0]] = parseMail(t, m)
	}
	for _, c := range []struct {
		to, subject string
		says        []string
	}{
		{"peter@initech.example", "Votre abonnement glpinet se termine bientôt",
			[]string{"Bonjour Boss", "L'offre Standard du compte Initech se termine dans 5 jours", glpinet.LastDay(endSoon)}},
		{"hank@globex.example", "Your glpinet subscription has ended",
			[]string{"Hello Boss", "The offer Standard of the account Globex has ended", glpinet.LastDay(ended)}},
	} {
		p, ok := byTo[c.to]
		if !ok {
			t.Fatalf("no mail to %s among %d", c.to, len(got))
		}
		if p.subject != c.subject || p.header.Get("From") != `"glpinet" <noreply@example.com>` || p.header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("%s: subject %q, From %q, Auto-Submitted %q", c.to, p.subject, p.header.Get("From"), p.header.Get("Auto-Submitted"))
		}
		text, html := p.parts["text/plain"], p.parts["text/html"]
		for _, s := range append(c.says, link) {
			if !strings.Contains(text, s) {
				t.Errorf("%s: the text part lacks %q:\n%s", c.to, s, text)
			}
		}
		if !strings.Contains(html, `<a href="`+link+`">`) || !strings.Contains(html, "Boss") {
			t.Errorf("%s: the HTML part has no link to %s:\n%s", c.to, link, html)
		}
	}

	// Sent once: another scan finds nothing due.
	if n, err := ts.DB.SendSubscriptionNotices(t.Context(), time.Now(), "http://"+addr+"/offers"); err != nil || n != 0 {
		t.Errorf("a second scan sent %d notices (%v)", n, err)
	}
	eventually(t, func() error {
		resp, err := http.Get(ts.MetricsURL())
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !bytes.Contains(b, []byte("glpinet_subscription_notices_total 2")) || !bytes.Contains(b, []byte("glpinet_subscription_notice_errors_total 0")) {
			return fmt.Errorf("notice metrics not at 2 sent, 0 errors")
		}
		return nil
	})
}
