// Package storeflow writes once the steps of the stores' mutations that are
// not SQL: which rules are checked, in which order, and what the audit log
// and the change feed record. Package sqlite and package postgres call a
// flow inside their own transaction and give it their dialect's
// statements through the Tx interfaces below; they only persist.
//
// A flow runs in one transaction, so its checks see the rows it then
// writes: each store's lock methods (Lock*) read a row so that a
// concurrent transaction cannot change it before the commit (SQLite's
// single writer, PostgreSQL's FOR UPDATE). A Lock method returns nil, nil
// when there is no such row, so that the "does not exist" messages are
// written here, once.
package storeflow

import (
	"context"
	"slices"
	"time"

	"github.com/glpinet/glpinet"
)

// Tx is what every flow needs of a store's transaction.
type Tx interface {
	// Now is the transaction's instant, which the rows it writes carry.
	Now() time.Time
	// Audit records an event; its Actor, when empty, is ActorFrom(ctx).
	Audit(ctx context.Context, e glpinet.AuditEvent) error
	// Change appends to the change feed that caches follow.
	Change(ctx context.Context, topic, subject string) error
	// InsertMail adds m, checked and filled by EnqueueMail, to the outbox
	// and sets its ID.
	InsertMail(ctx context.Context, m *glpinet.Mail) error
}

// AccountTx is a transaction that reads accounts.
type AccountTx interface {
	Tx
	// AccountExists returns ENOTFOUND when account id does not exist.
	AccountExists(ctx context.Context, id int64) error
	// AccountStates reads the states of the accounts ids (sorted, without
	// duplicates), kept until the commit; an account that does not exist
	// has none.
	AccountStates(ctx context.Context, ids []int64) (map[int64]glpinet.AccountState, error)
}

// accountsIssuable returns ENOTFOUND unless every account of ids exists,
// and EFORBIDDEN when one is suspended (see glpinet.CheckIssuable). The
// states are read in ID order, so that two transactions cannot lock them
// in opposite orders.
func accountsIssuable(ctx context.Context, tx AccountTx, action string, ids ...int64) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil
	}
	states, err := tx.AccountStates(ctx, ids)
	if err != nil {
		return err
	}
	return glpinet.CheckIssuable(ids, states, action)
}
