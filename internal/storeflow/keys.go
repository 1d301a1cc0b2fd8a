package storeflow

import (
	"context"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
)

// KeyTx is a transaction that stores registration keys.
type KeyTx interface {
	AccountTx
	// InsertKey stores k and sets its ID and CreatedAt. Returns ECONFLICT
	// (hash already used).
	InsertKey(ctx context.Context, k *glpinet.RegistrationKey) error
	// InsertKeys is InsertKey for a batch, in as few statements as the
	// dialect allows. Returns ECONFLICT, ENOTFOUND (an account).
	InsertKeys(ctx context.Context, keys []*glpinet.RegistrationKey) error
	// LockKey reads key id, locked until the commit; nil when none.
	LockKey(ctx context.Context, id int64) (*glpinet.RegistrationKey, error)
	// SetKeyReplaced records that key id was replaced by key next and
	// works until graceUntil.
	SetKeyReplaced(ctx context.Context, id, next int64, graceUntil time.Time) error
	// SetKeyRevoked revokes key id at the transaction's instant.
	SetKeyRevoked(ctx context.Context, id int64) error
	// LockOwners reads the IDs of account's owners, locked in ID order.
	LockOwners(ctx context.Context, account int64) ([]int64, error)
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
}

// keyChanged announces the key with hash h to the caches.
func keyChanged(ctx context.Context, tx Tx, h [32]byte) error {
	return tx.Change(ctx, glpinet.TopicKey, hex.EncodeToString(h[:]))
}

// CreateKey is glpinet.KeyStore.CreateKey.
func CreateKey(ctx context.Context, tx KeyTx, k *glpinet.RegistrationKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if err := accountsIssuable(ctx, tx, "no key can be issued for it", k.AccountID); err != nil {
		return err
	}
	if err := tx.InsertKey(ctx, k); err != nil {
		return err
	}
	if err := keyChanged(ctx, tx, k.Hash); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "key.issue", Subject: glpinet.AccountSubject(k.AccountID),
		Details: glpinet.KeySubject(k.ID) + " " + k.Prefix})
}

// CreateKeys is glpinet.KeyStore.CreateKeys.
func CreateKeys(ctx context.Context, tx KeyTx, keys []*glpinet.RegistrationKey) error {
	var accounts []int64 // a batch's keys are usually one account's
	for _, k := range keys {
		if err := k.Validate(); err != nil {
			return err
		}
		if len(accounts) == 0 || accounts[len(accounts)-1] != k.AccountID {
			accounts = append(accounts, k.AccountID)
		}
	}
	if err := accountsIssuable(ctx, tx, "no key can be issued for it", accounts...); err != nil {
		return err
	}
	if err := tx.InsertKeys(ctx, keys); err != nil {
		return err
	}
	// One change for the batch, not one per key: a bulk issue of a
	// million keys would otherwise send as many notifications to every
	// replica. Validators read their key set again instead.
	if len(keys) > 0 {
		if err := tx.Change(ctx, glpinet.TopicKeys, strconv.Itoa(len(keys))); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "key.import", Details: strconv.Itoa(len(keys)) + " keys"})
}

// lockKey reads key id locked, or returns ENOTFOUND.
func lockKey(ctx context.Context, tx KeyTx, id int64) (*glpinet.RegistrationKey, error) {
	k, err := tx.LockKey(ctx, id)
	if err == nil && k == nil {
		err = glpinet.Errorf(glpinet.ENOTFOUND, "Key %d does not exist.", id)
	}
	return k, err
}

// RotateKey is glpinet.KeyStore.RotateKey. The lock on the old key is what
// makes concurrent rotations safe: the second reads the key as the first
// left it (replaced) and gets ECONFLICT.
func RotateKey(ctx context.Context, tx KeyTx, id int64, next *glpinet.RegistrationKey, graceUntil time.Time) error {
	// The label given, if any: one inherited was checked already.
	if err := next.Validate(); err != nil {
		return err
	}
	old, err := lockKey(ctx, tx, id)
	if err != nil {
		return err
	}
	switch {
	case old.RevokedAt != nil:
		return glpinet.Errorf(glpinet.ECONFLICT, "Key %d (%s) is revoked.", id, old.Prefix)
	case old.ReplacedBy != nil:
		return glpinet.Errorf(glpinet.ECONFLICT, "Key %d (%s) was already rotated; rotate its replacement, key %d.", id, old.Prefix, *old.ReplacedBy)
	}
	if err := accountsIssuable(ctx, tx, "its keys cannot be rotated", old.AccountID); err != nil {
		return err
	}
	next.AccountID = old.AccountID
	if next.Label == "" {
		next.Label = old.Label
	}
	if err := tx.InsertKey(ctx, next); err != nil {
		return err
	}
	if err := tx.SetKeyReplaced(ctx, id, next.ID, graceUntil); err != nil {
		return err
	}
	for _, h := range [][32]byte{old.Hash, next.Hash} {
		if err := keyChanged(ctx, tx, h); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "key.rotate", Subject: glpinet.AccountSubject(old.AccountID),
		Details: glpinet.KeySubject(id) + " " + old.Prefix + " → " + glpinet.KeySubject(next.ID) + " " + next.Prefix +
			", old key valid until " + graceUntil.UTC().Format(time.RFC3339)})
}

// RevokeKey is glpinet.KeyStore.RevokeKey.
func RevokeKey(ctx context.Context, tx KeyTx, id int64) error {
	k, err := lockKey(ctx, tx, id)
	if err != nil {
		return err
	} else if k.RevokedAt != nil {
		return glpinet.Errorf(glpinet.ECONFLICT, "Key %d (%s) is already revoked.", id, k.Prefix)
	}
	if err := tx.SetKeyRevoked(ctx, id); err != nil {
		return err
	}
	if err := keyChanged(ctx, tx, k.Hash); err != nil {
		return err
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "key.revoke", Subject: glpinet.AccountSubject(k.AccountID),
		Details: glpinet.KeySubject(id) + " " + k.Prefix}); err != nil {
		return err
	}
	return noticeKeyRevoked(ctx, tx, k)
}

// noticeKeyRevoked mails the account's owners that key k was revoked: the
// GLPI instances using it stop validating, and an owner who did not ask
// for it must know at once, and who did it.
func noticeKeyRevoked(ctx context.Context, tx KeyTx, k *glpinet.RegistrationKey) error {
	owners, err := tx.LockOwners(ctx, k.AccountID)
	if err != nil {
		return err
	}
	for _, id := range owners {
		u, err := tx.LockUser(ctx, id)
		if err != nil {
			return err
		}
		if u == nil || u.Disabled() {
			continue
		}
		if err := EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: glpinet.MailKindKeyRevoked,
			Data: map[string]string{"name": u.Name, "key": k.Prefix, "label": k.Label, "by": glpinet.ActorFrom(ctx)}}); err != nil {
			return err
		}
	}
	return nil
}
