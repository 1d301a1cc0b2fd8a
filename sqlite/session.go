package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

// InsertSession stores a session.
func (tx *Tx) InsertSession(ctx context.Context, s *glpinet.Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.Hash[:], s.UserID, s.CSRF, fmtTime(s.CreatedAt), fmtTime(s.ExpiresAt))
	return err
}

// DeleteExpiredSessions removes the expired sessions.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, fmtTime(tx.now))
	return err
}

// FindSession returns a live session and its user, who is not disabled,
// in one query.
func (db *DB) FindSession(ctx context.Context, hash [32]byte) (*glpinet.Session, *glpinet.User, error) {
	s := glpinet.Session{Hash: hash}
	var created, expires string
	var u userRow
	err := db.read.QueryRowContext(ctx, `SELECT s.csrf, s.created_at, s.expires_at, `+qualified("u", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`,
		hash[:], fmtTime(db.Now())).Scan(append([]any{&s.CSRF, &created, &expires}, u.dest()...)...)
	if err == sql.ErrNoRows {
		return nil, nil, glpinet.Errorf(glpinet.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, nil, mapError(err)
	}
	s.UserID, s.CreatedAt, s.ExpiresAt = u.u.ID, parseTime(created), parseTime(expires)
	return &s, u.user(), nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash [32]byte) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash[:])
		return err
	})
}
