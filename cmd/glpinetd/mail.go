package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	netmail "net/mail"
	"os"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/mail"
)

// mailSettings are --smtp and --mail-from, shared by serve (and config)
// and the mail commands.
type mailSettings struct {
	smtp, from string
	// server and sender are the parsed settings; server nil: no --smtp.
	server *mail.Server
	sender *netmail.Address
	// tls, when set, replaces the system's roots (tests).
	tls *tls.Config
}

// register declares --smtp and --mail-from on fs.
func (s *mailSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&s.smtp, "smtp", cli.Env("GLPINET_SMTP", ""), "SMTP server mail is sent through: smtp://user:password@host:587 (STARTTLS whenever offered) or smtps://user:password@host:465 (implicit TLS); \"\": mails wait in the outbox (env GLPINET_SMTP, or GLPINET_SMTP_FILE naming a file)")
	fs.StringVar(&s.from, "mail-from", cli.Env("GLPINET_MAIL_FROM", ""), "sender of every mail, e.g. \"glpinet <noreply@example.com>\"; required with --smtp (env GLPINET_MAIL_FROM)")
}

// check parses the settings: a malformed URL or sender refuses to start.
func (s *mailSettings) check() error {
	if s.smtp == "" {
		return nil
	}
	var err error
	if s.server, err = mail.ParseServer(s.smtp); err != nil {
		return cli.Usagef("bad --smtp: %s", cli.Message(err))
	}
	if s.from == "" {
		return cli.Usagef("--smtp needs --mail-from, the sender of every mail (e.g. \"glpinet <noreply@example.com>\")")
	}
	if s.sender, err = mail.ParseFrom(s.from); err != nil {
		return cli.Usagef("bad --mail-from: %s", cli.Message(err))
	}
	return nil
}

// newSender is the SMTP client of the settings, nil without --smtp.
func (s *mailSettings) newSender() *mail.Sender {
	if s.server == nil {
		return nil
	}
	return &mail.Sender{Server: s.server, TLS: s.tls}
}

// newMailWorker is serve's outbox worker: it sends with --smtp, or only
// counts and prunes without.
func (m *Main) newMailWorker(db glpinet.MailStore, metrics *mail.Metrics) *mail.Worker {
	w := &mail.Worker{Store: db, From: m.Mail.sender, Log: m.Logger, Metrics: metrics}
	if snd := m.Mail.newSender(); snd != nil {
		w.Sender = snd
		m.Logger.Info("mail", "smtp", m.Mail.server.String(), "from", m.Mail.sender.String())
	} else {
		m.Logger.Info("mail: no --smtp; mails wait in the outbox until it is set")
	}
	return w
}

func runMail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "mail", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"test": runMailTest,
		"list": runMailList,
	})
}

// mailTestResult is what mail test prints with --json.
type mailTestResult struct {
	To     string `json:"to"`
	Server string `json:"server"` // the password hidden
	From   string `json:"from"`
	Took   string `json:"took"`
}

// runMailTest sends a test mail through --smtp at once, without the
// outbox, and says whether the server took it.
func runMailTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mail test", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs) // --data and --database are accepted, as by every command, and unused
	var ms mailSettings
	ms.register(fs)
	lang := fs.String("lang", "en", "language of the test mail: en or fr")
	timeout := fs.Duration("timeout", time.Minute, "how long the whole SMTP session may take")
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("mail test takes one ADDRESS")
	}
	return testMail(ctx, &ms, pos[0], *lang, *timeout, cli.Output{W: stdout, JSON: sf.json})
}

func testMail(ctx context.Context, ms *mailSettings, to, lang string, timeout time.Duration, out cli.Output) error {
	if err := ms.check(); err != nil {
		return err
	}
	if ms.server == nil {
		return cli.Usagef("mail test needs --smtp (or GLPINET_SMTP) and --mail-from, as serve")
	}
	host, _ := os.Hostname()
	m := &glpinet.Mail{To: to, Lang: lang, Kind: glpinet.MailKindTest, Data: map[string]string{"server": host}}
	if err := m.Validate(); err != nil {
		return cli.Usagef("%s", cli.Message(err))
	}
	r, err := mail.Render(m)
	if err != nil {
		return err
	}
	start := time.Now()
	msg, err := mail.Message(ms.sender, to, r, start)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := ms.newSender().Send(ctx, ms.sender.Address, to, msg); err != nil {
		return &cli.ExitError{Msg: fmt.Sprintf("mail test: %v; check --smtp %s (host, port, user, password) and --mail-from, and that this host may reach the server",
			err, ms.server)}
	}
	res := mailTestResult{To: to, Server: ms.server.String(), From: ms.sender.String(), Took: time.Since(start).Round(time.Millisecond).String()}
	return out.Result(res, func(w io.Writer) {
		fmt.Fprintf(w, "%s accepted the test mail to %s in %s.\n", res.Server, to, res.Took)
	})
}

// runMailList shows the outbox: recipients, kinds, states, attempts and
// last errors, never the mails' values (which may hold reset links).
func runMailList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("mail list")
	failed := c.fs.Bool("failed", false, "only the mails given up")
	pending := c.fs.Bool("pending", false, "only the mails waiting to be sent")
	limit := c.fs.Int("limit", 100, "at most this many, newest first (1000 at most)")
	return c.run(ctx, args, stdout, nArgs(0, "mail list takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		f := glpinet.MailFilter{Limit: *limit}
		switch {
		case *failed && *pending:
			return cli.Usagef("choose --failed or --pending")
		case *failed:
			f.State = glpinet.MailFailed
		case *pending:
			f.State = glpinet.MailPending
		}
		ms, err := db.ListMails(ctx, f)
		if err != nil {
			return err
		}
		if ms == nil {
			ms = []*glpinet.Mail{}
		}
		return out.Result(ms, func(w io.Writer) {
			if len(ms) == 0 {
				fmt.Fprintln(w, "No mail.")
				return
			}
			fmt.Fprintln(w, "ID\tTO\tKIND\tSTATE\tATTEMPTS\tCREATED\tNEXT/DONE\tLAST ERROR")
			for _, m := range ms {
				when := m.NextAt
				if m.DoneAt != nil {
					when = *m.DoneAt
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.To, m.Kind, m.State, m.Attempts,
					m.CreatedAt.Format(time.DateTime), when.Format(time.DateTime), m.LastError)
			}
		})
	})
}
