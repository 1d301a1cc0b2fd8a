package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

var _ glpinet.MailStore = (*DB)(nil)

// InsertMail adds m to the outbox (storeflow.EnqueueMail checked it).
func (tx *Tx) InsertMail(ctx context.Context, m *glpinet.Mail) error {
	data, err := storeflow.MailData(m)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO mail_outbox (recipient, lang, kind, data, state, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		m.To, m.Lang, m.Kind, data, m.State, fmtTime(m.NextAt), fmtTime(m.CreatedAt))
	if err != nil {
		return err
	}
	m.ID, err = res.LastInsertId()
	return err
}

// mailColumns are what a mail's reads select; data only where the mail
// is to be sent (claimMail).
const mailColumns = `id, recipient, lang, kind, state, attempts, next_at, last_error, created_at, done_at`

func scanMail(r scanner, extra ...any) (*glpinet.Mail, error) {
	m := &glpinet.Mail{}
	var next, created string
	var done sql.NullString
	err := r.Scan(append([]any{&m.ID, &m.To, &m.Lang, &m.Kind, &m.State, &m.Attempts, &next, &m.LastError, &created, &done}, extra...)...)
	if err != nil {
		return nil, err
	}
	m.NextAt, m.CreatedAt, m.DoneAt = parseTime(next), parseTime(created), parseTimePtr(done)
	return m, nil
}

// dueMail is the condition of a claimable mail: pending, due at ?1 and
// not held by a claim whose lease runs at ?1.
const dueMail = `state = 'pending' AND next_at <= ?1 AND (claim_until IS NULL OR claim_until <= ?1)`

// ClaimMails implements glpinet.MailStore. A read first sees whether a
// mail is due, so that idle workers polling do not take the write lock;
// then one UPDATE ... RETURNING claims them: SQLite runs it whole under
// the database file's write lock, so that two processes sharing the file
// never claim the same mail.
func (db *DB) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*glpinet.Mail, error) {
	if err := storeflow.CheckClaim(lease, n); err != nil {
		return nil, err
	}
	var due int
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE `+dueMail+`)`, fmtTime(now)).Scan(&due); err != nil || due == 0 {
		return nil, mapError(err)
	}
	claim := storeflow.NewMailClaim()
	var out []*glpinet.Mail
	err := db.update(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE mail_outbox SET claim = ?2, claim_until = ?3, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_outbox WHERE `+dueMail+` ORDER BY next_at, id LIMIT ?4)
			RETURNING `+mailColumns+`, data`, fmtTime(now), claim, fmtTime(now.Add(lease)), n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			m, err := scanMail(rows, &data)
			if err != nil {
				return err
			}
			if err := storeflow.ParseMailData(m, data); err != nil {
				return err
			}
			m.Claim = claim
			out = append(out, m)
		}
		return rows.Err()
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
	q, args := `UPDATE mail_outbox SET state = 'sent', done_at = ?, data = '{}', last_error = '', claim = NULL, claim_until = NULL`, []any{fmtTime(now)}
	switch {
	case o.Sent:
	case o.RetryAt.IsZero():
		q, args = `UPDATE mail_outbox SET state = 'failed', done_at = ?, data = '{}', last_error = ?, claim = NULL, claim_until = NULL`, []any{fmtTime(now), o.Error}
	default:
		q, args = `UPDATE mail_outbox SET next_at = ?, last_error = ?, claim = NULL, claim_until = NULL`, []any{fmtTime(o.RetryAt), o.Error}
	}
	res, err := db.write.ExecContext(ctx, q+` WHERE id = ? AND claim = ? AND state = 'pending'`, append(args, id, claim)...)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return storeflow.LostClaim(id)
	}
	return nil
}

// ListMails implements glpinet.MailStore.
func (db *DB) ListMails(ctx context.Context, f glpinet.MailFilter) ([]*glpinet.Mail, error) {
	return collect(func(r scanner) (*glpinet.Mail, error) { return scanMail(r) })(db.read.QueryContext(ctx,
		`SELECT `+mailColumns+` FROM mail_outbox WHERE ?1 = '' OR state = ?1 ORDER BY id DESC LIMIT ?2`, string(f.State), storeflow.MailFilterLimit(f)))
}

// CountMails implements glpinet.MailStore.
func (db *DB) CountMails(ctx context.Context) (map[glpinet.MailState]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT state, count(*) FROM mail_outbox GROUP BY state`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[glpinet.MailState]int{glpinet.MailPending: 0, glpinet.MailSent: 0, glpinet.MailFailed: 0}
	for rows.Next() {
		var s glpinet.MailState
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, mapError(rows.Err())
}

// PruneMails implements glpinet.MailStore.
func (db *DB) PruneMails(ctx context.Context, sentBefore, failedBefore time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM mail_outbox WHERE (state = 'sent' AND done_at < ?) OR (state = 'failed' AND done_at < ?)`,
		fmtTime(sentBefore), fmtTime(failedBefore))
	if err != nil {
		return 0, mapError(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
