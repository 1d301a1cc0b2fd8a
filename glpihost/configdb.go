package glpihost

import (
	"strings"

	"github.com/glpinet/glpinet"
)

// DBConfig is the database connection GLPI uses, as config_db.php (or
// config_db_slave.php) declares it.
type DBConfig struct {
	// Host is the server's host name or IP address (without brackets for
	// IPv6). It is "localhost" when the file leaves it empty, as mysqli
	// does, and accompanies Socket when one is used.
	Host string
	// Port is the TCP port: the one given in $dbhost, else 3306. It is 0
	// when Socket is set.
	Port int
	// Socket is the Unix socket path, when $dbhost names one
	// ("localhost:/run/mysqld/mysqld.sock" or "/run/mysqld/mysqld.sock").
	Socket string
	// User, Password and Database are $dbuser, $dbpassword (decoded, see
	// ParseConfigDB) and $dbdefault.
	User, Password, Database string
	// UTF8MB4 is $use_utf8mb4: the tables use utf8mb4 rather than utf8mb3.
	UTF8MB4 bool
	// UseTimezones is $use_timezones: datetimes are TIMESTAMP columns and
	// GLPI sets the session time zone.
	UseTimezones bool
}

// ParseConfigDB reads the DB class that GLPI's installer writes into
// config_db.php, without running it. Properties are the
// "public $name = value;" declarations (also "var $name", as very old GLPI
// versions wrote them), whatever their spacing, with comments anywhere.
// Values may be single- or double-quoted strings, integers, booleans, or,
// for $dbhost in config_db_slave.php, an array of hosts of which the first
// is taken.
//
// $dbpassword is decoded as GLPI decodes it before connecting, with PHP's
// rawurldecode: the installer writes it rawurlencoded. rawurldecode
// leaves a "%" that does not start a valid escape as it is, so a
// hand-written, unencoded password such as "p@ss:word" or "50%off" comes
// out unchanged; only one containing "%" followed by two hex digits would
// be altered, for glpinet exactly as for GLPI.
//
// $dbhost may be "host", "host:port", "host:/socket/path", "/socket/path",
// "[ipv6]:port" or a bare IPv6 address. $dbhost, $dbuser and $dbdefault
// are required. Errors are EINVALID *glpinet.Error naming the property and
// its line.
func ParseConfigDB(src []byte) (DBConfig, error) {
	toks, err := lex(src)
	if err != nil {
		return DBConfig{}, err
	}
	props, err := readProperties(src, toks)
	if err != nil {
		return DBConfig{}, err
	}
	var c DBConfig
	for _, name := range []string{"dbhost", "dbuser", "dbdefault"} {
		if _, ok := props[name]; !ok {
			return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "$%s is not declared; expected a line like: public $%s = '...';", name, name)
		}
	}
	host := props["dbhost"]
	if host.val.kind == valArray {
		if len(host.val.elems) == 0 {
			return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "$dbhost on line %d is an empty array of hosts.", host.line)
		}
		host.val = host.val.elems[0]
	}
	hostStr, err := host.str("dbhost")
	if err != nil {
		return DBConfig{}, err
	}
	if c.Host, c.Port, c.Socket, err = splitDBHost(hostStr); err != nil {
		return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "$dbhost on line %d: %v", host.line, err)
	}
	if c.User, err = props["dbuser"].str("dbuser"); err != nil {
		return DBConfig{}, err
	}
	if c.Database, err = props["dbdefault"].str("dbdefault"); err != nil {
		return DBConfig{}, err
	}
	if c.Database == "" {
		return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "$dbdefault on line %d is empty: no database is named.", props["dbdefault"].line)
	}
	if p, ok := props["dbpassword"]; ok {
		raw, err := p.str("dbpassword")
		if err != nil {
			return DBConfig{}, err
		}
		c.Password = rawurldecode(raw)
	}
	if c.UTF8MB4, err = props.flag("use_utf8mb4"); err != nil {
		return DBConfig{}, err
	}
	if c.UseTimezones, err = props.flag("use_timezones"); err != nil {
		return DBConfig{}, err
	}
	return c, nil
}

// property is a class property's default value and the line declaring it.
type property struct {
	val  value
	line int
}

type properties map[string]property

// readProperties collects the property declarations of src: a run of
// modifiers (public, var, ...), an optional type, then one or more
// "$name [= value]" separated by commas and ended by ";". Declaring a
// property twice is a fatal error in PHP, and so here.
func readProperties(src []byte, toks []token) (properties, error) {
	props := properties{}
	env := newEvalEnv()
	text := string(src) // for line numbers
	for i := 0; i < len(toks); {
		if !isModifier(toks[i]) {
			i++
			continue
		}
		j := i
		for j < len(toks) && isModifier(toks[j]) {
			j++
		}
		if j < len(toks) && toks[j].kind == tokPunct && toks[j].text == "?" {
			j++
		}
		if j < len(toks) && toks[j].kind == tokName {
			j++ // a type, as in "public string $dbhost"
		}
		for j < len(toks) && toks[j].kind == tokVar {
			v := toks[j]
			j++
			p := property{val: value{kind: valNull, s: "null"}, line: lineOf(text, v.start)}
			if j < len(toks) && toks[j].kind == tokPunct && toks[j].text == "=" {
				j++
				end := exprEnd(toks, j)
				p.val = evalTokens(toks[j:end], env)
				j = end
			}
			if _, dup := props[v.text]; dup {
				return nil, glpinet.Errorf(glpinet.EINVALID, "$%s is declared twice (lines %d and %d).", v.text, props[v.text].line, p.line)
			}
			props[v.text] = p
			if j < len(toks) && toks[j].kind == tokPunct && toks[j].text == "," {
				j++
			}
		}
		i = max(j, i+1)
	}
	return props, nil
}

// exprEnd returns the index of the "," or ";" that ends the expression
// starting at toks[from], ignoring those nested in brackets.
func exprEnd(toks []token, from int) int {
	depth := 0
	for k := from; k < len(toks); k++ {
		t := toks[k]
		if t.kind == tokCloseTag || t.kind == tokOpenTag {
			return k
		}
		if t.kind != tokPunct {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth < 0 {
				return k
			}
		case ",", ";":
			if depth == 0 {
				return k
			}
		}
	}
	return len(toks)
}

func isModifier(t token) bool {
	if t.kind != tokName {
		return false
	}
	switch strings.ToLower(t.text) {
	case "public", "var", "protected", "private", "static", "readonly":
		return true
	}
	return false
}

// str returns a string-valued property; integers are accepted as their
// digits, which is what PHP would hand to mysqli.
func (p property) str(name string) (string, error) {
	switch p.val.kind {
	case valString, valInt:
		return p.val.s, nil
	}
	return "", glpinet.Errorf(glpinet.EINVALID,
		"$%s on line %d is not a plain string; glpinet reads the file without running PHP, so write it as '...'.", name, p.line)
}

// flag returns a boolean property, false when absent, converted as PHP
// would (so 1 and '1' are true).
func (ps properties) flag(name string) (bool, error) {
	p, ok := ps[name]
	if !ok {
		return false, nil
	}
	t, known := truthy(p.val)
	if !known {
		return false, glpinet.Errorf(glpinet.EINVALID,
			"$%s on line %d is not a plain boolean; write it as true or false.", name, p.line)
	}
	return t, nil
}
