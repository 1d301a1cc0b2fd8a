package glpihost

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// defaultPort is MySQL's, which mysqli uses when $dbhost names none.
const defaultPort = 3306

// splitDBHost splits $dbhost the way GLPI's DBmysql::connect() does:
// "host:N" with N a number is a port, "host:anything-else" is a Unix
// socket. It also accepts what GLPI's plain explode(':') cannot: a bare
// socket path, "[ipv6]:port" and a bare IPv6 address. An empty host is
// mysqli's default, "localhost".
func splitDBHost(s string) (host string, port int, socket string, err error) {
	switch {
	case strings.HasPrefix(s, "/"):
		return "localhost", 0, s, nil
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, "", fmt.Errorf("%q lacks the closing ] of its IPv6 address", s)
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, defaultPort, "", nil
		}
		if rest[0] != ':' {
			return "", 0, "", fmt.Errorf("%q has %q after its IPv6 address instead of :port", s, rest)
		}
		return portOrSocket(host, rest[1:])
	}
	before, after, found := strings.Cut(s, ":")
	switch {
	case !found:
		return orLocalhost(s), defaultPort, "", nil
	case strings.Contains(after, ":") && !strings.HasPrefix(after, "/"):
		// Several colons and no socket path: an IPv6 address.
		if net.ParseIP(s) == nil {
			return "", 0, "", fmt.Errorf("%q is neither host:port nor an IPv6 address (write [address]:port)", s)
		}
		return s, defaultPort, "", nil
	}
	return portOrSocket(before, after)
}

// portOrSocket interprets what follows the colon of $dbhost.
func portOrSocket(host, rest string) (string, int, string, error) {
	host = orLocalhost(host)
	switch {
	case rest == "":
		return host, defaultPort, "", nil
	case strings.Trim(rest, "0123456789") == "":
		p, err := strconv.Atoi(rest)
		if err != nil || p < 1 || p > 65535 {
			return "", 0, "", errors.New("port " + rest + " is not between 1 and 65535")
		}
		return host, p, "", nil
	}
	return host, 0, rest, nil
}

func orLocalhost(host string) string {
	if host == "" {
		return "localhost"
	}
	return host
}

// rawurldecode is PHP's rawurldecode(): "%" followed by two hex digits is
// decoded, anything else (a lone "%", "%zz", "+") is kept as it is. Unlike
// url.PathUnescape it never fails, which is what lets an unencoded
// hand-written password through untouched.
func rawurldecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
