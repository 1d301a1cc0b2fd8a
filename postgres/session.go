package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

// InsertSession stores a session.
func (tx *Tx) InsertSession(ctx context.Context, s *glpinet.Session) error {
	_, err := tx.Exec(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.Hash[:], s.UserID, s.CSRF, s.CreatedAt, s.ExpiresAt)
	return err
}

// DeleteExpiredSessions removes the expired sessions.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context) error {
	_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, tx.now)
	return err
}

// FindSession returns a live session and its user, who is not disabled,
// in one query.
func (db *DB) FindSession(ctx context.Context, hash [32]byte) (*glpinet.Session, *glpinet.User, error) {
	s := glpinet.Session{Hash: hash}
	var u userRow
	err := db.pool.QueryRow(ctx, `SELECT s.csrf, s.created_at, s.expires_at, `+qualified("u", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL`,
		hash[:], db.Now()).Scan(append([]any{&s.CSRF, &s.CreatedAt, &s.ExpiresAt}, u.dest()...)...)
	if err == pgx.ErrNoRows {
		return nil, nil, glpinet.Errorf(glpinet.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, nil, mapError(err)
	}
	s.UserID = u.u.ID
	return &s, u.user(), nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash [32]byte) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash[:])
		return err
	})
}
