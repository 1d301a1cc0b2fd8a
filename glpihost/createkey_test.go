package glpihost

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet/glpicrypt"
)

// emptyInstall is a configuration folder without glpicrypt.key and a
// database that holds no encrypted value.
func emptyInstall(t *testing.T) (*Install, *ConfigDB) {
	t.Helper()
	dir := t.TempDir()
	return &Install{Root: dir, ConfigDir: dir, Version: "10.0.16"}, glpiDB(t)
}

func TestCreateCryptKey(t *testing.T) {
	in, db := emptyInstall(t)
	// Temporary files of a killed key write are cleared on the way.
	leftover := filepath.Join(in.ConfigDir, ".glpicrypt.key.tmp-abc")
	os.WriteFile(leftover, []byte("partial"), 0o600)
	c, err := CreateCryptKey(t.Context(), in, db, SecretsFor(in.Version))
	if err != nil {
		t.Fatal(err)
	}
	key, err := glpicrypt.LoadKey(in.CryptKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	if key == (glpicrypt.Key{}) {
		t.Fatal("the new key is all zeros")
	}
	fi, err := os.Lstat(in.CryptKeyPath())
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != CryptKeyMode {
		t.Fatalf("key file: %v, %v", fi.Mode(), err)
	}
	dir, _ := os.Stat(in.ConfigDir)
	du, dg := ownerOf(dir)
	fu, fg := ownerOf(fi)
	if fu != du || fg != dg || c.UID != du || c.GID != dg {
		t.Errorf("owner %d:%d, reported %d:%d, want the folder's %d:%d", fu, fg, c.UID, c.GID, du, dg)
	}
	if c.Path != in.CryptKeyPath() || c.Mode != "0640" || len(c.Removed) != 1 || c.Removed[0] != leftover {
		t.Errorf("creation = %+v", c)
	}
	// Values encrypted with it now decrypt, as they will for GLPI.
	if err := db.SetEncrypted(t.Context(), in, ConfigRegistrationKey, "gnk_example"); err != nil {
		t.Fatal(err)
	}
	if got := decrypted(t, db, key, ConfigRegistrationKey); got != "gnk_example" {
		t.Fatalf("decrypted %q", got)
	}
}

// TestCreateCryptKeyRefusals: whatever is at glpicrypt.key is kept, and
// no key is made while the database holds values a new one could not
// decrypt.
func TestCreateCryptKeyRefusals(t *testing.T) {
	good, _ := glpicrypt.NewKey()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, in *Install, db *ConfigDB)
		want    string
		remedy  string
	}{
		{"a valid key", func(t *testing.T, in *Install, _ *ConfigDB) {
			os.WriteFile(in.CryptKeyPath(), good[:], 0o600)
		}, "already exists and holds a key", "glpinet cryptkey check"},
		{"an empty file", func(t *testing.T, in *Install, _ *ConfigDB) {
			os.WriteFile(in.CryptKeyPath(), nil, 0o600)
		}, "already exists but is not a usable key (is 0 bytes long, not 32", "restore glpicrypt.key from a backup"},
		{"a damaged file", func(t *testing.T, in *Install, _ *ConfigDB) {
			os.WriteFile(in.CryptKeyPath(), append(good[:], '\n'), 0o600)
		}, "is 33 bytes long", "glpinet cryptkey check"},
		{"a link to a valid key", func(t *testing.T, in *Install, _ *ConfigDB) {
			target := filepath.Join(t.TempDir(), "key")
			os.WriteFile(target, good[:], 0o600)
			os.Symlink(target, in.CryptKeyPath())
		}, "it is a symbolic link", "restore"},
		{"a dangling link", func(t *testing.T, in *Install, _ *ConfigDB) {
			os.Symlink(filepath.Join(t.TempDir(), "nothing"), in.CryptKeyPath())
		}, "it is a symbolic link", "restore"},
		{"a pending rotation", func(t *testing.T, in *Install, _ *ConfigDB) {
			os.WriteFile(in.PendingKeyPath(), good[:], 0o600)
		}, "the new key of an interrupted rotation, exists", "glpinet cryptkey rotate"},
		{"encrypted values", func(t *testing.T, in *Install, db *ConfigDB) {
			enc, _ := good.Encrypt("p@ss")
			db.Set(t.Context(), ConfigProxyPassword, enc)
			db.Set(t.Context(), ConfigRegistrationKey, "") // empty: nothing to lose
		}, "the database holds 1 encrypted value (glpi_configs core/proxy_passwd)", "restore config/glpicrypt.key from a backup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, db := emptyInstall(t)
			tc.prepare(t, in, db)
			before, _ := os.Readlink(in.CryptKeyPath())
			beforeContent, _ := os.ReadFile(in.CryptKeyPath())
			_, err := CreateCryptKey(t.Context(), in, db, SecretsFor(in.Version))
			var r *CreateKeyRefusal
			if !errors.As(err, &r) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(r.Remedy(), tc.remedy) {
				t.Fatalf("got %v (remedy %q), want a refusal with %q and a remedy with %q", err, remedyOf(r), tc.want, tc.remedy)
			}
			after, _ := os.Readlink(in.CryptKeyPath())
			afterContent, _ := os.ReadFile(in.CryptKeyPath())
			if before != after || string(beforeContent) != string(afterContent) {
				t.Fatal("the refusal changed glpicrypt.key")
			}
			if names, _ := filepath.Glob(filepath.Join(in.ConfigDir, ".glpicrypt.key.tmp-*")); len(names) > 0 {
				t.Fatalf("temporary files left: %v", names)
			}
		})
	}
}

