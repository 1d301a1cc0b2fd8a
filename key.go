package glpinet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"hash/crc32"
	"strings"
	"time"
)

// Registration key format: "gnk_" + 26 base32 characters holding 128 random
// bits + "_" + 7 base32 characters holding the CRC-32 of everything before
// it. Example: gnk_mfrggzdfmztwq2lknnwg23tpob_aaaaaaa.
//
// Why CRC-32: it detects every burst error up to 32 bits long. A mistyped
// character changes one byte (a burst of at most 8 bits) and swapping two
// adjacent characters changes two bytes (at most 16 bits), so both are always
// caught offline, before any request. The alphabet (lower-case letters,
// digits 2-7 and '_') is safe in an HTTP header and in a URL.
const (
	KeyPrefix       = "gnk_"
	keyRandomBytes  = 16
	keyBodyLen      = 26 // base32 of 16 bytes, unpadded
	keyChecksumLen  = 7  // base32 of a 32-bit CRC, unpadded
	keyLen          = len(KeyPrefix) + keyBodyLen + 1 + keyChecksumLen
	keyDisplayChars = 8 // random characters kept in the display prefix
)

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// KeyProblem says why a string is not a well-formed registration key.
type KeyProblem string

// Key problems, from the most to the least fundamental.
const (
	KeyOK          KeyProblem = ""
	KeyEmpty       KeyProblem = "empty"
	KeyWrongPrefix KeyProblem = "wrong_prefix"
	KeyTooShort    KeyProblem = "too_short"
	KeyTooLong     KeyProblem = "too_long"
	KeyBadChars    KeyProblem = "bad_characters"
	KeyChecksum    KeyProblem = "checksum_mismatch"
)

// Description is a one-sentence English explanation of the problem, with a
// remedy, for command-line tools and logs.
func (p KeyProblem) Description() string {
	switch p {
	case KeyOK:
		return "The key is well formed."
	case KeyEmpty:
		return "No key was given."
	case KeyWrongPrefix:
		return "This is not a glpinet registration key: glpinet keys start with \"gnk_\"."
	case KeyTooShort:
		return "The key is truncated: copy it again in full (it is 38 characters long)."
	case KeyTooLong:
		return "The key has extra characters: copy exactly the 38 characters of the key."
	case KeyBadChars:
		return "The key contains characters a glpinet key never has: copy it again."
	case KeyChecksum:
		return "The key has a typo: its checksum does not match. Copy it again rather than retyping it."
	}
	return string(p)
}

// GenerateKey returns a new random registration key.
func GenerateKey() (string, error) {
	var b [keyRandomBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	head := KeyPrefix + keyEncoding.EncodeToString(b[:])
	return head + "_" + keyChecksum(head), nil
}

func keyChecksum(head string) string {
	var c [4]byte
	sum := crc32.ChecksumIEEE([]byte(head))
	c[0], c[1], c[2], c[3] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	return keyEncoding.EncodeToString(c[:])
}

// NormalizeKey trims the white space and line breaks that copy and paste
// adds, and lower-cases the key (keys are case-insensitive so that a key read
// aloud or retyped in capitals still works).
func NormalizeKey(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// CheckKey reports whether s (already normalized) is a well-formed key,
// without any network or database access.
func CheckKey(s string) KeyProblem {
	switch {
	case s == "":
		return KeyEmpty
	case !strings.HasPrefix(s, KeyPrefix):
		return KeyWrongPrefix
	}
	for i := len(KeyPrefix); i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7' || c == '_') {
			return KeyBadChars
		}
	}
	switch {
	case len(s) < keyLen:
		return KeyTooShort
	case len(s) > keyLen:
		return KeyTooLong
	}
	sep := len(KeyPrefix) + keyBodyLen
	if s[sep] != '_' || strings.IndexByte(s[len(KeyPrefix):sep], '_') >= 0 || strings.IndexByte(s[sep+1:], '_') >= 0 {
		// A separator moved by a swap or a typo: the structure itself is off.
		return KeyChecksum
	}
	if keyChecksum(s[:sep]) != s[sep+1:] {
		return KeyChecksum
	}
	return KeyOK
}

