package glpihost

import (
	"slices"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

// TestEncryptedColumns checks that the encrypted columns of GLPI's tables
// are checked and re-encrypted with the configuration values, per GLPI
// version, and that a failure part-way changes nothing.
func TestEncryptedColumns(t *testing.T) {
	c := glpiDB(t)
	ctx := t.Context()
	for _, ddl := range []string{
		"CREATE TABLE glpi_authldaps (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, rootdn_passwd text)",
		"CREATE TABLE glpi_users (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, api_token varchar(255), cookie_token varchar(255))",
		"CREATE TABLE glpi_plugin_example_configs (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, secret varchar(255))",
	} {
		if _, err := c.db.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	key, _ := glpicrypt.NewKey()
	enc := func(s string) string { v, _ := key.Encrypt(s); return v }
	c.Set(ctx, ConfigRegistrationKey, enc("gnk_example"))
	c.db.ExecContext(ctx, "INSERT INTO glpi_authldaps (rootdn_passwd) VALUES (?), (NULL), ('')", enc("ldap secret"))
	// GLPI 10.0 keeps API tokens in clear; 11 encrypts them.
	c.db.ExecContext(ctx, "INSERT INTO glpi_users (api_token, cookie_token) VALUES ('clear-token', NULL)")
	c.db.ExecContext(ctx, "INSERT INTO glpi_plugin_example_configs (secret) VALUES (?)", enc("plugin secret"))

	v10 := SecretsFor("10.0.16")
	bad, checked, err := c.CheckEncrypted(ctx, key, v10)
	if err != nil || len(bad) != 0 || checked != 2 {
		t.Fatalf("GLPI 10.0: bad %v, checked %d, %v (glpi_users tokens are not encrypted in 10.0)", bad, checked, err)
	}
	v11 := SecretsFor("11.0.4")
	bad, _, err = c.CheckEncrypted(ctx, key, v11)
	if err != nil || len(bad) != 1 || bad[0].String() != "glpi_users.api_token (id 1)" {
		t.Fatalf("GLPI 11: bad %v, %v", bad, err)
	}
	if err := v10.Add("glpi_plugin_example_configs.secret"); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"glpi_users", "glpi_users.api`token", "x.y; DROP TABLE t", "/name", "plugin:example/"} {
		var s Secrets
		if err := s.Add(spec); glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("Add(%q) = %v, want EINVALID", spec, err)
		}
	}
	// A column missing from this database (an older GLPI, a removed
	// plugin) is left out rather than failing.
	v10.Add("glpi_plugin_gone_configs.secret")

	next, _ := glpicrypt.NewKey()
	n, err := c.ReEncrypt(ctx, key, next, v10)
	if err != nil || n != 3 {
		t.Fatalf("ReEncrypt = %d, %v", n, err)
	}
	var ldap, plugin, token string
	c.db.QueryRowContext(ctx, "SELECT rootdn_passwd FROM glpi_authldaps WHERE id = 1").Scan(&ldap)
	c.db.QueryRowContext(ctx, "SELECT secret FROM glpi_plugin_example_configs").Scan(&plugin)
	c.db.QueryRowContext(ctx, "SELECT api_token FROM glpi_users").Scan(&token)
	if p, err := next.Decrypt(ldap); err != nil || p != "ldap secret" {
		t.Fatalf("LDAP password after rotation: %q, %v", p, err)
	}
	if p, err := next.Decrypt(plugin); err != nil || p != "plugin secret" {
		t.Fatalf("plugin secret after rotation: %q, %v", p, err)
	}
	if token != "clear-token" {
		t.Fatalf("a GLPI 10.0 clear token was changed: %q", token)
	}
	// A row that cannot be written part-way through rolls everything
	// back: a trigger refuses the update of the last table.
	if _, err := c.db.ExecContext(ctx, `CREATE TRIGGER refuse_update BEFORE UPDATE ON glpi_plugin_example_configs
		FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, c)
	third, _ := glpicrypt.NewKey()
	if _, err := c.ReEncrypt(ctx, next, third, v10); err == nil {
		t.Fatal("ReEncrypt succeeded although a value could not be written")
	}
	if after := snapshot(t, c); !slices.Equal(before, after) {
		t.Fatalf("a failed re-encryption changed values:\nbefore %v\nafter  %v", before, after)
	}
}

// snapshot returns every value the test's tables hold.
func snapshot(t *testing.T, c *ConfigDB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT COALESCE(value, '') FROM glpi_configs ORDER BY id",
		"SELECT COALESCE(rootdn_passwd, '') FROM glpi_authldaps ORDER BY id",
		"SELECT COALESCE(secret, '') FROM glpi_plugin_example_configs ORDER BY id",
	} {
		rows, err := c.db.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		rows.Close()
	}
	return out
}
