package mail

import (
	"net"
	"net/mail"
	"net/url"
	"strings"

	"github.com/glpinet/glpinet"
)

// Server is where mail is sent: an SMTP server and its credentials,
// from a URL such as smtp://user:password@host:587.
type Server struct {
	// Host and Port name the server; Port defaults to 587 (smtp://) or
	// 465 (smtps://).
	Host, Port string
	// ImplicitTLS: smtps://, TLS from the first byte. Otherwise the
	// connection is upgraded with STARTTLS whenever the server offers it,
	// and must be when there are credentials.
	ImplicitTLS bool
	// Username and Password are sent with AUTH PLAIN, over TLS only.
	Username, Password string
}

// ParseServer reads an SMTP URL: smtp://[user[:password]@]host[:port]
// (STARTTLS when offered) or smtps://… (implicit TLS). The user and
// password are percent-encoded as in any URL. Returns EINVALID, with the
// password left out of the message.
func ParseServer(raw string) (*Server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EINVALID, "Bad SMTP URL %q: want smtp://user:password@host:587 or smtps://user:password@host:465.", Redact(raw))
	}
	s := &Server{Host: u.Hostname(), Port: u.Port()}
	switch u.Scheme {
	case "smtp":
		s.Port = cmpOr(s.Port, "587")
	case "smtps":
		s.ImplicitTLS, s.Port = true, cmpOr(s.Port, "465")
	default:
		return nil, glpinet.Errorf(glpinet.EINVALID, "Bad SMTP URL %q: the scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS).", Redact(raw))
	}
	if s.Host == "" || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, glpinet.Errorf(glpinet.EINVALID, "Bad SMTP URL %q: want smtp://user:password@host:port, with nothing after the port.", Redact(raw))
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return nil, glpinet.Errorf(glpinet.EINVALID, "Bad SMTP URL %q: a password without a user name.", Redact(raw))
		}
	}
	return s, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, s.Port) }

// String is the server's URL with its password hidden, for logs and
// `glpinetd config`.
func (s *Server) String() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.Username != "" {
		u.User = url.User(s.Username)
		if s.Password != "" {
			u.User = url.UserPassword(s.Username, "xxxxx")
		}
	}
	return u.String()
}

// Redact hides the password of an SMTP URL, even a malformed one, for
// messages and `glpinetd config`.
func Redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	// Unparsable: keep the scheme and the host, drop whatever may be a
	// password.
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "(unparsable)"
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = "xxxxx@" + rest[i+1:]
	}
	return scheme + "://" + rest
}

// ParseFrom reads the sender of every mail: "glpinet <noreply@example.com>"
// or a bare address. Returns EINVALID.
func ParseFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || !strings.Contains(a.Address, "@") {
		return nil, glpinet.Errorf(glpinet.EINVALID, "Bad sender %q: want an address such as \"glpinet <noreply@example.com>\".", s)
	}
	return a, nil
}
