package service

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
)

// IssuedKey is a key just made, with its record: the only time the key is
// known in clear. Its JSON is what the management API answers.
type IssuedKey struct {
	Key string `json:"key"`
	*glpinet.RegistrationKey
	// Replaces and OldKeyValidUntil are set by a rotation: the key
	// replaced, and the instant it stops working.
	Replaces         *int64     `json:"replaces,omitempty"`
	OldKeyValidUntil *time.Time `json:"old_key_valid_until,omitempty"`
}

// NewKey generates a key and the record that stores its hash, for account
// accountID with label; nothing is stored.
func NewKey(accountID int64, label string) (string, *glpinet.RegistrationKey, error) {
	raw, err := glpinet.GenerateKey()
	if err != nil {
		return "", nil, err
	}
	return raw, &glpinet.RegistrationKey{AccountID: accountID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: label}, nil
}

// MayIssueKeys returns an EFORBIDDEN error when user by may not issue
// registration keys because their e-mail address is not verified: a key
// made by someone whose address nobody checked would tie GLPI instances
// to an account its owner cannot be reached at. by nil is whoever runs
// the server (the glpinetd command line), who may.
func MayIssueKeys(by *glpinet.User) error {
	if by != nil && !by.Verified() {
		return glpinet.Errorf(glpinet.EFORBIDDEN, "Confirm your e-mail address %s first (open the link mailed to it): until then no registration key can be issued.", by.Email)
	}
	return nil
}

// IssueKey issues a new key for an account on behalf of user by (nil:
// the command line). Returns EFORBIDDEN (by's e-mail address is not
// verified, see MayIssueKeys) and the errors of
// glpinet.KeyStore.CreateKey: EINVALID (label), ENOTFOUND, EFORBIDDEN
// (suspended account).
func (s *Service) IssueKey(ctx context.Context, by *glpinet.User, accountID int64, label string) (*IssuedKey, error) {
	if err := MayIssueKeys(by); err != nil {
		return nil, err
	}
	raw, k, err := NewKey(accountID, label)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateKey(ctx, k); err != nil {
		return nil, err
	}
	return &IssuedKey{Key: raw, RegistrationKey: k}, nil
}

// CheckRotationGrace returns an EINVALID error when grace is negative or
// above glpinet.MaxRotationGrace.
func CheckRotationGrace(grace time.Duration) error {
	if grace < 0 || grace > glpinet.MaxRotationGrace {
		return glpinet.Errorf(glpinet.EINVALID, "The old key keeps working for 0 to %d hours (%d days) after a rotation (asked: %s).",
			int(glpinet.MaxRotationGrace.Hours()), int(glpinet.MaxRotationGrace.Hours()/24), grace)
	}
	return nil
}

// RotateKey issues a key in place of key id, which keeps working for
// grace, on behalf of user by (nil: the command line). Returns EFORBIDDEN
// (see MayIssueKeys), EINVALID (grace, see CheckRotationGrace) and the
// errors of glpinet.KeyStore.RotateKey: ENOTFOUND, ECONFLICT (already
// rotated or revoked), EFORBIDDEN (suspended account).
func (s *Service) RotateKey(ctx context.Context, by *glpinet.User, id int64, grace time.Duration) (*IssuedKey, error) {
	if err := MayIssueKeys(by); err != nil {
		return nil, err
	}
	if err := CheckRotationGrace(grace); err != nil {
		return nil, err
	}
	raw, next, err := NewKey(0, "")
	if err != nil {
		return nil, err
	}
	until := s.now().Add(grace).UTC()
	if err := s.Store.RotateKey(ctx, id, next, until); err != nil {
		return nil, err
	}
	return &IssuedKey{Key: raw, RegistrationKey: next, Replaces: &id, OldKeyValidUntil: &until}, nil
}

// RevokeKey revokes key id now. Returns ENOTFOUND, ECONFLICT (already revoked).
func (s *Service) RevokeKey(ctx context.Context, id int64) error {
	return s.Store.RevokeKey(ctx, id)
}

// AccountKey returns the key whose ID is the text id when it belongs to
// account accountID. Any other key, or none, is ENOTFOUND, never
// EFORBIDDEN: key IDs must reveal nothing about other accounts.
func (s *Service) AccountKey(ctx context.Context, accountID int64, id string) (*glpinet.RegistrationKey, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	var k *glpinet.RegistrationKey
	if err == nil {
		k, err = s.Store.FindKeyByID(ctx, n)
	}
	if err != nil || k.AccountID != accountID {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Key %s does not exist.", id)
	}
	return k, nil
}

// Hours returns h hours as a duration, saturated rather than overflowed:
// a huge request stays huge, and CheckRotationGrace refuses it, instead of
// wrapping around into the accepted range.
func Hours(h int) time.Duration {
	const most = int(math.MaxInt64 / int64(time.Hour))
	return time.Duration(max(-most, min(h, most))) * time.Hour
}
