package postgres

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

// The statements storeflow's mutations run, as methods of a transaction:
// the steps and rules are storeflow's, the SQL is here. The Lock methods
// read with FOR UPDATE, so that what a flow checks stays true until it
// commits (READ COMMITTED, see update).
var _ storeflow.StoreTx = (*Tx)(nil)

// Now is the transaction's instant.
func (tx *Tx) Now() time.Time { return tx.now }

// Audit records e, attributed to e.Actor or else to the context's actor.
func (tx *Tx) Audit(ctx context.Context, e glpinet.AuditEvent) error {
	if e.Actor != "" {
		ctx = glpinet.WithActor(ctx, e.Actor)
	}
	return tx.audit(ctx, e.Action, e.Subject, e.Details)
}

// AccountExists returns ENOTFOUND unless the account exists.
func (tx *Tx) AccountExists(ctx context.Context, id int64) error { return accountExists(ctx, tx, id) }

// orNone turns "no row" into nil, nil: storeflow says what is missing.
func orNone[T any](v *T, err error) (*T, error) {
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	return v, err
}
