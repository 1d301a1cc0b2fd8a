package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
)

const keyColumns = `id, account_id, hash, prefix, label, created_at, revoked_at, replaced_by, grace_until`

func scanKey(r scanner) (*glpinet.RegistrationKey, error) {
	var k glpinet.RegistrationKey
	var hash []byte
	var created string
	var revoked, grace sql.NullString
	var replaced sql.NullInt64
	if err := r.Scan(&k.ID, &k.AccountID, &hash, &k.Prefix, &k.Label, &created, &revoked, &replaced, &grace); err != nil {
		return nil, err
	}
	copy(k.Hash[:], hash)
	k.CreatedAt, k.RevokedAt, k.GraceUntil = parseTime(created), parseTimePtr(revoked), parseTimePtr(grace)
	if replaced.Valid {
		k.ReplacedBy = &replaced.Int64
	}
	return &k, nil
}

func keySubject(id int64) string { return "key:" + strconv.FormatInt(id, 10) }

// CreateKey stores a new key's hash.
func (db *DB) CreateKey(ctx context.Context, k *glpinet.RegistrationKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := accountsIssuable(ctx, tx, "no key can be issued for it", k.AccountID); err != nil {
			return err
		}
		if err := insertKey(ctx, tx, k); err != nil {
			return err
		}
		if err := tx.change(ctx, glpinet.TopicKey, hex.EncodeToString(k.Hash[:])); err != nil {
			return err
		}
		return tx.audit(ctx, "key.issue", accountSubject(k.AccountID), keySubject(k.ID)+" "+k.Prefix)
	})
}

func insertKey(ctx context.Context, tx *Tx, k *glpinet.RegistrationKey) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO registration_keys (account_id, hash, prefix, label, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.AccountID, k.Hash[:], k.Prefix, k.Label, fmtTime(tx.now))
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This key already exists.")
	} else if err != nil {
		return err
	}
	k.CreatedAt = tx.now
	k.ID, err = res.LastInsertId()
	return err
}

