package glpihost

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

// rotationFixture is a configuration directory with a key file and a
// database holding a registration key and a proxy password encrypted
// with it.
func rotationFixture(t *testing.T) (*Install, *ConfigDB, glpicrypt.Key) {
	t.Helper()
	dir := t.TempDir()
	in := &Install{Root: dir, ConfigDir: dir, Version: "10.0.16"}
	key, _ := glpicrypt.NewKey()
	if err := os.WriteFile(in.CryptKeyPath(), key[:], 0o640); err != nil {
		t.Fatal(err)
	}
	db := glpiDB(t)
	for name, plain := range map[string]string{ConfigRegistrationKey: "gnk_example", ConfigProxyPassword: "p@ss:word"} {
		enc, _ := key.Encrypt(plain)
		if err := db.Set(t.Context(), name, enc); err != nil {
			t.Fatal(err)
		}
	}
	return in, db, key
}

func decrypted(t *testing.T, db *ConfigDB, key glpicrypt.Key, name string) string {
	t.Helper()
	v, _, err := db.Get(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := key.Decrypt(v)
	if err != nil {
		t.Fatalf("%s does not decrypt: %v", name, err)
	}
	return p
}

func TestRotateCryptKey(t *testing.T) {
	in, db, old := rotationFixture(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	r, err := RotateCryptKey(t.Context(), in, db, SecretsFor(in.Version), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reencrypted != 2 || r.Resumed || r.Backup != in.CryptKeyPath()+".bak-20261126-100000" {
		t.Fatalf("rotation = %+v", r)
	}
	next, err := glpicrypt.LoadKey(in.CryptKeyPath())
	if err != nil || next == old {
		t.Fatalf("key file after rotation: %v (unchanged: %v)", err, next == old)
	}
	if b, _ := os.ReadFile(r.Backup); !bytes.Equal(b, old[:]) {
		t.Fatal("the backup is not the previous key")
	}
	if fi, _ := os.Stat(in.CryptKeyPath()); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want the previous 0640", fi.Mode().Perm())
	}
	if decrypted(t, db, next, ConfigRegistrationKey) != "gnk_example" || decrypted(t, db, next, ConfigProxyPassword) != "p@ss:word" {
		t.Fatal("values lost in the rotation")
	}
	if _, err := os.Stat(in.PendingKeyPath()); !os.IsNotExist(err) {
		t.Fatalf("pending key left behind: %v", err)
	}
}

// TestRotateRefusesLosingValues: a value made with another key would be
// lost by re-encryption, so nothing changes.
func TestRotateRefusesLosingValues(t *testing.T) {
	in, db, old := rotationFixture(t)
	other, _ := glpicrypt.NewKey()
	foreign, _ := other.Encrypt("smtp secret")
	db.Set(t.Context(), "smtp_passwd", foreign)
	_, err := RotateCryptKey(t.Context(), in, db, SecretsFor(in.Version), time.Now())
	if glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	assertUnrotated(t, in, db, old)
}

// TestRotateFailedTransaction: when the database refuses an update, the
// key file, the values and the directory are as before.
func TestRotateFailedTransaction(t *testing.T) {
	in, db, old := rotationFixture(t)
	if _, err := db.db.ExecContext(t.Context(), `CREATE TRIGGER refuse_update BEFORE UPDATE ON glpi_configs
		FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'`); err != nil {
		t.Fatal(err)
	}
	if _, err := RotateCryptKey(t.Context(), in, db, SecretsFor(in.Version), time.Now()); err == nil {
		t.Fatal("rotation succeeded although the database refused the update")
	}
	assertUnrotated(t, in, db, old)
}

func assertUnrotated(t *testing.T, in *Install, db *ConfigDB, old glpicrypt.Key) {
	t.Helper()
	if k, err := glpicrypt.LoadKey(in.CryptKeyPath()); err != nil || k != old {
		t.Fatalf("the key file changed: %v", err)
	}
	if decrypted(t, db, old, ConfigRegistrationKey) != "gnk_example" {
		t.Fatal("a value changed")
	}
	entries, _ := os.ReadDir(in.ConfigDir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files left in the configuration directory: %v", names)
	}
}

// TestRotateResumes: a rotation that died after the database commit, with
// only the pending file holding the new key, is finished by the next run
// instead of starting a new rotation that could not read the values.
func TestRotateResumes(t *testing.T) {
	in, db, old := rotationFixture(t)
	s := SecretsFor(in.Version)
	next, _ := glpicrypt.NewKey()
	os.WriteFile(in.PendingKeyPath(), next[:], 0o600)
	if _, err := db.ReEncrypt(t.Context(), old, next, s); err != nil {
		t.Fatal(err)
	}
	r, err := RotateCryptKey(t.Context(), in, db, s, time.Now())
	if err != nil || !r.Resumed || r.Reencrypted != 2 {
		t.Fatalf("resume = %+v, %v", r, err)
	}
	if k, _ := glpicrypt.LoadKey(in.CryptKeyPath()); k != next {
		t.Fatal("the key file is not the key the database uses")
	}
	if decrypted(t, db, next, ConfigProxyPassword) != "p@ss:word" {
		t.Fatal("value lost")
	}
	if _, err := os.Stat(in.PendingKeyPath()); !os.IsNotExist(err) {
		t.Fatal("pending key left behind")
	}
}

// TestRotateStalePending: a pending key whose transaction never committed
// (killed before or during it) becomes the new key: every value is
// re-encrypted with it.
func TestRotateStalePending(t *testing.T) {
	in, db, old := rotationFixture(t)
	stale, _ := glpicrypt.NewKey()
	os.WriteFile(in.PendingKeyPath(), stale[:], 0o600)
	r, err := RotateCryptKey(t.Context(), in, db, SecretsFor(in.Version), time.Now())
	if err != nil || !r.Resumed || r.Reencrypted != 2 {
		t.Fatalf("rotation = %+v, %v", r, err)
	}
	k, _ := glpicrypt.LoadKey(in.CryptKeyPath())
	if k != stale {
		t.Fatal("the key file is not the pending key")
	}
	if decrypted(t, db, k, ConfigRegistrationKey) != "gnk_example" {
		t.Fatal("value lost")
	}
	if b, _ := os.ReadFile(r.Backup); !bytes.Equal(b, old[:]) {
		t.Fatal("the backup is not the previous key")
	}
	if _, err := os.Stat(filepath.Join(in.PendingKeyPath())); !os.IsNotExist(err) {
		t.Fatal("pending key left behind")
	}
}
