package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const verificationColumns = `id, user_id, hash, expires_at, used_at, created_at`

func scanVerification(r pgx.Row) (*glpinet.EmailVerification, error) {
	var v glpinet.EmailVerification
	var hash []byte
	if err := r.Scan(&v.ID, &v.UserID, &hash, &v.ExpiresAt, &v.UsedAt, &v.CreatedAt); err != nil {
		return nil, err
	}
	copy(v.Hash[:], hash)
	return &v, nil
}

// InsertEmailVerification stores a verification.
func (tx *Tx) InsertEmailVerification(ctx context.Context, v *glpinet.EmailVerification) error {
	err := tx.QueryRow(ctx, `INSERT INTO email_verifications (user_id, hash, expires_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		v.UserID, v.Hash[:], v.ExpiresAt, tx.now).Scan(&v.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This verification token already exists.")
	} else if err != nil {
		return err
	}
	v.CreatedAt = tx.now
	return nil
}

// LockEmailVerification reads the verification with this token hash, its
// row locked; nil when none.
func (tx *Tx) LockEmailVerification(ctx context.Context, hash [32]byte) (*glpinet.EmailVerification, error) {
	return orNone(scanVerification(tx.QueryRow(ctx, `SELECT `+verificationColumns+` FROM email_verifications WHERE hash = $1 FOR UPDATE`, hash[:])))
}

// EndEmailVerifications marks a user's unused verifications used.
func (tx *Tx) EndEmailVerifications(ctx context.Context, userID int64) error {
	_, err := tx.Exec(ctx, `UPDATE email_verifications SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, tx.now, userID)
	return err
}

// UpdateUserVerified marks a user's address verified now.
func (tx *Tx) UpdateUserVerified(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE users SET email_verified_at = $1 WHERE id = $2`, tx.now, id)
	return err
}
