package glpihost

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

// TestRotateFinishesMixedValues replays finding 10: a rotation killed
// after its commit, then one value written with the old key (GLPI, or
// glpinet before it refused such writes). Before, rotate claimed that
// value decrypted with neither key although the pending key decrypted
// the others: the rotation could not be finished.
func TestRotateFinishesMixedValues(t *testing.T) {
	in, db, old := rotationFixture(t)
	s := SecretsFor(in.Version)
	next, _ := glpicrypt.NewKey()
	os.WriteFile(in.PendingKeyPath(), next[:], 0o600)
	if _, err := db.ReEncrypt(t.Context(), old, next, s); err != nil {
		t.Fatal(err)
	}
	enc, _ := old.Encrypt("smtp secret")
	if err := db.Set(t.Context(), "smtp_passwd", enc); err != nil {
		t.Fatal(err)
	}
	r, err := RotateCryptKey(t.Context(), in, db, s, time.Now())
	if err != nil || !r.Resumed || r.Reencrypted != 3 {
		t.Fatalf("rotation = %+v, %v", r, err)
	}
	if k, _ := glpicrypt.LoadKey(in.CryptKeyPath()); k != next {
		t.Fatal("the key file is not the pending key")
	}
	for name, want := range map[string]string{ConfigRegistrationKey: "gnk_example", ConfigProxyPassword: "p@ss:word", "smtp_passwd": "smtp secret"} {
		if got := decrypted(t, db, next, name); got != want {
			t.Fatalf("%s = %q, want %q", name, got, want)
		}
	}
	if b, _ := os.ReadFile(r.Backup); !bytes.Equal(b, old[:]) {
		t.Fatal("the backup is not the previous key")
	}
	assertNoLeftovers(t, in)
}

// TestRotateResumedRefusesForeignValue: a value under neither key stops
// the resumed rotation without changing anything, and the pending key,
// which values need, stays.
func TestRotateResumedRefusesForeignValue(t *testing.T) {
	in, db, old := rotationFixture(t)
	s := SecretsFor(in.Version)
	next, _ := glpicrypt.NewKey()
	os.WriteFile(in.PendingKeyPath(), next[:], 0o600)
	if _, err := db.ReEncrypt(t.Context(), old, next, s); err != nil {
		t.Fatal(err)
	}
	other, _ := glpicrypt.NewKey()
	enc, _ := other.Encrypt("foreign")
	db.Set(t.Context(), "smtp_passwd", enc)
	_, err := RotateCryptKey(t.Context(), in, db, s, time.Now())
	if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "decrypts neither with") {
		t.Fatalf("err = %v, want the value named", err)
	}
	if b, _ := os.ReadFile(in.PendingKeyPath()); !bytes.Equal(b, next[:]) {
		t.Fatal("the pending key was removed although values need it")
	}
	if decrypted(t, db, next, ConfigRegistrationKey) != "gnk_example" {
		t.Fatal("a value changed")
	}
}

// TestRotateKeyReplacedPendingLeft: killed after the key file was
// replaced, before the pending copy was removed: the next run only
// removes it and names the backup of the previous key.
func TestRotateKeyReplacedPendingLeft(t *testing.T) {
	in, db, old := rotationFixture(t)
	s := SecretsFor(in.Version)
	next, _ := glpicrypt.NewKey()
	os.WriteFile(in.PendingKeyPath(), next[:], 0o600)
	db.ReEncrypt(t.Context(), old, next, s)
	backup, err := WriteFileAtomic(in.CryptKeyPath(), next[:], 0o600, true, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in.CryptKeyPath()+".bak-20250101-000000", make([]byte, 32), 0o600) // an older rotation's
	r, err := RotateCryptKey(t.Context(), in, db, s, time.Now())
	if err != nil || !r.Resumed || r.Backup != backup {
		t.Fatalf("rotation = %+v, %v; want the backup %s", r, err, backup)
	}
	if k, _ := glpicrypt.LoadKey(in.CryptKeyPath()); k != next {
		t.Fatal("the key changed again")
	}
	assertNoLeftovers(t, in)
}

