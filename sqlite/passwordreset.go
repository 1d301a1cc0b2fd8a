package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

const resetColumns = `id, user_id, hash, expires_at, used_at, created_at`

func scanReset(r scanner) (*glpinet.PasswordReset, error) {
	var p glpinet.PasswordReset
	var hash []byte
	var expires, created string
	var used sql.NullString
	if err := r.Scan(&p.ID, &p.UserID, &hash, &expires, &used, &created); err != nil {
		return nil, err
	}
	copy(p.Hash[:], hash)
	p.ExpiresAt, p.UsedAt, p.CreatedAt = parseTime(expires), parseTimePtr(used), parseTime(created)
	return &p, nil
}

// FindPasswordReset returns the reset with this token hash.
func (db *DB) FindPasswordReset(ctx context.Context, hash [32]byte) (*glpinet.PasswordReset, error) {
	p, err := scanReset(db.read.QueryRowContext(ctx, `SELECT `+resetColumns+` FROM password_resets WHERE hash = ?`, hash[:]))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This password reset link does not exist.")
	}
	return p, mapError(err)
}

// LockUserEmail reads the user with this normalised e-mail; nil when
// none. SQLite's single writer is the lock.
func (tx *Tx) LockUserEmail(ctx context.Context, email string) (*glpinet.User, error) {
	return orNone(scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email)))
}

// InsertPasswordReset stores a reset.
func (tx *Tx) InsertPasswordReset(ctx context.Context, p *glpinet.PasswordReset) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO password_resets (user_id, hash, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		p.UserID, p.Hash[:], fmtTime(p.ExpiresAt), fmtTime(tx.now))
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This password reset token already exists.")
	} else if err != nil {
		return err
	}
	p.CreatedAt = tx.now
	p.ID, err = res.LastInsertId()
	return err
}

// LockPasswordReset reads the reset with this token hash; nil when none.
func (tx *Tx) LockPasswordReset(ctx context.Context, hash [32]byte) (*glpinet.PasswordReset, error) {
	return orNone(scanReset(tx.QueryRowContext(ctx, `SELECT `+resetColumns+` FROM password_resets WHERE hash = ?`, hash[:])))
}

// EndPasswordResets marks a user's unused resets used.
func (tx *Tx) EndPasswordResets(ctx context.Context, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, fmtTime(tx.now), userID)
	return err
}
