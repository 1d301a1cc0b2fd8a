package glpinet

import "time"

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
