package postgres

import (
	"context"
	"strconv"
	"time"

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

// CreateSubscription stores a subscription.
func (db *DB) CreateSubscription(ctx context.Context, s *glpinet.Subscription) error {
	if s.State == "" {
		s.State = glpinet.SubscriptionActive
	}
	if err := s.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := accountExists(ctx, tx, s.AccountID); err != nil {
			return err
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM offers WHERE reference = $1`, s.OfferRef).Scan(&one); err == pgx.ErrNoRows {
			return glpinet.Errorf(glpinet.EINVALID, "There is no offer %q.", s.OfferRef)
		} else if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO subscriptions (account_id, offer_ref, begin_at, end_at, state, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			s.AccountID, s.OfferRef, s.Begin, s.End, s.State, tx.now).Scan(&s.ID); err != nil {
			return err
		}
		s.CreatedAt = tx.now
		if err := tx.change(ctx, glpinet.TopicAccount, strconv.FormatInt(s.AccountID, 10)); err != nil {
			return err
		}
		return tx.audit(ctx, "subscription.grant", accountSubject(s.AccountID), s.OfferRef+" "+describePeriod(s))
	})
}

func describePeriod(s *glpinet.Subscription) string {
	if s.End == nil {
		return "from " + glpinet.FormatDate(s.Begin)
	}
	return "from " + glpinet.FormatDate(s.Begin) + " until " + glpinet.LastDay(*s.End)
}

// ListSubscriptions returns an account's subscriptions by begin date.
func (db *DB) ListSubscriptions(ctx context.Context, accountID int64) ([]*glpinet.Subscription, error) {
	if err := accountExists(ctx, db.pool, accountID); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE account_id = $1 ORDER BY begin_at, id`, accountID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, mapError(rows.Err())
}

// UpdateSubscription changes a subscription's end and state.
func (db *DB) UpdateSubscription(ctx context.Context, id int64, end *time.Time, state glpinet.SubscriptionState) (*glpinet.Subscription, error) {
	var s *glpinet.Subscription
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		// FOR UPDATE: the check below is made on the row as it will be
		// written, not on a version another transaction is changing.
		s, err = scanSubscription(tx.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = $1 FOR UPDATE`, id))
		if err == pgx.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "Subscription %d does not exist.", id)
		} else if err != nil {
			return err
		}
		s.End, s.State = end, state
		if err := s.Validate(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE subscriptions SET end_at = $1, state = $2 WHERE id = $3`, end, state, id); err != nil {
			return err
		}
		if err := tx.change(ctx, glpinet.TopicAccount, strconv.FormatInt(s.AccountID, 10)); err != nil {
			return err
		}
		return tx.audit(ctx, "subscription.update", accountSubject(s.AccountID), s.OfferRef+" "+string(state)+" "+describePeriod(s))
	})
	return s, err
}
