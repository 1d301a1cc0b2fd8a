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

// FindSession returns a live session and its user.
func (db *DB) FindSession(ctx context.Context, hash [32]byte) (*glpinet.Session, *glpinet.User, error) {
	var s glpinet.Session
	var created, expires string
	err := db.read.QueryRowContext(ctx, `SELECT user_id, csrf, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?`,
		hash[:], fmtTime(db.Now())).Scan(&s.UserID, &s.CSRF, &created, &expires)
	if err == sql.ErrNoRows {
		return nil, nil, glpinet.Errorf(glpinet.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, nil, mapError(err)
	}
	s.Hash, s.CreatedAt, s.ExpiresAt = hash, parseTime(created), parseTime(expires)
	u, err := db.FindUserByID(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash [32]byte) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash[:])
		return err
	})
}
