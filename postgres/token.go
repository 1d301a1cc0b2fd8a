package postgres

import (
	"context"
	"encoding/json"

	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

const tokenColumns = `id, user_id, name, hash, display, scopes, expires_at, last_used_at, revoked_at, created_at`

// tokenRow receives tokenColumns, alone or before the user's columns
// (FindToken).
type tokenRow struct {
	t            glpinet.APIToken
	hash, scopes []byte
}

func (r *tokenRow) dest() []any {
	t := &r.t
	return []any{&t.ID, &t.UserID, &t.Name, &r.hash, &t.Display, &r.scopes, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt, &t.CreatedAt}
}

func (r *tokenRow) token() (*glpinet.APIToken, error) {
	copy(r.t.Hash[:], r.hash)
	if err := json.Unmarshal(r.scopes, &r.t.Scopes); err != nil {
		return nil, err
	}
	return &r.t, nil
}

func scanToken(row pgx.Row) (*glpinet.APIToken, error) {
	var r tokenRow
	if err := row.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.token()
}

// UserAccount returns a user's account, 0 for an operator.
func (tx *Tx) UserAccount(ctx context.Context, id int64) (int64, bool, error) {
	var account *int64 // NULL for operators
	err := tx.QueryRow(ctx, `SELECT account_id FROM users WHERE id = $1`, id).Scan(&account)
	if err == pgx.ErrNoRows {
		return 0, false, nil
	} else if err != nil || account == nil {
		return 0, err == nil, err
	}
	return *account, true, nil
}

// InsertToken stores a token.
func (tx *Tx) InsertToken(ctx context.Context, t *glpinet.APIToken, scopes string) error {
	err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, hash, display, scopes, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.UserID, t.Name, t.Hash[:], t.Display, scopes, t.ExpiresAt, tx.now).Scan(&t.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This token already exists.")
	} else if err != nil {
		return err
	}
	t.CreatedAt = tx.now
	return nil
}

// FindToken returns a live token and its user, who is not disabled, in
// one query.
func (db *DB) FindToken(ctx context.Context, hash [32]byte) (*glpinet.APIToken, *glpinet.User, error) {
	var tr tokenRow
	var ur userRow
	err := db.pool.QueryRow(ctx, `SELECT `+qualified("t", tokenColumns)+`, `+qualified("u", userColumns)+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL`,
		hash[:], db.Now()).Scan(append(tr.dest(), ur.dest()...)...)
	if err == pgx.ErrNoRows {
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
	return collect(scanToken)(db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID))
}

// LockToken reads a user's token, its row locked; nil when none.
func (tx *Tx) LockToken(ctx context.Context, userID, id int64) (*glpinet.APIToken, error) {
	return orNone(scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID)))
}

// SetTokenRevoked revokes a token.
func (tx *Tx) SetTokenRevoked(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, tx.now, id)
	return err
}

// TouchToken records a token's last use; it never moves backwards.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return db.update(ctx, func(tx *Tx) error {
		// GREATEST ignores NULL: the first use sets it.
		_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = GREATEST(last_used_at, $1) WHERE id = $2`, at, id)
		return err
	})
}
