// Package auth holds the secrets of the portal and the management API:
// argon2id password hashes and random tokens, which are stored only as
// hashes.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow OWASP's recommendation for argon2id (19 MiB, two
// passes, one lane): about 30 ms per hash on a small server.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// maxPasswordLen bounds the work an attacker can make a login do.
	maxPasswordLen = 1024
)

// ErrMismatch is returned by CheckPassword for a wrong password.
var ErrMismatch = errors.New("auth: wrong password")

// HashPassword returns the PHC string of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(password string, p Params) (string, error) {
	if len(password) > maxPasswordLen {
		return "", fmt.Errorf("auth: password longer than %d bytes", maxPasswordLen)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares password with a PHC string made by HashPassword,
// in constant time. It returns ErrMismatch for a wrong password and another
// error for a malformed hash.
func CheckPassword(password, phc string) error {
	if len(password) > maxPasswordLen {
		return ErrMismatch
	}
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash reports whether a stored hash uses other parameters than p,
// so that a login can upgrade it.
func NeedsRehash(phc string, p Params) bool {
	got, _, _, err := parsePHC(phc)
	return err != nil || got != p
}

func parsePHC(phc string) (Params, []byte, []byte, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, nil, errors.New("auth: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, errors.New("auth: unsupported argon2 version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, errors.New("auth: malformed argon2id parameters")
	}
	// Refuse parameters no hash of ours has: a tampered row must not make
	// a login allocate gigabytes.
	if p.Memory == 0 || p.Memory > 64*1024 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return Params{}, nil, nil, errors.New("auth: argon2id parameters out of range")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, errors.New("auth: malformed salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return Params{}, nil, nil, errors.New("auth: malformed hash")
	}
	return p, salt, key, nil
}
