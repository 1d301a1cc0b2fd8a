package publish

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/pluginarchive"
)

func TestCheckSignatures(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, _, _ := ed25519.GenerateKey(nil)
	sign := func(key, num string, at time.Time) *glpinet.Version {
		sha := "ab12"
		return &glpinet.Version{PluginKey: key, Num: num, CreatedAt: at,
			Archive: glpinet.Archive{SHA256: sha, Signature: ed25519.Sign(priv, pluginarchive.SignedMessage(key, num, sha))}}
	}
	now := time.Now()
	cat := glpinet.NewCatalogue(1, []*glpinet.Plugin{{Key: "hello", Versions: []*glpinet.Version{sign("hello", "1.0.0", now.Add(-time.Hour)), sign("hello", "1.1.0", now)}}}, nil, nil)
	if err := CheckSignatures(cat, pub, 20); err != nil {
		t.Fatalf("the signing key: %v", err)
	}
	if err := CheckSignatures(cat, otherPub, 1); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("another key: %v, want EINVALID", err)
	}
	if err := CheckSignatures(glpinet.NewCatalogue(1, nil, nil, nil), otherPub, 1); err != nil {
		t.Fatalf("nothing signed yet: %v", err)
	}
	// A tampered signature among the newest is found.
	cat.Plugins[0].Versions[1].Archive.Signature[0] ^= 1
	if err := CheckSignatures(cat, pub, 1); err == nil {
		t.Fatal("a bad newest signature went unnoticed")
	}
}