func remedyOf(r *CreateKeyRefusal) string {
	if r == nil {
		return ""
	}
	return r.Remedy()
}

// TestExplainMissingKey: a missing key file's remedy depends on what the
// database holds; other key errors are left alone.
func TestExplainMissingKey(t *testing.T) {
	in, db := emptyInstall(t)
	s := SecretsFor(in.Version)
	_, missing := glpicrypt.LoadKey(in.CryptKeyPath())
	var me *MissingKeyError
	if err := ExplainMissingKey(t.Context(), db, s, missing); !errors.As(err, &me) || !me.Known || !strings.Contains(me.Remedy(), "glpinet cryptkey create") {
		t.Fatalf("no value: %v (%+v)", err, me)
	}
	if err := ExplainMissingKey(t.Context(), nil, s, missing); !errors.As(err, &me) || me.Known || !strings.Contains(me.Remedy(), "restore config/glpicrypt.key from a backup; if this GLPI never had one") {
		t.Fatalf("database unknown: %v (%+v)", err, me)
	}
	key, _ := glpicrypt.NewKey()
	enc, _ := key.Encrypt("gnk_example")
	db.Set(t.Context(), ConfigRegistrationKey, enc)
	if err := ExplainMissingKey(t.Context(), db, s, missing); !errors.As(err, &me) || len(me.Values) != 1 || strings.Contains(me.Remedy(), "cryptkey create") {
		t.Fatalf("a value: %v (%+v)", err, me)
	}
	var ke *glpicrypt.KeyError
	if err := ExplainMissingKey(t.Context(), db, s, missing); !errors.As(err, &ke) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("the key error is kept: %v", err)
	}
	os.WriteFile(in.CryptKeyPath(), []byte("short"), 0o600)
	_, short := glpicrypt.LoadKey(in.CryptKeyPath())
	if err := ExplainMissingKey(t.Context(), db, s, short); err != short {
		t.Fatalf("a damaged key: %v", err)
	}
}

// TestCreateCryptKeyOwner: run as root, the key goes to the owner of the
// configuration folder (the web server's user), who must read it.
func TestCreateCryptKeyOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	in, db := emptyInstall(t)
	if err := os.Chown(in.ConfigDir, 33, 33); err != nil {
		t.Fatal(err)
	}
	c, err := CreateCryptKey(t.Context(), in, db, SecretsFor(in.Version))
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(in.CryptKeyPath())
	if u, g := ownerOf(fi); u != 33 || g != 33 || c.UID != 33 || c.GID != 33 {
		t.Fatalf("owner %d:%d (reported %d:%d), want 33:33", u, g, c.UID, c.GID)
	}
}
