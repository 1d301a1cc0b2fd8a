package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

const tokenColumns = `id, user_id, name, hash, display, scopes, expires_at, last_used_at, revoked_at, created_at`

// tokenRow receives tokenColumns, alone or before the user's columns
// (FindToken).
type tokenRow struct {
	t                      glpinet.APIToken
	hash                   []byte
	scopes, created        string
	expires, used, revoked sql.NullString
}

func (r *tokenRow) dest() []any {
	return []any{&r.t.ID, &r.t.UserID, &r.t.Name, &r.hash, &r.t.Display, &r.scopes, &r.expires, &r.used, &r.revoked, &r.created}
}

func (r *tokenRow) token() (*glpinet.APIToken, error) {
	t := &r.t
	copy(t.Hash[:], r.hash)
	if err := json.Unmarshal([]byte(r.scopes), &t.Scopes); err != nil {
		return nil, err
	}
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.CreatedAt = parseTimePtr(r.expires), parseTimePtr(r.used), parseTimePtr(r.revoked), parseTime(r.created)
	return t, nil
}

func scanToken(s scanner) (*glpinet.APIToken, error) {
	var r tokenRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.token()
}

// UserAccount returns a user's account, 0 for an operator.
func (tx *Tx) UserAccount(ctx context.Context, id int64) (int64, bool, error) {
	var account sql.NullInt64 // NULL for operators
	err := tx.QueryRowContext(ctx, `SELECT account_id FROM users WHERE id = ?`, id).Scan(&account)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return account.Int64, err == nil, err
}

// InsertToken stores a token.
func (tx *Tx) InsertToken(ctx context.Context, t *glpinet.APIToken, scopes string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, display, scopes, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.UserID, t.Name, t.Hash[:], t.Display, scopes, fmtTimePtr(t.ExpiresAt), fmtTime(tx.now))
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This token already exists.")
	} else if err != nil {
		return err
	}
	t.CreatedAt = tx.now
	t.ID, err = res.LastInsertId()
	return err
}

// FindToken returns a live token and its user, who is not disabled, in
// one query.
func (db *DB) FindToken(ctx context.Context, hash [32]byte) (*glpinet.APIToken, *glpinet.User, error) {
	var tr tokenRow
	var ur userRow
	err := db.read.QueryRowContext(ctx, `SELECT `+qualified("t", tokenColumns)+`, `+qualified("u", userColumns)+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled_at IS NULL`,
		hash[:], fmtTime(db.Now())).Scan(append(tr.dest(), ur.dest()...)...)
	if err == sql.ErrNoRows {
		return nil, nil, storeflow.NoToken()
	} else if err != nil {
		return nil, nil, mapError(err)
	}
	t, err := tr.token()
	if err != nil {
		return nil, nil, err
	}
	return t, ur.user(), nil
}

// ListTokens returns a user's tokens, newest first.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*glpinet.APIToken, error) {
	return collect(scanToken)(db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID))
}

// LockToken reads a user's token; nil when none.
func (tx *Tx) LockToken(ctx context.Context, userID, id int64) (*glpinet.APIToken, error) {
	return orNone(scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)))
}

// SetTokenRevoked revokes a token.
func (tx *Tx) SetTokenRevoked(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, fmtTime(tx.now), id)
	return err
}

// TouchToken records a token's last use.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, ''), ?) WHERE id = ?`, fmtTime(at), id)
		return err
	})
}
