package postgres

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

// endingWhere selects the subscriptions EndingSubscriptions reads; its
// arguments are the free offer's reference, from and to.
const endingWhere = `s.state = 'active' AND s.offer_ref <> $1 AND s.end_at > $2 AND s.end_at <= $3`

// EndingSubscriptions reads the active paid subscriptions ending in
// (from, to], with their recorded notices.
func (tx *Tx) EndingSubscriptions(ctx context.Context, from, to time.Time) ([]storeflow.NoticeCandidate, error) {
	args := []any{glpinet.FreeOfferReference, from, to}
	subs, err := collect(scanSubscription)(tx.Query(ctx, `SELECT `+qualified("s", subscriptionColumns)+
		` FROM subscriptions s WHERE `+endingWhere+` ORDER BY s.end_at, s.id`, args...))
	if err != nil {
		return nil, err
	}
	out := make([]storeflow.NoticeCandidate, len(subs))
	byID := map[int64]map[glpinet.SubscriptionNoticeKind]time.Time{}
	for i, s := range subs {
		out[i] = storeflow.NoticeCandidate{Subscription: s, Sent: map[glpinet.SubscriptionNoticeKind]time.Time{}}
		byID[s.ID] = out[i].Sent
	}
	rows, err := tx.Query(ctx, `SELECT n.subscription_id, n.kind, n.end_at FROM subscription_notices n JOIN subscriptions s ON s.id = n.subscription_id WHERE `+endingWhere, args...)
	if err != nil {
		return nil, err
	}
	var id int64
	var kind string
	var end time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &kind, &end}, func() error {
		if m := byID[id]; m != nil {
			m[glpinet.SubscriptionNoticeKind(kind)] = end
		}
		return nil
	})
	return out, err
}

// AccountSubscriptions reads an account's subscriptions.
func (tx *Tx) AccountSubscriptions(ctx context.Context, account int64) ([]*glpinet.Subscription, error) {
	return collect(scanSubscription)(tx.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE account_id = $1 ORDER BY begin_at, id`, account))
}

// SubscriptionNotices reads the notices recorded for a subscription.
func (tx *Tx) SubscriptionNotices(ctx context.Context, id int64) (map[glpinet.SubscriptionNoticeKind]time.Time, error) {
	rows, err := tx.Query(ctx, `SELECT kind, end_at FROM subscription_notices WHERE subscription_id = $1`, id)
	if err != nil {
		return nil, err
	}
	out := map[glpinet.SubscriptionNoticeKind]time.Time{}
	var kind string
	var end time.Time
	_, err = pgx.ForEachRow(rows, []any{&kind, &end}, func() error {
		out[glpinet.SubscriptionNoticeKind(kind)] = end
		return nil
	})
	return out, err
}

// RecordSubscriptionNotice records a notice about end unless it is
// recorded about that end already. Of two transactions recording the same
// notice at once, the second waits on the unique row, then finds it
// written about the same end and changes nothing (READ COMMITTED: ON
// CONFLICT DO UPDATE reads the row as committed).
func (tx *Tx) RecordSubscriptionNotice(ctx context.Context, id int64, kind glpinet.SubscriptionNoticeKind, end time.Time) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO subscription_notices (subscription_id, kind, end_at, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (subscription_id, kind) DO UPDATE SET end_at = EXCLUDED.end_at, created_at = EXCLUDED.created_at
		WHERE subscription_notices.end_at <> EXCLUDED.end_at`, id, string(kind), end, tx.now)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

// LockManagers reads the IDs of an account's owners and admins, their
// rows locked in ID order.
func (tx *Tx) LockManagers(ctx context.Context, account int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE account_id = $1 AND role IN ('owner', 'admin') ORDER BY id FOR UPDATE`, account)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
