package glpihost

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/phpver"
)

// Column is a database column GLPI keeps encrypted with glpicrypt.key.
type Column struct {
	Table, Column string
}

func (c Column) String() string { return c.Table + "." + c.Column }

// ConfigName is a glpi_configs row GLPI keeps encrypted.
type ConfigName struct {
	Context, Name string
}

func (c ConfigName) String() string { return c.Context + "/" + c.Name }

// Secrets lists where a GLPI installation keeps values encrypted with
// glpicrypt.key (GLPIKey::getConfigs and GLPIKey::getFields).
type Secrets struct {
	Configs []ConfigName
	Columns []Column
}

// SecretsFor returns the encrypted values of a GLPI version. GLPI 11
// encrypts more columns than 10.0 (API and OAuth client secrets, user
// tokens): in 10.0 those columns hold clear or hashed values, which must
// neither be reported as undecryptable nor be encrypted by a rotation.
// Plugins declare theirs through hooks glpinet cannot run; callers add
// them with Add.
func SecretsFor(version string) Secrets {
	s := Secrets{}
	for _, name := range EncryptedConfigs {
		s.Configs = append(s.Configs, ConfigName{"core", name})
	}
	s.Columns = []Column{
		{"glpi_authldaps", "rootdn_passwd"},
		{"glpi_mailcollectors", "passwd"},
		{"glpi_snmpcredentials", "auth_passphrase"},
		{"glpi_snmpcredentials", "priv_passphrase"},
	}
	if version != "" && phpver.Compare(version, "11.0.0-dev") >= 0 {
		s.Columns = append(s.Columns,
			Column{"glpi_apiclients", "app_token"},
			Column{"glpi_oauthclients", "secret"},
			Column{"glpi_users", "api_token"},
			Column{"glpi_users", "cookie_token"},
			Column{"glpi_users", "password_forget_token"},
			Column{"glpi_users", "personal_token"},
		)
	}
	return s
}

// identifier is what a table or column name given on the command line
// may be: GLPI's names are lower-case ASCII with underscores, and nothing
// else may reach an SQL statement unquoted.
var identifier = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// Add adds a plugin's encrypted value: "table.column" for a column,
// "context/name" for a glpi_configs row (context "plugin:<key>").
func (s *Secrets) Add(spec string) error {
	if ctx, name, ok := strings.Cut(spec, "/"); ok {
		if ctx == "" || name == "" || len(ctx) > 150 || len(name) > 150 {
			return glpinet.Errorf(glpinet.EINVALID, "%q is not a configuration value: write context/name, e.g. plugin:example/api_secret", spec)
		}
		s.Configs = append(s.Configs, ConfigName{ctx, name})
		return nil
	}
	table, col, ok := strings.Cut(spec, ".")
	if !ok || !identifier.MatchString(table) || !identifier.MatchString(col) {
		return glpinet.Errorf(glpinet.EINVALID, "%q is not a column: write table.column (letters, digits, _), e.g. glpi_plugin_example_configs.password", spec)
	}
	s.Columns = append(s.Columns, Column{table, col})
	return nil
}

// quoted returns the column's names quoted for MySQL.
func (c Column) quoted() (table, column string, err error) {
	if !identifier.MatchString(c.Table) || !identifier.MatchString(c.Column) {
		return "", "", fmt.Errorf("invalid column name %q", c.String())
	}
	return "`" + c.Table + "`", "`" + c.Column + "`", nil
}