// TestRotateRemovesKeyTemps: the temporary files of a key write killed
// half-way are removed by the next rotation (and by
// CleanCryptLeftovers, which cryptkey check runs), other files never.
func TestRotateRemovesKeyTemps(t *testing.T) {
	in, db, _ := rotationFixture(t)
	leftovers := []string{".glpicrypt.key.tmp-123456", ".glpicrypt.key.rotating.tmp-987"}
	keep := []string{"config_db.php", ".glpicrypt.key.bak", "glpicrypt.key.tmp-1"}
	for _, n := range append(leftovers, keep...) {
		os.WriteFile(filepath.Join(in.ConfigDir, n), []byte("x"), 0o600)
	}
	r, err := RotateCryptKey(t.Context(), in, db, SecretsFor(in.Version), time.Now())
	if err != nil || len(r.Removed) != 2 {
		t.Fatalf("rotation = %+v, %v", r, err)
	}
	for _, n := range leftovers {
		if _, err := os.Lstat(filepath.Join(in.ConfigDir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left: %v", n, err)
		}
	}
	for _, n := range keep {
		if _, err := os.Lstat(filepath.Join(in.ConfigDir, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
	os.WriteFile(filepath.Join(in.ConfigDir, leftovers[0]), nil, 0o600)
	if removed, err := in.CleanCryptLeftovers(); err != nil || len(removed) != 1 {
		t.Fatalf("CleanCryptLeftovers = %v, %v", removed, err)
	}
}

// TestEncryptedWritesRefusedWhilePending: a value written with the old key
// while a rotation is pending is what made finding 10; such writes are
// refused, and so is a write while a rotation runs (lock held).
func TestEncryptedWritesRefusedWhilePending(t *testing.T) {
	in, db, old := rotationFixture(t)
	if err := db.SetEncrypted(t.Context(), in, ConfigRegistrationKey, "gnk_new"); err != nil {
		t.Fatal(err)
	}
	if decrypted(t, db, old, ConfigRegistrationKey) != "gnk_new" {
		t.Fatal("not written with glpicrypt.key")
	}
	next, _ := glpicrypt.NewKey()
	os.WriteFile(in.PendingKeyPath(), next[:], 0o600)
	var pe *PendingRotationError
	err := db.SetEncrypted(t.Context(), in, ConfigRegistrationKey, "gnk_other")
	if !errors.As(err, &pe) || pe.Running || !strings.Contains(pe.Remedy(), "glpinet cryptkey rotate") {
		t.Fatalf("write while pending: %v", err)
	}
	if err := in.CheckNoPendingRotation(); !errors.As(err, &pe) {
		t.Fatalf("CheckNoPendingRotation = %v", err)
	}
	os.Remove(in.PendingKeyPath())
	unlock, err := in.lockCryptKeys(true)
	if err != nil {
		t.Fatal(err)
	}
	err = db.SetEncrypted(t.Context(), in, ConfigRegistrationKey, "gnk_other")
	if !errors.As(err, &pe) || !pe.Running {
		t.Fatalf("write while a rotation runs: %v", err)
	}
	if _, err := RotateCryptKey(t.Context(), in, db, SecretsFor(in.Version), time.Now()); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Fatalf("second rotation at once: %v, want ECONFLICT", err)
	}
	unlock()
	if decrypted(t, db, old, ConfigRegistrationKey) != "gnk_new" {
		t.Fatal("a refused write changed the value")
	}
}

// assertNoLeftovers checks that no pending key nor temporary file is left.
func assertNoLeftovers(t *testing.T, in *Install) {
	t.Helper()
	entries, _ := os.ReadDir(in.ConfigDir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".rotating") || strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left in the configuration directory: %s", e.Name())
		}
	}
}
