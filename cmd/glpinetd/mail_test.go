package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/smtptest"
)

// TestServeSendsMail: a mail enqueued in the server's database goes out
// through STARTTLS and AUTH; /readyz says mail is ok, and says it is
// failing (still 200) once the SMTP server is gone; the counters move.
func TestServeSendsMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{User: "glpinet", Password: "pa:ss@word"})
	ts := startServerWith(t, nil, func(m *Main) {
		m.Mail = mailSettings{smtp: srv.URL(), from: "glpinet <noreply@example.com>", tls: srv.TLSConfig()}
		m.MetricsAddr = "127.0.0.1:0"
		if err := m.Mail.check(); err != nil {
			t.Fatal(err)
		}
	})
	ready := func() (int, map[string]string) {
		resp, err := http.Get(ts.URL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	eventually(t, func() error {
		if _, body := ready(); body["mail"] != "ok" {
			return fmt.Errorf("mail %q", body["mail"])
		}
		return nil
	})
	if err := ts.DB.EnqueueMail(t.Context(), &glpinet.Mail{To: "jane@example.org", Lang: "fr", Kind: glpinet.MailKindTest, Data: map[string]string{"server": "x"}}); err != nil {
		t.Fatal(err)
	}
	ts.MailWorker.Wake()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := srv.Wait(ctx, 1)
	if err != nil || !got[0].TLS || !got[0].Authed || got[0].To[0] != "jane@example.org" {
		t.Fatalf("received %+v, %v", got, err)
	}
	if strings.Contains(ts.logs.String(), "pa:ss@word") || strings.Contains(ts.logs.String(), "pa%3Ass%40word") {
		t.Error("the logs show the SMTP password")
	}
	eventually(t, func() error {
		resp, err := http.Get(ts.MetricsURL())
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !bytes.Contains(b, []byte("glpinet_mail_sent_total 1")) {
			return fmt.Errorf("no glpinet_mail_sent_total 1")
		}
		return nil
	})

	srv.Stop()
	if err := ts.DB.EnqueueMail(t.Context(), &glpinet.Mail{To: "joe@example.org", Kind: glpinet.MailKindTest}); err != nil {
		t.Fatal(err)
	}
	ts.MailWorker.Wake()
	eventually(t, func() error {
		if status, body := ready(); status != http.StatusOK || !strings.HasPrefix(body["mail"], "failing: ") {
			return fmt.Errorf("readyz %d %v", status, body)
		}
		return nil
	})
}

// TestMailCommands: mail test sends at once or says why not in one line;
// mail list shows the outbox without the mails' values; a malformed
// --smtp is refused; config hides the password.
func TestMailCommands(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	dir := t.TempDir()
	runCmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(t.Context(), append(args, "--data", dir), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := runCmd("mail", "test", "jane@example.org", "--smtp", srv.URL(), "--mail-from", "glpinet <noreply@example.com>", "--json")
	if code != 0 {
		t.Fatalf("mail test: %d %s %s", code, out, errs)
	}
	var res mailTestResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.To != "jane@example.org" {
		t.Errorf("mail test --json: %s (%v)", out, err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].To[0] != "jane@example.org" {
		t.Errorf("received %+v", got)
	}

	// With a password and no STARTTLS: refused before the password goes.
	t.Setenv("GLPINET_SMTP", strings.Replace(srv.URL(), "smtp://", "smtp://u:secret@", 1))
	t.Setenv("GLPINET_MAIL_FROM", "noreply@example.com")
	code, out, errs = runCmd("mail", "test", "jane@example.org")
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "offers no STARTTLS") || !strings.Contains(errs, "check --smtp") || strings.Contains(errs, "secret") {
		t.Errorf("mail test without TLS: %d %q %q", code, out, errs)
	}
	srv.Stop()
	code, _, errs = runCmd("mail", "test", "jane@example.org")
	if code != 1 || !strings.Contains(errs, "refused") {
		t.Errorf("mail test, server down: %d %q", code, errs)
	}

	for _, bad := range []string{"http://mail.example.com", "smtp://u:secret@mail.example.com/x", "smtp://"} {
		t.Setenv("GLPINET_SMTP", bad)
		if code, _, errs := runCmd("config"); code != 2 || !strings.Contains(errs, "bad --smtp") || strings.Contains(errs, "secret") {
			t.Errorf("config with --smtp %s: %d %q", bad, code, errs)
		}
	}
	t.Setenv("GLPINET_SMTP", "smtp://u:secret@mail.example.com")
	t.Setenv("GLPINET_MAIL_FROM", "")
	if code, _, errs := runCmd("config"); code != 2 || !strings.Contains(errs, "--mail-from") {
		t.Errorf("config without --mail-from: %d %q", code, errs)
	}
	t.Setenv("GLPINET_MAIL_FROM", "noreply@example.com")
	code, out, errs = runCmd("config", "--json")
	if code != 0 || strings.Contains(out, "secret") || !strings.Contains(out, "smtp://u:xxxxx@mail.example.com") {
		t.Errorf("config: %d %s %s", code, out, errs)
	}

	// The outbox, listed: the last mail went through the server's store.
	sf := storeFlags{data: dir}
	db, err := sf.open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EnqueueMail(t.Context(), &glpinet.Mail{To: "jane@example.org", Kind: "test", Data: map[string]string{"link": "https://secret-link"}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errs = runCmd("mail", "list")
	if code != 0 || !strings.Contains(out, "jane@example.org") || !strings.Contains(out, "pending") || strings.Contains(out, "secret-link") {
		t.Errorf("mail list: %d %s %s", code, out, errs)
	}
	code, out, _ = runCmd("mail", "list", "--failed", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("mail list --failed --json: %d %s", code, out)
	}
}
