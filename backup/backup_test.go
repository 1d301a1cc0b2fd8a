package backup

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet/sqlite"
)

// dataDir makes a data directory with a migrated database, a signing key
// and two archives (one of them a publication's leftover dot file).
func dataDir(t *testing.T) Paths {
	t.Helper()
	dir := t.TempDir()
	p := Paths{Data: dir, Database: filepath.Join(dir, "glpinet.db"), SigningKey: filepath.Join(dir, "signing.key"), Archives: filepath.Join(dir, "archives")}
	db, err := sqlite.Open(t.Context(), p.Database)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(p.SigningKey, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"foo/1.0.0/abcd/glpi-foo-1.0.0.zip": "zip", "foo/2.0.0/ef01/.upload-1": "partial"} {
		path := filepath.Join(p.Archives, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o750)
		if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestCreateRestore(t *testing.T) {
	ctx := t.Context()
	src := dataDir(t)
	out := filepath.Join(t.TempDir(), "b")
	m, err := Create(ctx, src, out, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != Format || m.SigningKey == nil || m.Database.Integrity != "ok" || m.Archives.Files != 1 || m.Archives.Bytes != 3 {
		t.Fatalf("manifest: %+v", m)
	}
	var onDisk Manifest
	b, _ := os.ReadFile(filepath.Join(out, ManifestName))
	if err := json.Unmarshal(b, &onDisk); err != nil || onDisk.Database.SHA256 != m.Database.SHA256 {
		t.Fatalf("manifest.json: %s (%v)", b, err)
	}
	for _, name := range []string{DatabaseName, SigningKeyName} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want mode 0600", name, st, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Fatalf("beside the backup: %v (a temporary folder left?)", entries)
	}
	if _, err := Create(ctx, src, out, true); err == nil || !strings.Contains(err.Error(), "never replaces") {
		t.Fatalf("a second backup to the same folder: %v", err)
	}

	dir := t.TempDir()
	dst := Paths{Data: dir, Database: filepath.Join(dir, "db", "glpinet.db"), SigningKey: filepath.Join(dir, "signing.key"), Archives: filepath.Join(dir, "archives")}
	res, err := Restore(ctx, dst, out, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.ArchivesCopied != 1 || res.SigningKey != dst.SigningKey || len(res.SetAside) != 0 {
		t.Fatalf("restored: %+v", res)
	}
	for _, pair := range [][2]string{{src.SigningKey, dst.SigningKey}, {filepath.Join(src.Archives, "foo/1.0.0/abcd/glpi-foo-1.0.0.zip"), filepath.Join(dst.Archives, "foo/1.0.0/abcd/glpi-foo-1.0.0.zip")}} {
		a, _ := os.ReadFile(pair[0])
		b, err := os.ReadFile(pair[1])
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%s restored as %q (%v), want %q", pair[1], b, err, a)
		}
	}
	if _, err := os.Stat(filepath.Join(dst.Archives, "foo/2.0.0/ef01/.upload-1")); err == nil {
		t.Fatal("a partial upload was backed up and restored")
	}
	if _, err := Restore(ctx, dst, out, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over data without force: %v", err)
	}
	res, err = Restore(ctx, dst, out, true)
	if err != nil || len(res.SetAside) != 1 {
		t.Fatalf("restore --force: %+v, %v", res, err)
	}
}

// TestRestoreRefusesDamage: a backup whose files do not match the
// manifest, or whose manifest names files outside it, is refused before
// anything is written.
func TestRestoreRefusesDamage(t *testing.T) {
	ctx := t.Context()
	out := filepath.Join(t.TempDir(), "b")
	if _, err := Create(ctx, dataDir(t), out, false); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	dst := Paths{Data: fresh, Database: filepath.Join(fresh, "glpinet.db"), SigningKey: filepath.Join(fresh, "signing.key"), Archives: filepath.Join(fresh, "archives")}

	key := filepath.Join(out, SigningKeyName)
	good, _ := os.ReadFile(key)
	os.WriteFile(key, bytes.Repeat([]byte{8}, 32), 0o600)
	if _, err := Restore(ctx, dst, out, false); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("restore with another signing key: %v", err)
	}
	os.WriteFile(key, good, 0o600)

	manifest := filepath.Join(out, ManifestName)
	b, _ := os.ReadFile(manifest)
	os.WriteFile(manifest, bytes.Replace(b, []byte(`"file": "glpinet.db"`), []byte(`"file": "../glpinet.db"`), 1), 0o600)
	if _, err := Restore(ctx, dst, out, false); err == nil || !strings.Contains(err.Error(), "unexpected file name") {
		t.Fatalf("restore of a manifest naming ../: %v", err)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Fatal("a refused restore created the data directory")
	}
}

// TestACMECacheKept: a server on --acme-domain restored from a backup has
// its ACME account and certificates at once (no new order, which the CA
// may refuse), in a folder only its owner can read; a certificate renewed
// since the backup is not overwritten by the older one.
func TestACMECacheKept(t *testing.T) {
	ctx := t.Context()
	src := dataDir(t)
	src.ACME = filepath.Join(src.Data, "acme")
	if err := os.Mkdir(src.ACME, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"acme_account+key": "account key", "glpinet.example.com": "old certificate"} {
		if err := os.WriteFile(filepath.Join(src.ACME, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "b")
	m, err := Create(ctx, src, out, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.ACME == nil || m.ACME.Files != 2 {
		t.Fatalf("manifest's acme: %+v", m.ACME)
	}

	dir := t.TempDir()
	dst := Paths{Data: dir, Database: filepath.Join(dir, "glpinet.db"), SigningKey: filepath.Join(dir, "signing.key"),
		Archives: filepath.Join(dir, "archives"), ACME: filepath.Join(dir, "acme")}
	if err := os.MkdirAll(dst.ACME, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst.ACME, "glpinet.example.com"), []byte("renewed certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(ctx, dst, out, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.ACMECopied != 1 {
		t.Errorf("restored %d ACME files, want 1 (the account key; the renewed certificate kept)", res.ACMECopied)
	}
	if b, _ := os.ReadFile(filepath.Join(dst.ACME, "acme_account+key")); string(b) != "account key" {
		t.Errorf("account key restored as %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dst.ACME, "glpinet.example.com")); string(b) != "renewed certificate" {
		t.Errorf("the newer certificate was replaced by %q", b)
	}
	if fi, err := os.Stat(dst.ACME); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("ACME folder %v %v, want 0700", fi.Mode(), err)
	}

	// Without an ACME cache, the manifest says nothing of one.
	plain := dataDir(t)
	plain.ACME = filepath.Join(plain.Data, "acme")
	m, err = Create(ctx, plain, filepath.Join(t.TempDir(), "b"), true)
	if err != nil || m.ACME != nil {
		t.Fatalf("no ACME cache: %+v, %v", m.ACME, err)
	}
}
