package pluginarchive

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/glpinet/glpinet/signing"
)

func TestExpectedVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, _, _ := ed25519.GenerateKey(nil)
	archive := []byte("the archive")
	sum := sha256.Sum256(archive)
	hexSum := hex.EncodeToString(sum[:])
	sig := signing.Sign(priv, "foo", "1.0.0", hexSum)
	base := Expected{Key: "foo", Version: "1.0.0", Size: int64(len(archive)), SHA256: hexSum}
	signed := base
	signed.Signature, signed.PublicKey = sig, pub

	tests := []struct {
		name string
		x    func() Expected
		size int64
		want string // "" for success
	}{
		{"matching size and digest", func() Expected { return base }, 11, ""},
		{"nothing announced", func() Expected { return Expected{Key: "foo", Version: "1.0.0"} }, 11, ""},
		{"size differs", func() Expected { return base }, 10, "the archive is 10 bytes but the catalogue says 11"},
		{"digest differs", func() Expected { x := base; x.SHA256 = hex.EncodeToString(make([]byte, 32)); return x }, 11, "SHA-256 is " + hexSum},
		{"upper-case digest", func() Expected { x := base; x.SHA256 = upper(hexSum); return x }, 11, ""},
		{"signed", func() Expected { return signed }, 11, ""},
		{"signature ignored without a server key", func() Expected { x := signed; x.PublicKey = nil; x.Signature = []byte("junk"); return x }, 11, ""},
		{"signing server, unsigned version", func() Expected { x := signed; x.Signature = nil; return x }, 11, "carries no signature"},
		{"another key", func() Expected { x := signed; x.PublicKey = otherPub; return x }, 11, "does not verify"},
		{"signature of another version", func() Expected { x := signed; x.Version = "1.0.1"; return x }, 11, "does not verify"},
		{"signature of another plugin", func() Expected { x := signed; x.Key = "bar"; return x }, 11, "does not verify"},
		{"truncated public key", func() Expected { x := signed; x.PublicKey = pub[:16]; return x }, 11, "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.x().Verify(tt.size, sum[:])
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			wantInvalid(t, err, tt.want)
		})
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
