package postgres

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

var _ glpinet.MailStore = (*DB)(nil)

// InsertMail adds m to the outbox (storeflow.EnqueueMail checked it).
func (tx *Tx) InsertMail(ctx context.Context, m *glpinet.Mail) error {
	data, err := storeflow.MailData(m)
	if err != nil {
		return err
	}
	return tx.QueryRow(ctx, `INSERT INTO mail_outbox (recipient, lang, kind, data, state, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		m.To, m.Lang, m.Kind, data, m.State, m.NextAt, m.CreatedAt).Scan(&m.ID)
}

// mailColumns are what a mail's reads select; data only where the mail
// is to be sent (ClaimMails).
const mailColumns = `id, recipient, lang, kind, state, attempts, next_at, last_error, created_at, done_at`

func scanMail(r pgx.Row, extra ...any) (*glpinet.Mail, error) {
	m := &glpinet.Mail{}
	err := r.Scan(append([]any{&m.ID, &m.To, &m.Lang, &m.Kind, &m.State, &m.Attempts, &m.NextAt, &m.LastError, &m.CreatedAt, &m.DoneAt}, extra...)...)
	return m, err
}

// ClaimMails implements glpinet.MailStore in one statement: the due
// mails are locked FOR UPDATE SKIP LOCKED, so that a replica claiming at
// the same moment skips them instead of waiting, and then carry this
// claim's token and lease, so that a claim made after the commit does
// not see them due.
func (db *DB) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*glpinet.Mail, error) {
	if err := storeflow.CheckClaim(lease, n); err != nil {
		return nil, err
	}
	claim := storeflow.NewMailClaim()
	var out []*glpinet.Mail
	err := db.update(ctx, func(tx *Tx) error {
		out = nil // update may run fn again
		rows, err := tx.Query(ctx, `UPDATE mail_outbox m SET claim = $2, claim_until = $3, attempts = m.attempts + 1
			FROM (SELECT id FROM mail_outbox
				WHERE state = 'pending' AND next_at <= $1 AND (claim_until IS NULL OR claim_until <= $1)
				ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) due
			WHERE m.id = due.id
			RETURNING `+qualified("m", mailColumns)+`, m.data`, now, claim, now.Add(lease), n)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*glpinet.Mail, error) {
			var data string
			m, err := scanMail(r, &data)
			if err != nil {
				return nil, err
			}
			m.Claim = claim
			return m, storeflow.ParseMailData(m, data)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	storeflow.SortMails(out)
	return out, nil
}

// FinishMail implements glpinet.MailStore.
func (db *DB) FinishMail(ctx context.Context, id int64, claim string, now time.Time, o glpinet.MailOutcome) error {
	if err := storeflow.CheckOutcome(o); err != nil {
		return err
	}
	q, args := `UPDATE mail_outbox SET state = 'sent', done_at = $3, data = '{}', last_error = '', claim = NULL, claim_until = NULL`, []any{now}
	switch {
	case o.Sent:
	case o.RetryAt.IsZero():
		q, args = `UPDATE mail_outbox SET state = 'failed', done_at = $3, data = '{}', last_error = $4, claim = NULL, claim_until = NULL`, []any{now, o.Error}
	default:
		q, args = `UPDATE mail_outbox SET next_at = $3, last_error = $4, claim = NULL, claim_until = NULL`, []any{o.RetryAt, o.Error}
	}
	tag, err := db.pool.Exec(ctx, q+` WHERE id = $1 AND claim = $2 AND state = 'pending'`, append([]any{id, claim}, args...)...)
	if err != nil {
		return mapError(err)
	}
	if tag.RowsAffected() == 0 {
		return storeflow.LostClaim(id)
	}
	return nil
}

// ListMails implements glpinet.MailStore.
func (db *DB) ListMails(ctx context.Context, f glpinet.MailFilter) ([]*glpinet.Mail, error) {
	return collect(func(r pgx.Row) (*glpinet.Mail, error) { return scanMail(r) })(db.pool.Query(ctx,
		`SELECT `+mailColumns+` FROM mail_outbox WHERE $1 = '' OR state = $1 ORDER BY id DESC LIMIT $2`, string(f.State), storeflow.MailFilterLimit(f)))
}

// CountMails implements glpinet.MailStore.
func (db *DB) CountMails(ctx context.Context) (map[glpinet.MailState]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT state, count(*) FROM mail_outbox GROUP BY state`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[glpinet.MailState]int{glpinet.MailPending: 0, glpinet.MailSent: 0, glpinet.MailFailed: 0}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[glpinet.MailState(s)] = n
	}
	return out, mapError(rows.Err())
}

// PruneMails implements glpinet.MailStore.
func (db *DB) PruneMails(ctx context.Context, sentBefore, failedBefore time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM mail_outbox WHERE (state = 'sent' AND done_at < $1) OR (state = 'failed' AND done_at < $2)`, sentBefore, failedBefore)
	if err != nil {
		return 0, mapError(err)
	}
	return int(tag.RowsAffected()), nil
}
