package signing

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

func TestCheckCatalogue(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, _, _ := ed25519.GenerateKey(nil)
	sign := func(key, num string, at time.Time) *glpinet.Version {
		sha := "ab12"
		return &glpinet.Version{PluginKey: key, Num: num, CreatedAt: at,
			Archive: glpinet.Archive{SHA256: sha, Signature: Sign(priv, key, num, sha)}}
	}
	now := time.Now()
	cat := glpinet.NewCatalogue(1, []*glpinet.Plugin{{Key: "hello", Versions: []*glpinet.Version{sign("hello", "1.0.0", now.Add(-time.Hour)), sign("hello", "1.1.0", now)}}}, nil, nil)
	if err := CheckCatalogue(cat, pub, 20); err != nil {
		t.Fatalf("the signing key: %v", err)
	}
	if err := CheckCatalogue(cat, otherPub, 1); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("another key: %v, want EINVALID", err)
	}
	if err := CheckCatalogue(glpinet.NewCatalogue(1, nil, nil, nil), otherPub, 1); err != nil {
		t.Fatalf("nothing signed yet: %v", err)
	}
	// A tampered signature among the newest is found.
	cat.Plugins[0].Versions[1].Archive.Signature[0] ^= 1
	if err := CheckCatalogue(cat, pub, 1); err == nil {
		t.Fatal("a bad newest signature went unnoticed")
	}
}

// TestLoadForCatalogue: a key that verifies the catalogue is used; a data
// folder without the key that signed it gets no key of its own.
func TestLoadForCatalogue(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "signing.key")
	empty := glpinet.NewCatalogue(1, nil, nil, nil)
	priv, err := LoadForCatalogue(path, empty)
	if err != nil {
		t.Fatal(err)
	}
	v := &glpinet.Version{PluginKey: "hello", Num: "1.0.0", CreatedAt: time.Now(), Archive: glpinet.Archive{SHA256: "ab12"}}
	v.Archive.Signature = Sign(priv, v.PluginKey, v.Num, v.Archive.SHA256)
	cat := glpinet.NewCatalogue(1, []*glpinet.Plugin{{Key: "hello", Versions: []*glpinet.Version{v}}}, nil, nil)
	if again, err := LoadForCatalogue(path, cat); err != nil || !again.Equal(priv) {
		t.Fatalf("reloading the key that signed: %v", err)
	}

	other := filepath.Join(t.TempDir(), "signing.key")
	if _, err := LoadForCatalogue(other, cat); glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "is missing") {
		t.Fatalf("a missing key with a signed catalogue: %v, want EINVALID", err)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("the refused key was left in place: %v", err)
	}
	os.WriteFile(other, make([]byte, 32), 0o600)
	if _, err := LoadForCatalogue(other, cat); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("another key: %v, want EINVALID", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("an existing key was removed: %v", err)
	}
}
