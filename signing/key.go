package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/glpinet/glpinet/internal/atomicfile"
)

// Load reads the key file at path: the 32-byte Ed25519 seed, raw. A
// missing file gives an error matching fs.ErrNotExist; a file of any
// other size is an error, never replaced: every published signature
// depends on it.
func Load(path string) (ed25519.PrivateKey, error) {
	seed, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key %s is %d bytes long, not %d: restore it from a backup", path, len(seed), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// LoadOrCreate is Load, creating a new key (mode 0600, its folder 0700
// if missing) when the file does not exist. Two processes creating it at
// once end with the same key: the first one's.
func LoadOrCreate(path string) (ed25519.PrivateKey, error) {
	key, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	f, err := atomicfile.CreateAll(path, 0o600, 0o700)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	if _, err := f.Write(seed); err != nil {
		return nil, err
	}
	if err := f.CommitNew(); errors.Is(err, fs.ErrExist) {
		return Load(path)
	} else if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Save writes key to the key file at path (mode 0600, its folder 0750 if
// missing), replacing any file there atomically: a restore puts a
// backup's key back so.
func Save(path string, key ed25519.PrivateKey) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, key.Seed(), 0o600)
}
