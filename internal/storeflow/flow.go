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
}

// AccountTx is a transaction that reads accounts.
type AccountTx interface {
	Tx
	// AccountExists returns ENOTFOUND when account id does not exist.
	AccountExists(ctx context.Context, id int64) error
	// AccountsIssuable is glpinet.CheckIssuable on the accounts ids,
	// their states read (and kept) until the commit.
	AccountsIssuable(ctx context.Context, action string, ids ...int64) error
}
