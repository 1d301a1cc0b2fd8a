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

func scanToken(r scanner) (*glpinet.APIToken, error) {
	var t glpinet.APIToken
	var hash []byte
	var scopes, created string
	var expires, used, revoked sql.NullString
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &hash, &t.Display, &scopes, &expires, &used, &revoked, &created); err != nil {
		return nil, err
	}
	copy(t.Hash[:], hash)
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return nil, err
	}
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.CreatedAt = parseTimePtr(expires), parseTimePtr(used), parseTimePtr(revoked), parseTime(created)
	return &t, nil
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

// FindToken returns a live token and its user.
func (db *DB) FindToken(ctx context.Context, hash [32]byte) (*glpinet.APIToken, *glpinet.User, error) {
	t, err := orNone(scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, hash[:], fmtTime(db.Now()))))
	return storeflow.WithUser(ctx, t, mapError(err), db.FindUserByID)
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
