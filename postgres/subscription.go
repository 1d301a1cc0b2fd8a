package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const subscriptionColumns = `id, account_id, offer_ref, begin_at, end_at, state, created_at`

func scanSubscription(r pgx.Row) (*glpinet.Subscription, error) {
	var s glpinet.Subscription
	if err := r.Scan(&s.ID, &s.AccountID, &s.OfferRef, &s.Begin, &s.End, &s.State, &s.CreatedAt); err != nil {
		return nil, err
	}
	return &s, nil
}

// OfferExists reports whether an offer exists.
func (tx *Tx) OfferExists(ctx context.Context, ref string) (bool, error) {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM offers WHERE reference = $1`, ref).Scan(&one)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// InsertSubscription stores a subscription.
func (tx *Tx) InsertSubscription(ctx context.Context, s *glpinet.Subscription) error {
	s.CreatedAt = tx.now
	return tx.QueryRow(ctx, `INSERT INTO subscriptions (account_id, offer_ref, begin_at, end_at, state, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		s.AccountID, s.OfferRef, s.Begin, s.End, s.State, tx.now).Scan(&s.ID)
}

// ListSubscriptions returns an account's subscriptions by begin date.
func (db *DB) ListSubscriptions(ctx context.Context, accountID int64) ([]*glpinet.Subscription, error) {
	if err := accountExists(ctx, db.pool, accountID); err != nil {
		return nil, err
	}
	return collect(scanSubscription)(db.pool.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE account_id = $1 ORDER BY begin_at, id`, accountID))
}

// LockSubscription reads a subscription, its row locked; nil when none.
func (tx *Tx) LockSubscription(ctx context.Context, id int64) (*glpinet.Subscription, error) {
	return orNone(scanSubscription(tx.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = $1 FOR UPDATE`, id)))
}

// UpdateSubscription writes a subscription's end and state.
func (tx *Tx) UpdateSubscription(ctx context.Context, s *glpinet.Subscription) error {
	_, err := tx.Exec(ctx, `UPDATE subscriptions SET end_at = $1, state = $2 WHERE id = $3`, s.End, s.State, s.ID)
	return err
}
