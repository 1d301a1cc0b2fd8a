package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const tokenColumns = `id, user_id, name, hash, display, scopes, expires_at, last_used_at, revoked_at, created_at`

func scanToken(r pgx.Row) (*glpinet.APIToken, error) {
	var t glpinet.APIToken
	var hash, scopes []byte
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &hash, &t.Display, &scopes, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt, &t.CreatedAt); err != nil {
		return nil, err
	}
	copy(t.Hash[:], hash)
	if err := json.Unmarshal(scopes, &t.Scopes); err != nil {
		return nil, err
	}
	return &t, nil
}

func tokenSubject(id int64) string { return "token:" + strconv.FormatInt(id, 10) }

// CreateToken stores a token.
func (db *DB) CreateToken(ctx context.Context, t *glpinet.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	scopes, _ := json.Marshal(t.Scopes)
	return db.update(ctx, func(tx *Tx) error {
		var account *int64 // NULL for operators
		if err := tx.QueryRow(ctx, `SELECT account_id FROM users WHERE id = $1`, t.UserID).Scan(&account); err == pgx.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", t.UserID)
		} else if err != nil {
			return err
		}
		if account != nil {
			if err := accountsIssuable(ctx, tx, "its users cannot create API tokens", *account); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, hash, display, scopes, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.UserID, t.Name, t.Hash[:], t.Display, string(scopes), t.ExpiresAt, tx.now).Scan(&t.ID)
		if isUnique(err) {
			return glpinet.Errorf(glpinet.ECONFLICT, "This token already exists.")
		} else if err != nil {
			return err
		}
		t.CreatedAt = tx.now
		return tx.audit(ctx, "token.create", userSubject(t.UserID), tokenSubject(t.ID)+" "+t.Name+" "+string(scopes))
	})
}

// FindToken returns a live token and its user.
func (db *DB) FindToken(ctx context.Context, hash [32]byte) (*glpinet.APIToken, *glpinet.User, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, hash[:], db.Now()))
	if err == pgx.ErrNoRows {
		return nil, nil, glpinet.Errorf(glpinet.ENOTFOUND, "Unknown, expired or revoked token.")
	} else if err != nil {
		return nil, nil, mapError(err)
	}
	u, err := db.FindUserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}

// ListTokens returns a user's tokens, newest first.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*glpinet.APIToken, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, mapError(rows.Err())
}

// RevokeToken revokes a user's token.
func (db *DB) RevokeToken(ctx context.Context, userID, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
		if err == pgx.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "Token %d does not exist.", id)
		} else if err != nil {
			return err
		} else if t.RevokedAt != nil {
			return glpinet.Errorf(glpinet.ECONFLICT, "Token %d is already revoked.", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, tx.now, id); err != nil {
			return err
		}
		return tx.audit(ctx, "token.revoke", userSubject(userID), tokenSubject(id))
	})
}

// TouchToken records a token's last use; it never moves backwards.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return db.update(ctx, func(tx *Tx) error {
		// GREATEST ignores NULL: the first use sets it.
		_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = GREATEST(last_used_at, $1) WHERE id = $2`, at, id)
		return err
	})
}
