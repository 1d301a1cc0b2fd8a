package glpihost

import (
	"net/url"
	"strings"
	"testing"
)

func TestDSN(t *testing.T) {
	tests := []struct {
		name string
		c    DBConfig
		want string
	}{
		{"tcp utf8mb4", DBConfig{Host: "localhost", Port: 3306, User: "glpi", Password: "secret", Database: "glpi", UTF8MB4: true},
			"glpi:secret@tcp(localhost:3306)/glpi?parseTime=true&charset=utf8mb4"},
		{"utf8 before migration", DBConfig{Host: "db", Port: 3307, User: "glpi", Password: "secret", Database: "glpi"},
			"glpi:secret@tcp(db:3307)/glpi?parseTime=true&charset=utf8"},
		{"socket", DBConfig{Host: "localhost", Socket: "/var/run/mysqld/mysqld.sock", User: "glpi", Password: "pw", Database: "glpi", UTF8MB4: true},
			"glpi:pw@unix(/var/run/mysqld/mysqld.sock)/glpi?parseTime=true&charset=utf8mb4"},
		{"ipv6", DBConfig{Host: "::1", Port: 3306, User: "glpi", Password: "pw", Database: "glpi", UTF8MB4: true},
			"glpi:pw@tcp([::1]:3306)/glpi?parseTime=true&charset=utf8mb4"},
		{"password with @ : and /", DBConfig{Host: "localhost", Port: 3306, User: "glpi", Password: "p@ss:w/d", Database: "glpi", UTF8MB4: true},
			"glpi:p@ss:w/d@tcp(localhost:3306)/glpi?parseTime=true&charset=utf8mb4"},
		{"no password", DBConfig{Host: "localhost", Port: 3306, User: "glpi", Database: "glpi", UTF8MB4: true},
			"glpi@tcp(localhost:3306)/glpi?parseTime=true&charset=utf8mb4"},
		{"zero port and empty host", DBConfig{User: "glpi", Password: "x", Database: "glpi"},
			"glpi:x@tcp(localhost:3306)/glpi?parseTime=true&charset=utf8"},
		{"database name escaped", DBConfig{Host: "h", Port: 3306, User: "u", Password: "p", Database: "my/db?x%"},
			"u:p@tcp(h:3306)/my%2Fdb%3Fx%25?parseTime=true&charset=utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.DSN(); got != tt.want {
				t.Errorf("DSN()\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestDSNRoundTripsThroughDriverParsing(t *testing.T) {
	passwords := []string{"p@ss:w/d", "@@@", ":", "/", "a/b@c:d(e)f?g=h&i", "tcp(x:1)/y", "%41", "end@", "@start", " sp ace ", "ünï\x00code"}
	for _, pw := range passwords {
		for _, c := range []DBConfig{
			{Host: "localhost", Port: 3306, User: "glpi", Password: pw, Database: "glpi", UTF8MB4: true},
			{Host: "localhost", Socket: "/run/mysqld/mysqld.sock", User: "us@er", Password: pw, Database: "gl/pi"},
		} {
			got, ok := parseDSNLikeDriver(c.DSN())
			if !ok || got.user != c.User || got.passwd != pw || got.dbname != c.Database || got.addr == "" {
				t.Errorf("DSN %q parses as %+v (ok=%v), want user %q password %q db %q", c.DSN(), got, ok, c.User, pw, c.Database)
			}
		}
	}
}

type parsedDSN struct {
	user, passwd, net, addr, dbname, params string
}

// parseDSNLikeDriver splits a DSN as github.com/go-sql-driver/mysql's
// ParseDSN does: the database after the last "/", the credentials before
// the last "@" preceding it, user and password split at the first ":",
// the address between the first "(" after that "@" and the ")" before the
// "/", and the path-unescaped database name before the first "?".
func parseDSNLikeDriver(dsn string) (parsedDSN, bool) {
	var p parsedDSN
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return p, false
	}
	left, right := dsn[:slash], dsn[slash+1:]
	at := strings.LastIndexByte(left, '@')
	if at >= 0 {
		creds := left[:at]
		if user, pw, ok := strings.Cut(creds, ":"); ok {
			p.user, p.passwd = user, pw
		} else {
			p.user = creds
		}
	}
	proto := left[at+1:]
	if open := strings.IndexByte(proto, '('); open >= 0 {
		if !strings.HasSuffix(proto, ")") {
			return p, false
		}
		p.net, p.addr = proto[:open], proto[open+1:len(proto)-1]
	} else {
		p.net = proto
	}
	db, params, _ := strings.Cut(right, "?")
	name, err := url.PathUnescape(db)
	if err != nil {
		return p, false
	}
	p.dbname, p.params = name, params
	return p, true
}
