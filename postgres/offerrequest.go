package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

const offerRequestColumns = `id, account_id, offer_ref, user_id, message, state, decided_by, decided_at, subscription_id, created_at`

func scanOfferRequest(r pgx.Row) (*glpinet.OfferRequest, error) {
	var q glpinet.OfferRequest
	if err := r.Scan(&q.ID, &q.AccountID, &q.OfferRef, &q.UserID, &q.Message, &q.State, &q.DecidedBy, &q.DecidedAt, &q.SubscriptionID, &q.CreatedAt); err != nil {
		return nil, err
	}
	return &q, nil
}

// ListOfferRequests returns requests newest first.
func (db *DB) ListOfferRequests(ctx context.Context, f glpinet.OfferRequestFilter) ([]*glpinet.OfferRequest, error) {
	var where []string
	var args []any
	if f.AccountID != 0 {
		args = append(args, f.AccountID)
		where = append(where, `account_id = $`+strconv.Itoa(len(args)))
	}
	if f.State != "" {
		args = append(args, string(f.State))
		where = append(where, `state = $`+strconv.Itoa(len(args)))
	}
	q := `SELECT ` + offerRequestColumns + ` FROM offer_requests`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, storeflow.OfferRequestLimit(f))
	return collect(scanOfferRequest)(db.pool.Query(ctx, q+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args...))
}

// AccountName reads an account's name; "" when none.
func (tx *Tx) AccountName(ctx context.Context, id int64) (name string, err error) {
	err = tx.QueryRow(ctx, `SELECT name FROM accounts WHERE id = $1`, id).Scan(&name)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return name, err
}

// InsertOfferRequest stores a request.
func (tx *Tx) InsertOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error {
	err := tx.QueryRow(ctx, `INSERT INTO offer_requests (account_id, offer_ref, user_id, message, state, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		r.AccountID, r.OfferRef, r.UserID, r.Message, string(r.State), tx.now).Scan(&r.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "This account already asked for offer %q: an operator will answer.", r.OfferRef)
	} else if err != nil {
		return err
	}
	r.CreatedAt = tx.now
	return nil
}

// LockOfferRequest reads a request, its row locked; nil when none. A
// second decision waiting on the lock reads it again as committed (READ
// COMMITTED), decided.
func (tx *Tx) LockOfferRequest(ctx context.Context, id int64) (*glpinet.OfferRequest, error) {
	return orNone(scanOfferRequest(tx.QueryRow(ctx, `SELECT `+offerRequestColumns+` FROM offer_requests WHERE id = $1 FOR UPDATE`, id)))
}

// UpdateOfferRequest writes a request's decision.
func (tx *Tx) UpdateOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error {
	_, err := tx.Exec(ctx, `UPDATE offer_requests SET state = $1, decided_by = $2, decided_at = $3, subscription_id = $4 WHERE id = $5`,
		string(r.State), r.DecidedBy, r.DecidedAt, r.SubscriptionID, r.ID)
	return err
}
