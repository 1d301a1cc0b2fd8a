package main

import (
	"context"
	"crypto/ed25519"
	"os"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/publish"
)

// checkedSigningKey loads the signing key at path, creating it when the
// catalogue has nothing signed yet, and refuses a key that does not verify
// the catalogue's signatures. A replica, or an operator's command run on
// another host, whose data directory lacks the shared signing.key must not
// sign with a key of its own: the servers would then serve a public key
// that does not verify what it signed (and vice versa).
func checkedSigningKey(path string, cat *glpinet.Catalogue) (ed25519.PrivateKey, error) {
	_, statErr := os.Stat(path)
	signing, err := publish.LoadOrCreateSigningKey(path)
	if err != nil {
		return nil, err
	}
	if err := publish.CheckSignatures(cat, signing.Public().(ed25519.PublicKey), 20); err != nil {
		if os.IsNotExist(statErr) {
			os.Remove(path) // made just now: leave the place for the right one
			return nil, glpinet.Errorf(glpinet.EINVALID, "%s is missing, and the catalogue was signed with another key: copy signing.key from the data directory that published it (every replica, and wherever plugins are published, needs the same file).", path)
		}
		return nil, err
	}
	return signing, nil
}

// storeCatalogue is the catalogue as the store holds it, for the checks of
// commands that do not run the server's caches.
func storeCatalogue(ctx context.Context, db Store) (*glpinet.Catalogue, error) {
	plugins, err := db.ListPlugins(ctx)
	if err != nil {
		return nil, err
	}
	return glpinet.NewCatalogue(0, plugins, nil, nil), nil
}
