package postgres

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const keyColumns = `id, account_id, hash, prefix, label, created_at, revoked_at, replaced_by, grace_until`

func scanKey(r pgx.Row) (*glpinet.RegistrationKey, error) {
	var k glpinet.RegistrationKey
	var hash []byte
	if err := r.Scan(&k.ID, &k.AccountID, &hash, &k.Prefix, &k.Label, &k.CreatedAt, &k.RevokedAt, &k.ReplacedBy, &k.GraceUntil); err != nil {
		return nil, err
	}
	copy(k.Hash[:], hash)
	return &k, nil
}

// createKeysChunk bounds the rows of one INSERT in CreateKeys.
const createKeysChunk = 5000

// InsertKeys stores a batch of keys: each chunk of createKeysChunk keys is
// one statement taking the columns as arrays, a round trip per 5,000 keys
// rather than one per key.
func (tx *Tx) InsertKeys(ctx context.Context, keys []*glpinet.RegistrationKey) error {
	for start := 0; start < len(keys); start += createKeysChunk {
		if err := tx.insertKeys(ctx, keys[start:min(start+createKeysChunk, len(keys))]); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) insertKeys(ctx context.Context, keys []*glpinet.RegistrationKey) error {
	accounts, hashes := make([]int64, len(keys)), make([][]byte, len(keys))
	prefixes, labels := make([]string, len(keys)), make([]string, len(keys))
	byHash := make(map[[32]byte]*glpinet.RegistrationKey, len(keys))
	for i, k := range keys {
		accounts[i], hashes[i], prefixes[i], labels[i] = k.AccountID, k.Hash[:], k.Prefix, k.Label
		byHash[k.Hash] = k
	}
	// RETURNING's order is not guaranteed to follow unnest's: IDs are
	// matched to keys by hash, which is unique.
	rows, err := tx.Query(ctx, `INSERT INTO registration_keys (account_id, hash, prefix, label, created_at)
		SELECT a, h, p, l, $5 FROM unnest($1::bigint[], $2::bytea[], $3::text[], $4::text[]) AS k (a, h, p, l)
		RETURNING id, hash`, accounts, hashes, prefixes, labels, tx.now)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		if k := byHash[[32]byte(h)]; k != nil {
			k.ID, k.CreatedAt = id, tx.now
		}
	}
	if err := rows.Err(); isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "A key of the batch already exists (or appears twice).")
	} else if isCode(err, foreignKeyViolation) {
		return glpinet.Errorf(glpinet.ENOTFOUND, "An account of the batch does not exist.")
	} else if err != nil {
		return err
	}
	return nil
}

// InsertKey stores a key.
func (tx *Tx) InsertKey(ctx context.Context, k *glpinet.RegistrationKey) error {
	err := tx.QueryRow(ctx, `INSERT INTO registration_keys (account_id, hash, prefix, label, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		k.AccountID, k.Hash[:], k.Prefix, k.Label, tx.now).Scan(&k.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This key already exists.")
	} else if err != nil {
		return err
	}
	k.CreatedAt = tx.now
	return nil
}

// LockKey reads a key, its row locked until the commit: a concurrent
// rotation waits for this one, then reads the key as it left it.
func (tx *Tx) LockKey(ctx context.Context, id int64) (*glpinet.RegistrationKey, error) {
	return orNone(scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE id = $1 FOR UPDATE`, id)))
}

// SetKeyReplaced records a rotation on the old key.
func (tx *Tx) SetKeyReplaced(ctx context.Context, id, next int64, graceUntil time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE registration_keys SET replaced_by = $1, grace_until = $2 WHERE id = $3`, next, graceUntil, id)
	return err
}

// SetKeyRevoked revokes a key.
func (tx *Tx) SetKeyRevoked(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE registration_keys SET revoked_at = $1 WHERE id = $2`, tx.now, id)
	return err
}

