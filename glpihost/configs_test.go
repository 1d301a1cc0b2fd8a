package glpihost

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
	_ "github.com/go-sql-driver/mysql"
)

// glpiDB creates, in this machine's MariaDB, a database of its own with a
// glpi_configs table shaped like GLPI's, dropped after the test.
func glpiDB(t *testing.T) *ConfigDB {
	t.Helper()
	root, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	name := fmt.Sprintf("glpinet_test_%d", time.Now().UnixNano())
	if _, err := root.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("MariaDB at 127.0.0.1:3306 (root, no password) is needed: %v", err)
	}
	t.Cleanup(func() { root.Exec("DROP DATABASE " + name) })
	db, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/"+name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// As in GLPI 10.0's install/mysql/glpi-empty.sql.
	if _, err := db.Exec(`CREATE TABLE glpi_configs (
		id int unsigned NOT NULL AUTO_INCREMENT,
		context varchar(150) DEFAULT NULL,
		name varchar(150) DEFAULT NULL,
		value text,
		PRIMARY KEY (id),
		UNIQUE KEY unicity (context, name)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC`); err != nil {
		t.Fatal(err)
	}
	return NewConfigDB(db)
}

func TestConfigDB(t *testing.T) {
	c := glpiDB(t)
	ctx := t.Context()
	if _, ok, err := c.Get(ctx, ConfigRegistrationKey); err != nil || ok {
		t.Fatalf("missing row: ok %v, %v", ok, err)
	}
	key, _ := glpicrypt.NewKey()
	raw, _ := glpinet.GenerateKey()
	enc, _ := key.Encrypt(raw)
	if err := c.Set(ctx, ConfigRegistrationKey, enc); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, ConfigRegistrationKey, enc); err != nil { // an update, not a duplicate
		t.Fatal(err)
	}
	got, ok, err := c.Get(ctx, ConfigRegistrationKey)
	if err != nil || !ok {
		t.Fatal(err)
	}
	if plain, err := key.Decrypt(got); err != nil || plain != raw {
		t.Fatalf("stored key decrypts to %q, %v", plain, err)
	}

	// A value encrypted with another key is reported.
	other, _ := glpicrypt.NewKey()
	proxy, _ := other.Encrypt("p@ss:word")
	c.Set(ctx, ConfigProxyPassword, proxy)
	secrets := SecretsFor("10.0.16")
	bad, _, err := c.CheckEncrypted(ctx, key, secrets)
	if err != nil || len(bad) != 1 || bad[0].Name != ConfigProxyPassword {
		t.Fatalf("CheckEncrypted = %v, %v", bad, err)
	}
	// Re-encryption is all or nothing: it refuses while a value is lost.
	next, _ := glpicrypt.NewKey()
	if _, err := c.ReEncrypt(ctx, key, next, secrets); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("ReEncrypt with an undecryptable value: %v", err)
	}
	if v, _, _ := c.Get(ctx, ConfigRegistrationKey); v != got {
		t.Fatal("a refused re-encryption changed a value")
	}
	good, _ := key.Encrypt("p@ss:word")
	c.Set(ctx, ConfigProxyPassword, good)
	n, err := c.ReEncrypt(ctx, key, next, secrets)
	if err != nil || n != 2 {
		t.Fatalf("ReEncrypt = %d, %v", n, err)
	}
	if bad, _, _ := c.CheckEncrypted(ctx, next, secrets); len(bad) != 0 {
		t.Fatalf("after re-encryption: %v", bad)
	}
	v, _, _ := c.Get(ctx, ConfigRegistrationKey)
	if plain, _ := next.Decrypt(v); plain != raw {
		t.Fatal("the registration key was lost in re-encryption")
	}
}

func TestOpenConfigDBUnreachable(t *testing.T) {
	_, err := OpenConfigDB(t.Context(), DBConfig{Host: "127.0.0.1", Port: 1, User: "glpi", Database: "glpi"})
	if glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
}
