package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

const verificationColumns = `id, user_id, hash, expires_at, used_at, created_at`

func scanVerification(r scanner) (*glpinet.EmailVerification, error) {
	var v glpinet.EmailVerification
	var hash []byte
	var expires, created string
	var used sql.NullString
	if err := r.Scan(&v.ID, &v.UserID, &hash, &expires, &used, &created); err != nil {
		return nil, err
	}
	copy(v.Hash[:], hash)
	v.ExpiresAt, v.UsedAt, v.CreatedAt = parseTime(expires), parseTimePtr(used), parseTime(created)
	return &v, nil
}

// InsertEmailVerification stores a verification.
func (tx *Tx) InsertEmailVerification(ctx context.Context, v *glpinet.EmailVerification) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO email_verifications (user_id, hash, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		v.UserID, v.Hash[:], fmtTime(v.ExpiresAt), fmtTime(tx.now))
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This verification token already exists.")
	} else if err != nil {
		return err
	}
	v.CreatedAt = tx.now
	v.ID, err = res.LastInsertId()
	return err
}

// LockEmailVerification reads the verification with this token hash;
// nil when none. SQLite's single writer is the lock.
func (tx *Tx) LockEmailVerification(ctx context.Context, hash [32]byte) (*glpinet.EmailVerification, error) {
	return orNone(scanVerification(tx.QueryRowContext(ctx, `SELECT `+verificationColumns+` FROM email_verifications WHERE hash = ?`, hash[:])))
}

// EndEmailVerifications marks a user's unused verifications used.
func (tx *Tx) EndEmailVerifications(ctx context.Context, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE email_verifications SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, fmtTime(tx.now), userID)
	return err
}

// UpdateUserVerified marks a user's address verified now.
func (tx *Tx) UpdateUserVerified(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET email_verified_at = ? WHERE id = ?`, fmtTime(tx.now), id)
	return err
}
