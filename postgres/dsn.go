package postgres

import (
	"net/url"
	"regexp"
	"strings"
)

// IsDSN reports whether s names a PostgreSQL database rather than a file:
// a postgres:// or postgresql:// URL, or a libpq key=value string
// ("host=db user=glpinet dbname=glpinet"), which would otherwise be taken
// for a strange SQLite file name.
func IsDSN(s string) bool {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		return true
	}
	return keyValueDSN.MatchString(s)
}

// keyValueDSN is a libpq connection string: keyword=value pairs.
var keyValueDSN = regexp.MustCompile(`^\s*(host|hostaddr|port|dbname|user|password|sslmode|service)\s*=`)

// passwordPair is a password in a key=value string, quoted or not.
var passwordPair = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// Redact returns dsn for logs and messages: without the password of its
// user information, of its query string, or of its key=value form.
func Redact(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return passwordPair.ReplaceAllString(dsn, "${1}xxxxx")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "PostgreSQL (unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
