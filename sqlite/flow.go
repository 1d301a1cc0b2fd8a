package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// The statements storeflow's mutations run, as methods of a transaction:
// the steps and rules are storeflow's, the SQL is here. SQLite's single
// writer keeps every row read until the commit, so the Lock methods are
// plain reads.

var _ storeflow.StoreTx = (*Tx)(nil)

// Now is the transaction's instant.
func (tx *Tx) Now() time.Time { return tx.now }

// Audit records an audit event, attributed to e.Actor or else to the
// context's actor.
func (tx *Tx) Audit(ctx context.Context, e glpinet.AuditEvent) error {
	if e.Actor != "" {
		ctx = glpinet.WithActor(ctx, e.Actor)
	}
	return tx.audit(ctx, e.Action, e.Subject, e.Details)
}

// AccountExists returns ENOTFOUND unless the account exists.
func (tx *Tx) AccountExists(ctx context.Context, id int64) error { return accountExists(ctx, tx, id) }

// InsertUser stores a user.
func (tx *Tx) InsertUser(ctx context.Context, u *glpinet.User) error { return insertUser(ctx, tx, u) }

// orNone turns "no row" into nil, nil: storeflow says what is missing.
func orNone[T any](v *T, err error) (*T, error) {
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return v, err
}
