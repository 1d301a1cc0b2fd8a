package glpihost

import (
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/php"
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
//
// So that glpinet reads the values PHP uses, the file must be what the
// installer writes: one top-level class declaration, extending DBmysql or
// nothing, whose body holds only property declarations (public or var)
// and class constants, and no other statement. A method (a constructor
// could change the properties), a trait, a conditional declaration or any
// other code is refused.
//
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
	f, err := parseFile(src)
	if err != nil {
		return DBConfig{}, err
	}
	props, err := readProperties(f)
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
	if host.val.Kind == php.Array {
		if len(host.val.Elems) == 0 {
			return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "$dbhost on line %d is an empty array of hosts.", host.line)
		}
		host.val = host.val.Elems[0].Val
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
	val  php.Value
	line int
}

type properties map[string]property

// readProperties finds the one top-level class declaration of f and
// collects its property declarations: a run of modifiers (public, var),
// an optional type, then one or more "$name [= value]" separated by
// commas and ended by ";". Declaring a property twice is a fatal error in
// PHP, and so here.
func readProperties(f *phpFile) (properties, error) {
	body := -1
	for i := 0; i < len(f.toks); {
		end := f.stmtEnd(i)
		switch kw := f.keyword(i); {
		case f.toks[i].Kind == php.TokOpenTag || f.toks[i].Kind == php.TokCloseTag || f.isPunct(i, ";"):
		case kw == "class" && body < 0:
			open, err := classHeader(f, i, end)
			if err != nil {
				return nil, err
			}
			body = open
		default:
			return nil, glpinet.Errorf(glpinet.EINVALID,
				"line %d: glpinet reads this file only as GLPI's installer writes it, a class holding properties and nothing else, so that it reads the values PHP uses; remove this statement.", f.line(i))
		}
		i = max(end, i+1)
	}
	if body < 0 {
		return properties{}, nil
	}
	props := properties{}
	env := newEvalEnv()
	closeIdx := int(f.match[body])
	for j := body + 1; j < closeIdx; {
		start := j
		if f.keyword(j) == "const" {
			j = f.exprEnd(j)
			continue
		}
		for j < closeIdx && isModifier(f.toks[j]) {
			j++
		}
		if j == start {
			return nil, glpinet.Errorf(glpinet.EINVALID,
				"line %d: glpinet reads only property declarations (public $name = '...';) in this class; a method or anything else could change what PHP uses, so remove it.", f.line(j))
		}
		if f.isPunct(j, "?") {
			j++
		}
		if j < closeIdx && f.toks[j].Kind == php.TokName {
			j++ // a type, as in "public string $dbhost"
		}
		for j < closeIdx && f.toks[j].Kind == php.TokVar {
			v := f.toks[j]
			j++
			p := property{val: php.Value{Kind: php.Null, S: "null"}, line: int(v.Line)}
			if f.isPunct(j, "=") {
				j++
				end := j
				for end < closeIdx && !f.isPunct(end, ",") && !f.isPunct(end, ";") {
					end = f.skipGroup(end)
				}
				p.val = php.Eval(f.toks[j:end], env.Env)
				j = end
			}
			if _, dup := props[v.Text]; dup {
				return nil, glpinet.Errorf(glpinet.EINVALID, "$%s is declared twice (lines %d and %d).", v.Text, props[v.Text].line, p.line)
			}
			props[v.Text] = p
			if f.isPunct(j, ",") {
				j++
			}
		}
		if !f.isPunct(j, ";") {
			return nil, glpinet.Errorf(glpinet.EINVALID, "line %d: glpinet cannot read this property declaration.", f.line(j))
		}
		j++
	}
	return props, nil
}

// classHeader checks "class NAME [extends DBmysql] {" at toks[i:end] and
// returns the index of its "{".
func classHeader(f *phpFile, i, end int) (int, error) {
	j := i + 1
	if j >= end || f.toks[j].Kind != php.TokName {
		return 0, glpinet.Errorf(glpinet.EINVALID, "line %d: glpinet cannot read this class declaration.", f.line(i))
	}
	j++
	if f.keyword(j) == "extends" {
		if j+1 >= end || !strings.EqualFold(strings.TrimPrefix(f.toks[j+1].Text, `\`), "DBmysql") {
			return 0, glpinet.Errorf(glpinet.EINVALID,
				"line %d: the class extends another class than DBmysql, whose code could change the values PHP uses; glpinet reads only the class GLPI's installer writes.", f.line(j))
		}
		j += 2
	}
	if !f.isPunct(j, "{") {
		return 0, glpinet.Errorf(glpinet.EINVALID,
			"line %d: glpinet reads only \"class DB extends DBmysql {\" here, as GLPI's installer writes it.", f.line(j))
	}
	return j, nil
}

func isModifier(t php.Token) bool {
	if t.Kind != php.TokName {
		return false
	}
	switch strings.ToLower(t.Text) {
	case "public", "var":
		return true
	}
	return false
}

// str returns a string-valued property; integers are accepted as their
// digits, which is what PHP would hand to mysqli.
func (p property) str(name string) (string, error) {
	switch p.val.Kind {
	case php.String, php.Int:
		return p.val.S, nil
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
	t, known := p.val.Truthy()
	if !known {
		return false, glpinet.Errorf(glpinet.EINVALID,
			"$%s on line %d is not a plain boolean; write it as true or false.", name, p.line)
	}
	return t, nil
}