// findKeyRecord reads a key, its account and the account's subscriptions
// in one statement, so one round trip and one snapshot: a row per
// subscription (begin date order), the key and account repeated on each.
// Every account has its free subscription, but LEFT JOIN keeps the key
// found should one have none.
const findKeyRecord = `SELECT k.id, k.account_id, k.prefix, k.label, k.created_at, k.revoked_at, k.replaced_by, k.grace_until,
	a.name, a.state, a.created_at, a.updated_at,
	s.id, s.offer_ref, s.begin_at, s.end_at, s.state, s.created_at
	FROM registration_keys k
	JOIN accounts a ON a.id = k.account_id
	LEFT JOIN subscriptions s ON s.account_id = k.account_id
	WHERE k.hash = $1
	ORDER BY s.begin_at, s.id`

// FindKeyRecord returns the key with this hash, its account and
// subscriptions: the validator's cold path.
func (db *DB) FindKeyRecord(ctx context.Context, hash [32]byte) (*glpinet.KeyRecord, error) {
	rows, err := db.pool.Query(ctx, findKeyRecord, hash[:])
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var rec *glpinet.KeyRecord
	for rows.Next() {
		var r glpinet.KeyRecord
		k, a := &r.Key, &r.Account
		var subID *int64
		var offer, state *string
		var begin, created *time.Time
		var end *time.Time
		if err := rows.Scan(&k.ID, &k.AccountID, &k.Prefix, &k.Label, &k.CreatedAt, &k.RevokedAt, &k.ReplacedBy, &k.GraceUntil,
			&a.Name, &a.State, &a.CreatedAt, &a.UpdatedAt,
			&subID, &offer, &begin, &end, &state, &created); err != nil {
			return nil, err
		}
		if rec == nil {
			k.Hash, a.ID = hash, k.AccountID
			rec = &r
		}
		if subID != nil {
			rec.Subscriptions = append(rec.Subscriptions, &glpinet.Subscription{ID: *subID, AccountID: k.AccountID, OfferRef: *offer,
				Begin: *begin, End: end, State: glpinet.SubscriptionState(*state), CreatedAt: *created})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if rec == nil {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Unknown key.")
	}
	return rec, nil
}

// FindKeyByID returns one key.
func (db *DB) FindKeyByID(ctx context.Context, id int64) (*glpinet.RegistrationKey, error) {
	k, err := scanKey(db.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE id = $1`, id))
	if err == pgx.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Key %d does not exist.", id)
	}
	return k, mapError(err)
}

// ListKeys returns a page of an account's keys, newest first.
func (db *DB) ListKeys(ctx context.Context, accountID int64, p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) {
	after, err := p.AfterID(glpinet.CursorKeys)
	if err != nil {
		return nil, "", err
	}
	if err := accountExists(ctx, db.pool, accountID); err != nil {
		return nil, "", err
	}
	cond, args := "", []any{accountID, p.Size() + 1}
	if after > 0 {
		cond, args = " AND id < $3", append(args, after)
	}
	keys, err := collect(scanKey)(db.pool.Query(ctx, `SELECT `+keyColumns+` FROM registration_keys WHERE account_id = $1`+cond+
		` ORDER BY id DESC LIMIT $2`, args...))
	if err != nil {
		return nil, "", err
	}
	keys, next := glpinet.Cut(p, keys, func(k *glpinet.RegistrationKey) string { return glpinet.IDCursor(glpinet.CursorKeys, k.ID) })
	return keys, next, nil
}

// EachKeyHash calls fn with the hash of every key, streaming the rows of
// one statement (one snapshot) as they arrive.
func (db *DB) EachKeyHash(ctx context.Context, fn func(hash [32]byte) error) error {
	rows, err := db.pool.Query(ctx, `SELECT hash FROM registration_keys`)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	var h keyHash
	for rows.Next() {
		if err := rows.Scan(&h); err != nil {
			return err
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return mapError(rows.Err())
}

// keyHash scans a bytea hash straight from the driver's memory (it is a
// pgtype.BytesScanner): no allocation per key.
type keyHash [32]byte

// ScanBytes implements pgtype.BytesScanner.
func (h *keyHash) ScanBytes(v []byte) error {
	if len(v) != len(h) {
		return glpinet.Errorf(glpinet.EINTERNAL, "A registration key hash of %d bytes.", len(v))
	}
	copy(h[:], v)
	return nil
}
