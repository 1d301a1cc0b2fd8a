// Package smtptest runs a real SMTP server in the test's process
// (github.com/emersion/go-smtp): STARTTLS or implicit TLS with a test
// certificate, AUTH PLAIN, and the messages it accepted, so that tests
// send mail the way a server does and read it back.
package smtptest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options choose how the server speaks.
type Options struct {
	// ImplicitTLS: TLS from the first byte (smtps://); otherwise STARTTLS
	// is offered unless NoTLS.
	ImplicitTLS, NoTLS bool
	// User and Password, when set, are required (AUTH PLAIN, over TLS).
	User, Password string
	// RejectRcpt answers RCPT for this address with 550 5.1.1.
	RejectRcpt string
}

// Message is a mail the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	// TLS and Authed tell how the message came.
	TLS, Authed bool
}

// Server is a running SMTP server.
type Server struct {
	opts Options
	addr string
	// Roots trusts the server's certificate.
	Roots   *x509.CertPool
	tlsConf *tls.Config

	mu       sync.Mutex
	msgs     []Message
	arrived  chan struct{} // closed and replaced at each message
	srv      *smtp.Server
	listener net.Listener
}

// Start starts a server on 127.0.0.1, stopped when t ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, arrived: make(chan struct{})}
	cert, roots, err := certificate()
	if err != nil {
		t.Fatal(err)
	}
	s.Roots, s.tlsConf = roots, &tls.Config{Certificates: []tls.Certificate{cert}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(l net.Listener) {
	if s.opts.ImplicitTLS {
		l = tls.NewListener(l, s.tlsConf)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{s: s, tls: isTLS, conn: c}, nil
	}))
	srv.Domain = "smtptest.localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = nopLogger{}
	if !s.opts.ImplicitTLS && !s.opts.NoTLS {
		srv.TLSConfig = s.tlsConf
	}
	s.mu.Lock()
	s.srv, s.listener = srv, l
	s.mu.Unlock()
	go srv.Serve(l)
}

// Stop closes the server: connections are refused until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, l := s.srv, s.listener
	s.srv, s.listener = nil, nil
	s.mu.Unlock()
	if l != nil {
		// Closed here too: go-smtp's Close closes only the listeners
		// Serve has registered, and a Stop right after Start may come
		// before the goroutine running Serve does (then it would serve).
		l.Close()
	}
	if srv != nil {
		srv.Close()
	}
}

// Restart listens again on the same address.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.serve(l)
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the server's URL for glpinetd's --smtp, with the credentials.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// TLSConfig is a client configuration that trusts the server.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.Roots, MinVersion: tls.VersionTLS12}
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait waits until the server has accepted n messages in all, or ctx ends.
func (s *Server) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		msgs, arrived := append([]Message(nil), s.msgs...), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-ctx.Done():
			return msgs, ctx.Err()
		case <-arrived:
		}
	}
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	tls    bool
	authed bool
	msg    Message
}

func (se *session) AuthMechanisms() []string {
	if se.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != se.s.opts.User || password != se.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.opts.User != "" && !se.authed {
		return smtp.ErrAuthRequired
	}
	se.msg = Message{From: from}
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == se.s.opts.RejectRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	se.msg.To = append(se.msg.To, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := se.conn.TLSConnectionState()
	se.msg.Data, se.msg.TLS, se.msg.Authed = b, isTLS, se.authed
	se.s.mu.Lock()
	se.s.msgs = append(se.s.msgs, se.msg)
	close(se.s.arrived)
	se.s.arrived = make(chan struct{})
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset()        { se.msg = Message{} }
func (se *session) Logout() error { return nil }

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// certificate makes a self-signed certificate for 127.0.0.1 and
// localhost, and a pool trusting it.
func certificate() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool, nil
}
