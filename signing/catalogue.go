package signing

import (
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"sort"

	"github.com/glpinet/glpinet"
)

// CheckCatalogue verifies the signatures of the n most recently published
// versions of cat with pub. Replicas must share one signing key: a replica
// started with another signing.key (or a new one, created because the
// file was missing on its disk) would serve a public key that does not
// verify what the others signed, and glpinet's clients would refuse every
// archive. It returns an EINVALID error naming a version that does not
// verify; nil when all do or nothing is signed yet.
func CheckCatalogue(cat *glpinet.Catalogue, pub ed25519.PublicKey, n int) error {
	if cat == nil {
		return nil
	}
	var signed []*glpinet.Version
	for _, p := range cat.Plugins {
		for _, v := range p.Versions {
			if len(v.Archive.Signature) > 0 {
				signed = append(signed, v)
			}
		}
	}
	sort.Slice(signed, func(i, j int) bool { return signed[i].CreatedAt.After(signed[j].CreatedAt) })
	for _, v := range signed[:min(n, len(signed))] {
		if !Verify(pub, v.PluginKey, v.Num, v.Archive.SHA256, v.Archive.Signature) {
			return glpinet.Errorf(glpinet.EINVALID, "The signing key in use does not verify %s %s, signed with another key: every replica needs the same signing.key (copy it from the data directory that published it; never let a replica create its own)", v.PluginKey, v.Num)
		}
	}
	return nil
}

// LoadForCatalogue loads the key file at path, creating it when the
// catalogue cat has nothing signed yet, and refuses a key that does not
// verify the catalogue's newest signatures. A replica, or an operator's
// command run on another host, whose data directory lacks the shared
// signing.key must not sign with a key of its own: the servers would then
// serve a public key that does not verify what it signed (and vice
// versa). A key created here and refused so is removed again.
func LoadForCatalogue(path string, cat *glpinet.Catalogue) (ed25519.PrivateKey, error) {
	_, statErr := os.Stat(path)
	key, err := LoadOrCreate(path)
	if err != nil {
		return nil, err
	}
	if err := CheckCatalogue(cat, key.Public().(ed25519.PublicKey), 20); err != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(path) // made just now: leave the place for the right one
			return nil, glpinet.Errorf(glpinet.EINVALID, "%s is missing, and the catalogue was signed with another key: copy signing.key from the data directory that published it (every replica, and wherever plugins are published, needs the same file).", path)
		}
		return nil, err
	}
	return key, nil
}
