package pluginarchive

import (
	"crypto/ed25519"
	"encoding/hex"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/signing"
)

// Expected is what a catalogue says of a version's archive. GLPI itself
// checks none of it (TLS is its only integrity control), so glpinet's
// client does, before anything reaches the plugin directories.
type Expected struct {
	Key, Version string
	// Size in bytes; 0 when the catalogue does not say.
	Size int64
	// SHA256 in hex; "" when the catalogue does not say.
	SHA256 string
	// Signature is the Ed25519 signature of signing.Message; nil when the
	// version carries none.
	Signature []byte
	// PublicKey is the server's signing key; nil when the server does not
	// sign, in which case Signature is not checked.
	PublicKey ed25519.PublicKey
}

// Verify checks a downloaded archive of size bytes whose SHA-256 is sum
// against what the catalogue announced. Each failure is a glpinet.EINVALID
// error with a one-line reason: a size or digest that differs, a signing
// server whose version carries no signature, or a signature that does not
// verify with the server's key.
func (x Expected) Verify(size int64, sum []byte) error {
	got := hex.EncodeToString(sum)
	if x.Size > 0 && size != x.Size {
		return glpinet.Errorf(glpinet.EINVALID, "%s %s: the archive is %d bytes but the catalogue says %d: it was truncated or altered", x.Key, x.Version, size, x.Size)
	}
	if x.SHA256 != "" && !strings.EqualFold(got, x.SHA256) {
		return glpinet.Errorf(glpinet.EINVALID, "%s %s: the archive's SHA-256 is %s but the catalogue says %s: it was altered after publication or on the way", x.Key, x.Version, got, strings.ToLower(x.SHA256))
	}
	if x.PublicKey == nil {
		return nil
	}
	if len(x.Signature) == 0 {
		return glpinet.Errorf(glpinet.EINVALID, "%s %s: the server signs its archives but this version carries no signature", x.Key, x.Version)
	}
	if !signing.Verify(x.PublicKey, x.Key, x.Version, got, x.Signature) {
		return glpinet.Errorf(glpinet.EINVALID, "%s %s: the archive's signature does not verify with the server's signing key", x.Key, x.Version)
	}
	return nil
}
