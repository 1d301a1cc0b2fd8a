package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

// OfferExists reports whether an offer exists.
func (tx *Tx) OfferExists(ctx context.Context, ref string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM offers WHERE reference = ?`, ref).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// InsertSubscription stores a subscription.
func (tx *Tx) InsertSubscription(ctx context.Context, s *glpinet.Subscription) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (account_id, offer_ref, begin_at, end_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.AccountID, s.OfferRef, fmtTime(s.Begin), fmtTimePtr(s.End), s.State, fmtTime(tx.now))
	if err != nil {
		return err
	}
	s.CreatedAt = tx.now
	s.ID, err = res.LastInsertId()
	return err
}

// ListSubscriptions returns an account's subscriptions by begin date.
func (db *DB) ListSubscriptions(ctx context.Context, accountID int64) ([]*glpinet.Subscription, error) {
	if err := accountExists(ctx, db.read, accountID); err != nil {
		return nil, err
	}
	return listSubscriptions(ctx, db.read, accountID)
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func listSubscriptions(ctx context.Context, q querier, accountID int64) ([]*glpinet.Subscription, error) {
	return collect(scanSubscription)(q.QueryContext(ctx, `SELECT id, account_id, offer_ref, begin_at, end_at, state, created_at FROM subscriptions WHERE account_id = ? ORDER BY begin_at, id`, accountID))
}

func scanSubscription(r scanner) (*glpinet.Subscription, error) {
	var s glpinet.Subscription
	var begin, created string
	var end sql.NullString
	if err := r.Scan(&s.ID, &s.AccountID, &s.OfferRef, &begin, &end, &s.State, &created); err != nil {
		return nil, err
	}
	s.Begin, s.End, s.CreatedAt = parseTime(begin), parseTimePtr(end), parseTime(created)
	return &s, nil
}

// LockSubscription reads a subscription; nil when none.
func (tx *Tx) LockSubscription(ctx context.Context, id int64) (*glpinet.Subscription, error) {
	return orNone(scanSubscription(tx.QueryRowContext(ctx, `SELECT id, account_id, offer_ref, begin_at, end_at, state, created_at FROM subscriptions WHERE id = ?`, id)))
}

// UpdateSubscription writes a subscription's end and state.
func (tx *Tx) UpdateSubscription(ctx context.Context, s *glpinet.Subscription) error {
	_, err := tx.ExecContext(ctx, `UPDATE subscriptions SET end_at = ?, state = ? WHERE id = ?`, fmtTimePtr(s.End), s.State, s.ID)
	return err
}
