package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/atomicfile"
	"github.com/glpinet/glpinet/internal/hostfile"
)

// The signing keys seen, per services origin. Whoever answers the
// signing-key request could otherwise switch signature checks off by
// answering 404: once a server was seen signing, glpinet requires a
// signature from it. This is the memory that rule needs, not pinning
// (the key may change; a change is reported): trust in a first key and
// key rotation are for a later design.
//
// The file is GLPI's var directory's _glpinet/signing-keys.json
// (<root>/files, GLPI_VAR_DIR's default; the configuration directory
// when there is no files/): it belongs with the installation it protects,
// survives glpinet upgrades, and is outside the web root GLPI 11 serves.
// files/ belongs to the web server's user while glpinet may run as root,
// so the file is read with hostfile (regular files only, bounded) and
// written inside an os.Root (no symlink out of files/) by a rename.

const (
	signersDir  = "_glpinet"
	signersFile = "signing-keys.json"
	// maxSigners bounds the file: one line per server ever used.
	maxSigners = 256 << 10
)

// signers maps a services origin (client.Origin) to the base64 Ed25519
// key it was last seen signing with.
type signers struct {
	base string            // the var directory
	Keys map[string]string `json:"signing_keys"`
}

// varDir is GLPI_VAR_DIR as glpinet finds it: <root>/files when it is a
// directory, the configuration directory otherwise.
func varDir(in *glpihost.Install) string {
	if st, err := os.Stat(filepath.Join(in.Root, "files")); err == nil && st.IsDir() {
		return filepath.Join(in.Root, "files")
	}
	return in.ConfigDir
}

// signersPath is the file's path, for messages.
func (s *signers) path() string { return filepath.Join(s.base, signersDir, signersFile) }

// loadSigners reads the seen keys of the installation; a missing file is
// an empty memory, a file that is not a small regular file of the right
// shape an EINVALID error (it is what keeps the check on).
func loadSigners(in *glpihost.Install) (*signers, error) {
	s := &signers{base: varDir(in), Keys: map[string]string{}}
	data, err := hostfile.ReadNoFollow(s.path(), maxSigners)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, glpinet.Errorf(glpinet.EINVALID, "%v", err)
	}
	if err := json.Unmarshal(data, s); err != nil || s.Keys == nil {
		return nil, glpinet.Errorf(glpinet.EINVALID, "%s is not the JSON glpinet writes: remove it to start over (signature checks then rely on the servers again)", s.path())
	}
	return s, nil
}

// seen returns the key last seen for origin, nil when none.
func (s *signers) seen(origin string) ed25519.PublicKey {
	k, err := base64.StdEncoding.DecodeString(s.Keys[origin])
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil
	}
	return k
}

// remember records pub as origin's key, writing the file only when it
// changes.
func (s *signers) remember(origin string, pub ed25519.PublicKey) error {
	enc := base64.StdEncoding.EncodeToString(pub)
	if s.Keys[origin] == enc {
		return nil
	}
	s.Keys[origin] = enc
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return s.write(append(data, '\n'))
}

// write replaces the file atomically (internal/atomicfile), inside the var
// directory's os.Root.
func (s *signers) write(data []byte) error {
	root, err := os.OpenRoot(s.base)
	if err != nil {
		return err
	}
	defer root.Close()
	if err := root.Mkdir(signersDir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if st, err := root.Lstat(signersDir); err != nil {
		return err
	} else if !st.IsDir() {
		return glpinet.Errorf(glpinet.EINVALID, "%s is not a directory", filepath.Join(s.base, signersDir))
	}
	return atomicfile.WriteFileIn(root, filepath.Join(signersDir, signersFile), data, 0o644)
}

// keyID names a signing key for people: ed25519: and the first 8 bytes of
// its SHA-256 in hex.
func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}
