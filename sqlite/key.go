package sqlite

import (
	"context"
	"database/sql"
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

// InsertKey stores a key.
func (tx *Tx) InsertKey(ctx context.Context, k *glpinet.RegistrationKey) error {
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

// InsertKeys stores a batch of keys through one prepared statement.
func (tx *Tx) InsertKeys(ctx context.Context, keys []*glpinet.RegistrationKey) error {
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
	return nil
}

// LockKey reads a key in the write transaction; nil when none.
func (tx *Tx) LockKey(ctx context.Context, id int64) (*glpinet.RegistrationKey, error) {
	return orNone(scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE id = ?`, id)))
}

// SetKeyReplaced records a rotation on the old key.
func (tx *Tx) SetKeyReplaced(ctx context.Context, id, next int64, graceUntil time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE registration_keys SET replaced_by = ?, grace_until = ? WHERE id = ?`, next, fmtTime(graceUntil), id)
	return err
}

// SetKeyRevoked revokes a key.
func (tx *Tx) SetKeyRevoked(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE registration_keys SET revoked_at = ? WHERE id = ?`, fmtTime(tx.now), id)
	return err
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

// ListKeys returns a page of an account's keys, newest first.
func (db *DB) ListKeys(ctx context.Context, accountID int64, p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) {
	after, err := p.AfterID(glpinet.CursorKeys)
	if err != nil {
		return nil, "", err
	}
	if err := accountExists(ctx, db.read, accountID); err != nil {
		return nil, "", err
	}
	cond, args := "", []any{accountID}
	if after > 0 {
		cond, args = " AND id < ?", append(args, after)
	}
	keys, err := collect(scanKey)(db.read.QueryContext(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE account_id = ?`+cond+
		` ORDER BY id DESC LIMIT ?`, append(args, p.Size()+1)...))
	if err != nil {
		return nil, "", err
	}
	keys, next := glpinet.Cut(p, keys, func(k *glpinet.RegistrationKey) string { return glpinet.IDCursor(glpinet.CursorKeys, k.ID) })
	return keys, next, nil
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
