// Package glpicrypt reads and writes the values GLPI encrypts with its
// config/glpicrypt.key, exactly as GLPI's GLPIKey class does (9.5 to 11.x):
// libsodium's XChaCha20-Poly1305-IETF AEAD with a random 24-byte nonce that
// is also the additional data, stored as base64(nonce ‖ ciphertext ‖ tag).
package glpicrypt

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/glpinet/glpinet/internal/hostfile"
	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of glpicrypt.key: 32 raw bytes, no encoding.
const KeySize = chacha20poly1305.KeySize

// Key is a GLPI encryption key.
type Key [KeySize]byte

// KeyError says why a key file cannot be used, in words an administrator
// can act on.
type KeyError struct {
	Path string
	// Reason is one of missing, unreadable, not_regular (a FIFO, a
	// device, a directory…) or wrong_size.
	Reason string
	// Size is the file's size when Reason is wrong_size, or -1 when it
	// is only known to be larger than KeySize (the file grew while read).
	Size int
	Err  error
}

func (e *KeyError) Error() string {
	switch e.Reason {
	case "missing":
		return fmt.Sprintf("%s does not exist: GLPI cannot encrypt or decrypt anything (the registration key cannot be saved)", e.Path)
	case "wrong_size":
		if e.Size < 0 {
			return fmt.Sprintf("%s is larger than %d bytes: it is corrupt or not a GLPI key", e.Path, KeySize)
		}
		return fmt.Sprintf("%s is %d bytes long, not %d: it is corrupt or not a GLPI key", e.Path, e.Size, KeySize)
	case "not_regular":
		var he *hostfile.Error
		if errors.As(e.Err, &he) && he.Kind != "" {
			return fmt.Sprintf("%s is a %s, not a regular file: it is not a GLPI key", e.Path, he.Kind)
		}
		return fmt.Sprintf("%s is not a regular file: it is not a GLPI key", e.Path)
	}
	return fmt.Sprintf("%s cannot be read: %v", e.Path, e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// LoadKey reads a glpicrypt.key file. It returns a *KeyError when the file
// is missing, unreadable, not a regular file or not exactly 32 bytes: GLPI
// then silently stores empty values, which is what glpinet must diagnose,
// never repair blindly.
//
// The file belongs to the web server's user while glpinet often runs as
// root, so it may be anything: a FIFO is refused without waiting for a
// writer, and at most KeySize+1 bytes are read, so /dev/zero or a file of
// gigabytes costs nothing.
func LoadKey(path string) (Key, error) {
	var k Key
	b, err := hostfile.Read(path, KeySize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return k, &KeyError{Path: path, Reason: "missing", Err: err}
	case errors.Is(err, hostfile.ErrNotRegular):
		return k, &KeyError{Path: path, Reason: "not_regular", Err: err}
	case errors.Is(err, hostfile.ErrTooLarge):
		return k, &KeyError{Path: path, Reason: "wrong_size", Size: sizeOf(path), Err: err}
	case err != nil:
		return k, &KeyError{Path: path, Reason: "unreadable", Err: err}
	case len(b) != KeySize:
		return k, &KeyError{Path: path, Reason: "wrong_size", Size: len(b)}
	}
	copy(k[:], b)
	return k, nil
}

// sizeOf returns the size of the regular file at path, or -1. Stat never
// opens the file, so it cannot block, and the size of the most common
// damage (a newline added by an editor: 33 bytes) helps the reader.
func sizeOf(path string) int {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= KeySize || int64(int(fi.Size())) != fi.Size() {
		return -1
	}
	return int(fi.Size())
}

// NewKey returns a new random key.
func NewKey() (Key, error) {
	var k Key
	_, err := rand.Read(k[:])
	return k, err
}

// Encrypt encrypts plaintext as GLPIKey::encrypt does. An empty plaintext
// stays empty, as in GLPI.
func (k Key) Encrypt(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return "", err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(plaintext), nonce)
	return base64.StdEncoding.EncodeToString(out), nil
}

// ErrDecrypt means a value does not decrypt with the key: it was encrypted
// with another key, or it is damaged. GLPI then behaves as if the value
// were empty.
var ErrDecrypt = errors.New("glpicrypt: the value does not decrypt with this key (another key, or damaged)")

// Decrypt decrypts a value stored by GLPI. An empty value stays empty.
func (k Key) Decrypt(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(stored)
	if err != nil || len(raw) < chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return "", ErrDecrypt
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return "", err
	}
	nonce, ct := raw[:chacha20poly1305.NonceSizeX], raw[chacha20poly1305.NonceSizeX:]
	pt, err := aead.Open(nil, nonce, ct, nonce)
	if err != nil {
		return "", ErrDecrypt
	}
	return string(pt), nil
}
