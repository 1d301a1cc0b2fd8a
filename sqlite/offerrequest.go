package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

const offerRequestColumns = `id, account_id, offer_ref, user_id, message, state, decided_by, decided_at, subscription_id, created_at`

func scanOfferRequest(r scanner) (*glpinet.OfferRequest, error) {
	var q glpinet.OfferRequest
	var decided sql.NullString
	var sub sql.NullInt64
	var created string
	if err := r.Scan(&q.ID, &q.AccountID, &q.OfferRef, &q.UserID, &q.Message, &q.State, &q.DecidedBy, &decided, &sub, &created); err != nil {
		return nil, err
	}
	q.DecidedAt, q.CreatedAt = parseTimePtr(decided), parseTime(created)
	if sub.Valid {
		q.SubscriptionID = &sub.Int64
	}
	return &q, nil
}

// ListOfferRequests returns requests newest first.
func (db *DB) ListOfferRequests(ctx context.Context, f glpinet.OfferRequestFilter) ([]*glpinet.OfferRequest, error) {
	var where []string
	var args []any
	if f.AccountID != 0 {
		where, args = append(where, `account_id = ?`), append(args, f.AccountID)
	}
	if f.State != "" {
		where, args = append(where, `state = ?`), append(args, f.State)
	}
	q := `SELECT ` + offerRequestColumns + ` FROM offer_requests`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, storeflow.OfferRequestLimit(f))
	return collect(scanOfferRequest)(db.read.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, args...))
}

// AccountName reads an account's name; "" when none.
func (tx *Tx) AccountName(ctx context.Context, id int64) (name string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = ?`, id).Scan(&name)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return name, err
}

// InsertOfferRequest stores a request.
func (tx *Tx) InsertOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO offer_requests (account_id, offer_ref, user_id, message, state, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.AccountID, r.OfferRef, r.UserID, r.Message, r.State, fmtTime(tx.now))
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This account already asked for offer %q: an operator will answer.", r.OfferRef)
	} else if err != nil {
		return err
	}
	r.CreatedAt = tx.now
	r.ID, err = res.LastInsertId()
	return err
}

// LockOfferRequest reads a request; nil when none. SQLite's single writer
// is the lock.
func (tx *Tx) LockOfferRequest(ctx context.Context, id int64) (*glpinet.OfferRequest, error) {
	return orNone(scanOfferRequest(tx.QueryRowContext(ctx, `SELECT `+offerRequestColumns+` FROM offer_requests WHERE id = ?`, id)))
}

// UpdateOfferRequest writes a request's decision.
func (tx *Tx) UpdateOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error {
	_, err := tx.ExecContext(ctx, `UPDATE offer_requests SET state = ?, decided_by = ?, decided_at = ?, subscription_id = ? WHERE id = ?`,
		r.State, r.DecidedBy, fmtTimePtr(r.DecidedAt), r.SubscriptionID, r.ID)
	return err
}
