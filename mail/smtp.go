package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"time"
)

// Sender sends messages through one SMTP server, one connection per
// message: transactional mail is rare, and a fresh connection leaves no
// half-broken session to recover. Every step is bounded: the dial, the
// TLS handshake and each command have their own time-outs, within the
// caller's context.
type Sender struct {
	Server *Server
	// TLS is the TLS configuration (nil: the system's roots, TLS 1.2 at
	// least); its ServerName defaults to Server.Host.
	TLS *tls.Config
	// HelloName is the name given in EHLO (default: the host name).
	HelloName string
	// DialTimeout bounds the TCP connection (default 10s), CommandTimeout
	// each command and its answer, the TLS handshake and the message's
	// bytes included (default 30s).
	DialTimeout, CommandTimeout time.Duration
}

// PermanentError is an SMTP server's refusal that no retry changes: the
// recipient's mailbox does not exist (a 5xx answer to RCPT with an
// enhanced status 5.1.x).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Send sends msg from the address from to the address to.
func (s *Sender) Send(ctx context.Context, from, to string, msg []byte) error {
	return s.session(ctx, func(c *smtp.Client, step func(string) func(error) error) error {
		if err := step("MAIL FROM")(c.Mail(from)); err != nil {
			return err
		}
		if err := step("RCPT TO")(c.Rcpt(to)); err != nil {
			var te *textproto.Error
			if errors.As(err, &te) && te.Code >= 500 && strings.HasPrefix(te.Msg, "5.1.") {
				return &PermanentError{err}
			}
			return err
		}
		w, err := c.Data()
		if err := step("DATA")(err); err != nil {
			return err
		}
		if _, err := w.Write(msg); err != nil {
			return step("DATA")(err)
		}
		// The server accepts the message when it answers the final dot.
		return step("end of DATA")(w.Close())
	})
}

// Check connects, negotiates TLS, authenticates and quits: whether mail
// could be sent now.
func (s *Sender) Check(ctx context.Context) error {
	return s.session(ctx, func(*smtp.Client, func(string) func(error) error) error { return nil })
}

// session runs fn on a connection to the server, past TLS and AUTH, then
// quits. step(name) wraps the error of a command, after giving the next
// one its time-out.
func (s *Sender) session(ctx context.Context, fn func(c *smtp.Client, step func(string) func(error) error) error) (err error) {
	addr := s.Server.Addr()
	dialTimeout, cmdTimeout := s.DialTimeout, s.CommandTimeout
	if dialTimeout == 0 {
		dialTimeout = 10 * time.Second
	}
	if cmdTimeout == 0 {
		cmdTimeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("SMTP server %s: %w", addr, err)
	}
	defer conn.Close()
	// Cancelling ctx ends whatever command is waiting.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	deadline := func() {
		dl := time.Now().Add(cmdTimeout)
		if c, ok := ctx.Deadline(); ok && c.Before(dl) {
			dl = c
		}
		conn.SetDeadline(dl)
	}
	step := func(name string) func(error) error {
		return func(err error) error {
			if err != nil {
				return fmt.Errorf("SMTP server %s: %s: %w", addr, name, err)
			}
			deadline()
			return nil
		}
	}
	tlsConf := s.tlsConfig()
	var c net.Conn = conn
	deadline()
	if s.Server.ImplicitTLS {
		tc := tls.Client(conn, tlsConf)
		if err := step("TLS")(tc.HandshakeContext(ctx)); err != nil {
			return err
		}
		c = tc
	}
	client, err := smtp.NewClient(c, s.Server.Host)
	if err := step("greeting")(err); err != nil {
		return err
	}
	defer client.Close()
	if err := step("EHLO")(client.Hello(s.helloName())); err != nil {
		return err
	}
	secure := s.Server.ImplicitTLS
	// STARTTLS whenever it is offered: a server that offers it may be
	// sent nothing in clear.
	if ok, _ := client.Extension("STARTTLS"); ok && !secure {
		if err := step("STARTTLS")(client.StartTLS(tlsConf)); err != nil {
			return err
		}
		secure = true
	}
	if s.Server.Username != "" {
		if !secure {
			return fmt.Errorf("SMTP server %s offers no STARTTLS: the password is not sent in clear (use smtps:// if it speaks TLS on another port)", addr)
		}
		if ok, _ := client.Extension("AUTH"); !ok {
			return fmt.Errorf("SMTP server %s offers no AUTH: remove the user and password from the URL, or use its submission port", addr)
		}
		if err := step("AUTH")(client.Auth(smtp.PlainAuth("", s.Server.Username, s.Server.Password, s.Server.Host))); err != nil {
			return err
		}
	}
	if err := fn(client, step); err != nil {
		return err
	}
	// The message is accepted already: a failed QUIT changes nothing.
	client.Quit()
	return nil
}

func (s *Sender) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.TLS != nil {
		c = s.TLS.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		c.ServerName = s.Server.Host
	}
	return c
}

func (s *Sender) helloName() string {
	if s.HelloName != "" {
		return s.HelloName
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}
