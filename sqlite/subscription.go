package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
)

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
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM offers WHERE reference = ?`, s.OfferRef).Scan(&one); err == sql.ErrNoRows {
			return glpinet.Errorf(glpinet.EINVALID, "There is no offer %q.", s.OfferRef)
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (account_id, offer_ref, begin_at, end_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.AccountID, s.OfferRef, fmtTime(s.Begin), fmtTimePtr(s.End), s.State, fmtTime(tx.now))
		if err != nil {
			return err
		}
		if s.ID, err = res.LastInsertId(); err != nil {
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
	rows, err := q.QueryContext(ctx, `SELECT id, account_id, offer_ref, begin_at, end_at, state, created_at FROM subscriptions WHERE account_id = ? ORDER BY begin_at, id`, accountID)
	if err != nil {
		return nil, err
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
	return out, rows.Err()
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

// UpdateSubscription changes a subscription's end and state.
func (db *DB) UpdateSubscription(ctx context.Context, id int64, end *time.Time, state glpinet.SubscriptionState) (*glpinet.Subscription, error) {
	var s *glpinet.Subscription
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		s, err = scanSubscription(tx.QueryRowContext(ctx, `SELECT id, account_id, offer_ref, begin_at, end_at, state, created_at FROM subscriptions WHERE id = ?`, id))
		if err == sql.ErrNoRows {
			return glpinet.Errorf(glpinet.ENOTFOUND, "Subscription %d does not exist.", id)
		} else if err != nil {
			return err
		}
		s.End, s.State = end, state
		if err := s.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET end_at = ?, state = ? WHERE id = ?`, fmtTimePtr(end), state, id); err != nil {
			return err
		}
		if err := tx.change(ctx, glpinet.TopicAccount, strconv.FormatInt(s.AccountID, 10)); err != nil {
			return err
		}
		return tx.audit(ctx, "subscription.update", accountSubject(s.AccountID), s.OfferRef+" "+string(state)+" "+describePeriod(s))
	})
	return s, err
}
