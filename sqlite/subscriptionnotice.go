package sqlite

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// endingWhere selects the subscriptions EndingSubscriptions reads; its
// arguments are the free offer's reference, from and to.
const endingWhere = `s.state = 'active' AND s.offer_ref <> ? AND s.end_at > ? AND s.end_at <= ?`

// EndingSubscriptions reads the active paid subscriptions ending in
// (from, to], with their recorded notices.
func (tx *Tx) EndingSubscriptions(ctx context.Context, from, to time.Time) ([]storeflow.NoticeCandidate, error) {
	args := []any{glpinet.FreeOfferReference, fmtTime(from), fmtTime(to)}
	subs, err := collect(scanSubscription)(tx.QueryContext(ctx, `SELECT `+qualified("s", "id, account_id, offer_ref, begin_at, end_at, state, created_at")+
		` FROM subscriptions s WHERE `+endingWhere+` ORDER BY s.end_at, s.id`, args...))
	if err != nil {
		return nil, err
	}
	type sent struct {
		id   int64
		kind glpinet.SubscriptionNoticeKind
		end  time.Time
	}
	notices, err := collect(func(r scanner) (n sent, err error) {
		var end string
		err = r.Scan(&n.id, &n.kind, &end)
		n.end = parseTime(end)
		return n, err
	})(tx.QueryContext(ctx, `SELECT n.subscription_id, n.kind, n.end_at FROM subscription_notices n JOIN subscriptions s ON s.id = n.subscription_id WHERE `+endingWhere, args...))
	if err != nil {
		return nil, err
	}
	out := make([]storeflow.NoticeCandidate, len(subs))
	byID := map[int64]map[glpinet.SubscriptionNoticeKind]time.Time{}
	for i, s := range subs {
		out[i] = storeflow.NoticeCandidate{Subscription: s, Sent: map[glpinet.SubscriptionNoticeKind]time.Time{}}
		byID[s.ID] = out[i].Sent
	}
	for _, n := range notices {
		if m := byID[n.id]; m != nil {
			m[n.kind] = n.end
		}
	}
	return out, nil
}

// AccountSubscriptions reads an account's subscriptions.
func (tx *Tx) AccountSubscriptions(ctx context.Context, account int64) ([]*glpinet.Subscription, error) {
	return listSubscriptions(ctx, tx, account)
}

// SubscriptionNotices reads the notices recorded for a subscription.
func (tx *Tx) SubscriptionNotices(ctx context.Context, id int64) (map[glpinet.SubscriptionNoticeKind]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `SELECT kind, end_at FROM subscription_notices WHERE subscription_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[glpinet.SubscriptionNoticeKind]time.Time{}
	for rows.Next() {
		var kind, end string
		if err := rows.Scan(&kind, &end); err != nil {
			return nil, err
		}
		out[glpinet.SubscriptionNoticeKind(kind)] = parseTime(end)
	}
	return out, rows.Err()
}

// RecordSubscriptionNotice records a notice about end unless it is
// recorded about that end already. SQLite's single writer orders two
// scans: the second finds the row.
func (tx *Tx) RecordSubscriptionNotice(ctx context.Context, id int64, kind glpinet.SubscriptionNoticeKind, end time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO subscription_notices (subscription_id, kind, end_at, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (subscription_id, kind) DO UPDATE SET end_at = excluded.end_at, created_at = excluded.created_at
		WHERE subscription_notices.end_at <> excluded.end_at`, id, kind, fmtTime(end), fmtTime(tx.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// LockManagers reads the IDs of an account's owners and admins. SQLite's
// single writer is the lock.
func (tx *Tx) LockManagers(ctx context.Context, account int64) ([]int64, error) {
	scanID := func(s scanner) (id int64, err error) { return id, s.Scan(&id) }
	return collect(scanID)(tx.QueryContext(ctx, `SELECT id FROM users WHERE account_id = ? AND role IN ('owner', 'admin') ORDER BY id`, account))
}
