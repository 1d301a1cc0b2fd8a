package storeflow

import (
	"context"

	"github.com/glpinet/glpinet"
)

// SessionTx is a transaction that stores passwords and sessions.
type SessionTx interface {
	Tx
	// UpdatePassword replaces user id's password hash; found is false
	// when there is no such user.
	UpdatePassword(ctx context.Context, id int64, hash string) (found bool, err error)
	// DeleteSessions ends every session of user id.
	DeleteSessions(ctx context.Context, userID int64) error
	// InsertSession stores s.
	InsertSession(ctx context.Context, s *glpinet.Session) error
	// DeleteExpiredSessions removes the sessions expired at the
	// transaction's instant.
	DeleteExpiredSessions(ctx context.Context) error
}

// SetPassword is glpinet.UserStore.SetPassword.
func SetPassword(ctx context.Context, tx SessionTx, userID int64, hash string) error {
	if hash == "" {
		return glpinet.Errorf(glpinet.EINVALID, "A user needs a password.")
	}
	if found, err := tx.UpdatePassword(ctx, userID, hash); err != nil {
		return err
	} else if !found {
		return glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", userID)
	}
	if err := tx.DeleteSessions(ctx, userID); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "user.password", Subject: glpinet.UserSubject(userID)})
}

// CreateSession is glpinet.SessionStore.CreateSession. Expired sessions
// are removed as new ones are made.
func CreateSession(ctx context.Context, tx SessionTx, s *glpinet.Session) error {
	s.CreatedAt = tx.Now()
	if err := tx.InsertSession(ctx, s); err != nil {
		return err
	}
	return tx.DeleteExpiredSessions(ctx)
}
