package glpihost

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DSN returns c as a github.com/go-sql-driver/mysql data source name:
//
//	user:password@tcp(host:port)/database?parseTime=true&charset=utf8mb4
//	user:password@unix(/path/to/socket)/database?parseTime=true&charset=utf8mb4
//
// charset is utf8 instead of utf8mb4 when the installation has not been
// migrated to utf8mb4 (UTF8MB4 false), so that text is decoded as GLPI
// stored it.
//
// User and password are written as they are, unescaped, which the
// driver's parser allows: it takes the database name after the LAST "/" of
// the DSN, the credentials before the LAST "@" preceding it, and splits
// them at the FIRST ":". So the password may contain any byte, "@", ":",
// "/", "(" and "?" included; the user name may contain anything but ":".
// The database name, after that last "/", is path-escaped, which the
// driver (1.8 and later) undoes. The socket path and host must not contain
// "@", "/" being fine. The password is omitted, with its ":", when empty.
func (c DBConfig) DSN() string {
	var b strings.Builder
	b.WriteString(c.User)
	if c.Password != "" {
		b.WriteByte(':')
		b.WriteString(c.Password)
	}
	b.WriteByte('@')
	if c.Socket != "" {
		b.WriteString("unix(" + c.Socket + ")")
	} else {
		port := c.Port
		if port == 0 {
			port = defaultPort
		}
		b.WriteString("tcp(" + net.JoinHostPort(orLocalhost(c.Host), strconv.Itoa(port)) + ")")
	}
	b.WriteString("/" + url.PathEscape(c.Database) + "?parseTime=true&charset=")
	if c.UTF8MB4 {
		b.WriteString("utf8mb4")
	} else {
		b.WriteString("utf8")
	}
	return b.String()
}
