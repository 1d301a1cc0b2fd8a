package signing

import (
	"crypto/ed25519"
	"encoding/base64"
)

// Algorithm names the signature scheme, as /api/marketplace/signing-key
// announces it.
const Algorithm = "ed25519"

// MessageFormat describes Message for people, as
// /api/marketplace/signing-key serves it.
const MessageFormat = `"glpinet-archive-v1\n" + plugin key + "\n" + version + "\n" + lower-case hex SHA-256 of the archive + "\n"`

// Message is what an archive signature covers: the plugin, the version and
// the archive's lower-case hex SHA-256, so that a signature cannot be
// moved to another plugin or version. The server signs it when publishing;
// clients verify it before installing.
func Message(key, num, sha256hex string) []byte {
	return []byte("glpinet-archive-v1\n" + key + "\n" + num + "\n" + sha256hex + "\n")
}

// Sign returns the signature of the archive of version num of the plugin
// key, whose SHA-256 is sha256hex (lower-case hex).
func Sign(priv ed25519.PrivateKey, key, num, sha256hex string) []byte {
	return ed25519.Sign(priv, Message(key, num, sha256hex))
}

// Verify reports whether sig is pub's signature of the archive of version
// num of the plugin key whose SHA-256 is sha256hex. A public key of the
// wrong size verifies nothing.
func Verify(pub ed25519.PublicKey, key, num, sha256hex string, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, Message(key, num, sha256hex), sig)
}

// PublicKeyText is pub in standard base64, as
// /api/marketplace/signing-key serves it and backups record it.
func PublicKeyText(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads what /api/marketplace/signing-key serves: the
// algorithm's name and the key in standard base64. ok is false for
// anything but an Ed25519 public key.
func ParsePublicKey(algorithm, text string) (pub ed25519.PublicKey, ok bool) {
	b, err := base64.StdEncoding.DecodeString(text)
	if algorithm != Algorithm || err != nil || len(b) != ed25519.PublicKeySize {
		return nil, false
	}
	return ed25519.PublicKey(b), true
}