// HashKey returns the SHA-256 of a normalized key: the only form in which a
// key is stored or used as a cache key.
func HashKey(s string) [32]byte {
	return sha256.Sum256([]byte(s))
}

// KeyDisplayPrefix returns the part of a key that may be shown and stored in
// clear to help people tell their keys apart ("gnk_mfrggzdf…").
func KeyDisplayPrefix(s string) string {
	n := len(KeyPrefix) + keyDisplayChars
	if len(s) < n {
		return s
	}
	return s[:n]
}

// RegistrationKey is a key's stored record. The key itself is never stored:
// only its SHA-256 and a display prefix.
type RegistrationKey struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"account_id"`
	Hash      [32]byte   `json:"-"`
	Prefix    string     `json:"prefix"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	// ReplacedBy is the key that rotation issued in place of this one, and
	// GraceUntil the instant after which this one stops working.
	ReplacedBy *int64     `json:"replaced_by"`
	GraceUntil *time.Time `json:"grace_until"`
}

// Validate reports an EINVALID error when the key's label is too long
// (MaxLabelLen) or not text. The rest of a key is made by the server.
func (k *RegistrationKey) Validate() error {
	return CheckText("key label", k.Label, MaxLabelLen)
}

// KeyRecord is everything a validation needs about one key, read in one go.
type KeyRecord struct {
	Key           RegistrationKey
	Account       Account
	Subscriptions []*Subscription
}

// DefaultRotationGrace is how long a rotated key keeps working, so that the
// GLPI instances using it can be given the new key without an outage.
const DefaultRotationGrace = 7 * 24 * time.Hour

// KeyStore keeps registration keys (their hashes).
type KeyStore interface {
	// CreateKey stores a new key for k.AccountID from its Hash, Prefix and
	// Label, and sets ID and CreatedAt. Returns EINVALID (label, see
	// MaxLabelLen), ENOTFOUND, EFORBIDDEN (the account is suspended),
	// ECONFLICT (hash already used).
	CreateKey(ctx context.Context, k *RegistrationKey) error
	// RotateKey stores next as the replacement of key id, which stays valid
	// until graceUntil; next keeps the old label unless it has its own.
	// Returns EINVALID (label), ENOTFOUND, ECONFLICT (already rotated or
	// revoked), EFORBIDDEN (the account is suspended).
	RotateKey(ctx context.Context, id int64, next *RegistrationKey, graceUntil time.Time) error
	// RevokeKey revokes key id now. Returns ENOTFOUND, ECONFLICT (already revoked).
	RevokeKey(ctx context.Context, id int64) error
	// FindKeyRecord returns what validating the key with this hash needs.
	// Returns ENOTFOUND.
	FindKeyRecord(ctx context.Context, hash [32]byte) (*KeyRecord, error)
	// FindKeyByID returns ENOTFOUND.
	FindKeyByID(ctx context.Context, id int64) (*RegistrationKey, error)
	// ListKeys returns a page of an account's keys, newest (highest ID)
	// first, and the cursor of the next page ("" on the last). Returns
	// ENOTFOUND (no such account), EINVALID (a malformed cursor).
	ListKeys(ctx context.Context, accountID int64, p Page) ([]*RegistrationKey, string, error)
	// CreateKeys stores many keys at once (seeding and imports): one audit
	// event and one TopicKeys change for the whole batch, none per key.
	// Returns EINVALID (a label), ENOTFOUND, EFORBIDDEN (an account is
	// suspended), ECONFLICT.
	CreateKeys(ctx context.Context, keys []*RegistrationKey) error
	// EachKeyHash calls fn with the hash of every stored key, revoked,
	// rotated and expired ones included, in no particular order, from one
	// snapshot of the database. It streams: memory does not grow with the
	// number of keys. It stops at fn's first error and returns it.
	EachKeyHash(ctx context.Context, fn func(hash [32]byte) error) error
}