// CreateKeys stores many keys in one transaction.
func (db *DB) CreateKeys(ctx context.Context, keys []*glpinet.RegistrationKey) error {
	for _, k := range keys {
		if err := k.Validate(); err != nil {
			return err
		}
	}
	return db.update(ctx, func(tx *Tx) error {
		var accounts []int64 // a batch's keys are usually one account's
		for _, k := range keys {
			if len(accounts) == 0 || accounts[len(accounts)-1] != k.AccountID {
				accounts = append(accounts, k.AccountID)
			}
		}
		if err := accountsIssuable(ctx, tx, "no key can be issued for it", accounts...); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO registration_keys (account_id, hash, prefix, label, created_at) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := fmtTime(tx.now)
		for _, k := range keys {
			res, err := stmt.ExecContext(ctx, k.AccountID, k.Hash[:], k.Prefix, k.Label, now)
			if isUnique(err) {
				return glpinet.Errorf(glpinet.ECONFLICT, "Key %s already exists.", k.Prefix)
			} else if err != nil {
				return err
			}
			k.CreatedAt = tx.now
			if k.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		// One change for the batch, not one per key: a bulk issue of a
		// million keys would otherwise send as many notifications to every
		// replica. Validators read their key set again instead.
		if len(keys) > 0 {
			if err := tx.change(ctx, glpinet.TopicKeys, strconv.Itoa(len(keys))); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "key.import", "", strconv.Itoa(len(keys))+" keys")
	})
}

// lockKey reads a key inside a write transaction, refusing revoked or
// already rotated ones.
func lockKey(ctx context.Context, tx *Tx, id int64) (*glpinet.RegistrationKey, error) {
	k, err := scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Key %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	switch {
	case k.RevokedAt != nil:
		return nil, glpinet.Errorf(glpinet.ECONFLICT, "Key %d (%s) is revoked.", id, k.Prefix)
	case k.ReplacedBy != nil:
		return nil, glpinet.Errorf(glpinet.ECONFLICT, "Key %d (%s) was already rotated; rotate its replacement, key %d.", id, k.Prefix, *k.ReplacedBy)
	}
	return k, nil
}

// RotateKey stores next as the replacement of key id.
func (db *DB) RotateKey(ctx context.Context, id int64, next *glpinet.RegistrationKey, graceUntil time.Time) error {
	// The label given, if any: one inherited was stored already.
	if err := next.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		old, err := lockKey(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := accountsIssuable(ctx, tx, "its keys cannot be rotated", old.AccountID); err != nil {
			return err
		}
		next.AccountID = old.AccountID
		if next.Label == "" {
			next.Label = old.Label
		}
		if err := insertKey(ctx, tx, next); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE registration_keys SET replaced_by = ?, grace_until = ? WHERE id = ?`, next.ID, fmtTime(graceUntil), id); err != nil {
			return err
		}
		for _, h := range [][32]byte{old.Hash, next.Hash} {
			if err := tx.change(ctx, glpinet.TopicKey, hex.EncodeToString(h[:])); err != nil {
				return err
			}
		}
		return tx.audit(ctx, "key.rotate", accountSubject(old.AccountID),
			keySubject(id)+" "+old.Prefix+" → "+keySubject(next.ID)+" "+next.Prefix+", old key valid until "+graceUntil.UTC().Format(time.RFC3339))
	})
}

// RevokeKey revokes a key now.
func (db *DB) RevokeKey(ctx context.Context, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		k, err := scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE id = ?`, id))
		if err == sql.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "Key %d does not exist.", id)
		} else if err != nil {
			return err
		} else if k.RevokedAt != nil {
			return glpinet.Errorf(glpinet.ECONFLICT, "Key %d (%s) is already revoked.", id, k.Prefix)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE registration_keys SET revoked_at = ? WHERE id = ?`, fmtTime(tx.now), id); err != nil {
			return err
		}
		if err := tx.change(ctx, glpinet.TopicKey, hex.EncodeToString(k.Hash[:])); err != nil {
			return err
		}
		return tx.audit(ctx, "key.revoke", accountSubject(k.AccountID), keySubject(id)+" "+k.Prefix)
	})
}

// prepare prepares the statements of the validation path.
func (db *DB) prepare(ctx context.Context) error {
	var err error
	db.findKeyRecord, err = db.read.PrepareContext(ctx, `SELECT k.id, k.account_id, k.hash, k.prefix, k.label, k.created_at,
		k.revoked_at, k.replaced_by, k.grace_until, a.id, a.name, a.state, a.created_at, a.updated_at
		FROM registration_keys k JOIN accounts a ON a.id = k.account_id WHERE k.hash = ?`)
	if err != nil {
		return err
	}
	db.findSubscriptions, err = db.read.PrepareContext(ctx, `SELECT id, account_id, offer_ref, begin_at, end_at, state, created_at
		FROM subscriptions WHERE account_id = ? ORDER BY begin_at, id`)
	return err
}

// FindKeyRecord returns the key with this hash, its account and
// subscriptions. It reads without a transaction: a change committed
// between its two queries is announced on the change feed, which makes the
// cache read again.
func (db *DB) FindKeyRecord(ctx context.Context, hash [32]byte) (*glpinet.KeyRecord, error) {
	var rec glpinet.KeyRecord
	k, a := &rec.Key, &rec.Account
	var h []byte
	var created, aCreated, aUpdated string
	var revoked, grace sql.NullString
	var replaced sql.NullInt64
	err := db.findKeyRecord.QueryRowContext(ctx, hash[:]).Scan(&k.ID, &k.AccountID, &h, &k.Prefix, &k.Label, &created,
		&revoked, &replaced, &grace, &a.ID, &a.Name, &a.State, &aCreated, &aUpdated)
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Unknown key.")
	} else if err != nil {
		return nil, mapError(err)
	}
	copy(k.Hash[:], h)
	k.CreatedAt, k.RevokedAt, k.GraceUntil = parseTime(created), parseTimePtr(revoked), parseTimePtr(grace)
	if replaced.Valid {
		k.ReplacedBy = &replaced.Int64
	}
	a.CreatedAt, a.UpdatedAt = parseTime(aCreated), parseTime(aUpdated)
	rows, err := db.findSubscriptions.QueryContext(ctx, a.ID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		rec.Subscriptions = append(rec.Subscriptions, s)
	}
	return &rec, rows.Err()
}

// FindKeyByID returns one key.
func (db *DB) FindKeyByID(ctx context.Context, id int64) (*glpinet.RegistrationKey, error) {
	k, err := scanKey(db.read.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Key %d does not exist.", id)
	}
	return k, err
}

// ListKeys returns an account's keys, newest first.
func (db *DB) ListKeys(ctx context.Context, accountID int64) ([]*glpinet.RegistrationKey, error) {
	if err := accountExists(ctx, db.read, accountID); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE account_id = ? ORDER BY id DESC`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*glpinet.RegistrationKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// EachKeyHash calls fn with the hash of every key, streaming the rows of
// one read (one snapshot: SQLite keeps the statement's view until its
// last row).
func (db *DB) EachKeyHash(ctx context.Context, fn func(hash [32]byte) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT hash FROM registration_keys`)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	var raw sql.RawBytes // the driver's memory, valid until the next row: no copy per key
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var h [32]byte
		if len(raw) != len(h) {
			return glpinet.Errorf(glpinet.EINTERNAL, "A registration key hash of %d bytes.", len(raw))
		}
		copy(h[:], raw)
		if err := fn(h); err != nil {
			return err
		}
	}
	return mapError(rows.Err())
}
