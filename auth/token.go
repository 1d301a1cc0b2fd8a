package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// Prefixes of the secrets glpinet hands out, so that a leaked one is easy
// to recognise (and to find with secret scanners).
const (
	PrefixAPIToken   = "gnt_" // personal API token
	PrefixSession    = "gns_" // portal session cookie
	PrefixInvitation = "gni_" // invitation code
	PrefixReset      = "gnr_" // password reset link
	PrefixVerify     = "gnv_" // e-mail verification link
)

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a new secret: prefix + 256 random bits.
func NewToken(prefix string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return prefix + tokenEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the SHA-256 of a token: the only form stored. A fast
// hash is enough: tokens carry 256 random bits, unlike passwords.
func HashToken(token string) [32]byte {
	return sha256.Sum256([]byte(strings.TrimSpace(token)))
}

// TokenDisplay returns the part of a token that may be shown in lists.
func TokenDisplay(token string) string {
	i := strings.IndexByte(token, '_')
	if i < 0 || len(token) < i+7 {
		return token
	}
	return token[:i+7]
}
