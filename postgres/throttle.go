package postgres

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

// countAttempt is CountAttempt's one statement. INSERT ... ON CONFLICT DO
// UPDATE is atomic: a concurrent caller on the same key waits for the
// other's row (inserted or updated) and then updates it, so concurrent
// callers get distinct counts without a transaction of their own. The
// stored window is kept (and added to) unless the caller's is later: that
// is a new window, which starts from the caller's n.
const countAttempt = `INSERT INTO attempts AS a (key, window_start, window_end, count) VALUES ($1, $2, $3, $4)
	ON CONFLICT (key) DO UPDATE SET
		count = CASE WHEN a.window_start >= excluded.window_start THEN a.count + excluded.count ELSE excluded.count END,
		window_end = CASE WHEN a.window_start >= excluded.window_start THEN a.window_end ELSE excluded.window_end END,
		window_start = GREATEST(a.window_start, excluded.window_start)
	RETURNING count`

// CountAttempt adds n to key's counter for the window containing now and
// returns the counter. No audit event, no change: counters are not
// business data.
func (db *DB) CountAttempt(ctx context.Context, key string, window time.Duration, now time.Time, n int) (int, error) {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return 0, err
	}
	start, end, err := glpinet.AttemptWindow(now, window)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, glpinet.Errorf(glpinet.EINVALID, "An attempt counts at least 1 (got %d).", n)
	}
	var count int
	if err := db.pool.QueryRow(ctx, countAttempt, key, start, end, n).Scan(&count); err != nil {
		return 0, mapError(err)
	}
	return count, nil
}

// Attempts returns key's counter for the window containing now.
func (db *DB) Attempts(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return 0, err
	}
	start, _, err := glpinet.AttemptWindow(now, window)
	if err != nil {
		return 0, err
	}
	var count int
	err = db.pool.QueryRow(ctx, `SELECT count FROM attempts WHERE key = $1 AND window_start >= $2`, key, start).Scan(&count)
	if err == pgx.ErrNoRows {
		return 0, nil
	} else if err != nil {
		return 0, mapError(err)
	}
	return count, nil
}

// ForgetAttempts removes key's counter.
func (db *DB) ForgetAttempts(ctx context.Context, key string) error {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `DELETE FROM attempts WHERE key = $1`, key)
	return mapError(err)
}

// PruneAttempts removes the counters whose window has ended at now.
func (db *DB) PruneAttempts(ctx context.Context, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM attempts WHERE window_end <= $1`, now)
	if err != nil {
		return 0, mapError(err)
	}
	return int(tag.RowsAffected()), nil
}
