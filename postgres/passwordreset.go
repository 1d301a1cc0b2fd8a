package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const resetColumns = `id, user_id, hash, expires_at, used_at, created_at`

func scanReset(r pgx.Row) (*glpinet.PasswordReset, error) {
	var p glpinet.PasswordReset
	var hash []byte
	if err := r.Scan(&p.ID, &p.UserID, &hash, &p.ExpiresAt, &p.UsedAt, &p.CreatedAt); err != nil {
		return nil, err
	}
	copy(p.Hash[:], hash)
	return &p, nil
}

// FindPasswordReset returns the reset with this token hash.
func (db *DB) FindPasswordReset(ctx context.Context, hash [32]byte) (*glpinet.PasswordReset, error) {
	p, err := scanReset(db.pool.QueryRow(ctx, `SELECT `+resetColumns+` FROM password_resets WHERE hash = $1`, hash[:]))
	if err == pgx.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This password reset link does not exist.")
	}
	return p, mapError(err)
}

// LockUserEmail reads the user with this normalised e-mail, its row
// locked; nil when none.
func (tx *Tx) LockUserEmail(ctx context.Context, email string) (*glpinet.User, error) {
	// lower(email) is what the unique index users_email holds.
	return orNone(scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1) FOR UPDATE`, email)))
}

// InsertPasswordReset stores a reset.
func (tx *Tx) InsertPasswordReset(ctx context.Context, p *glpinet.PasswordReset) error {
	err := tx.QueryRow(ctx, `INSERT INTO password_resets (user_id, hash, expires_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		p.UserID, p.Hash[:], p.ExpiresAt, tx.now).Scan(&p.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This password reset token already exists.")
	} else if err != nil {
		return err
	}
	p.CreatedAt = tx.now
	return nil
}

// LockPasswordReset reads the reset with this token hash, its row locked;
// nil when none. A second use waiting on the lock reads it again as
// committed (READ COMMITTED), used.
func (tx *Tx) LockPasswordReset(ctx context.Context, hash [32]byte) (*glpinet.PasswordReset, error) {
	return orNone(scanReset(tx.QueryRow(ctx, `SELECT `+resetColumns+` FROM password_resets WHERE hash = $1 FOR UPDATE`, hash[:])))
}

// EndPasswordResets marks a user's unused resets used.
func (tx *Tx) EndPasswordResets(ctx context.Context, userID int64) error {
	_, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, tx.now, userID)
	return err
}
